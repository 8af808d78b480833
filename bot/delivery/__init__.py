"""Delivery: the outbox of outgoing messages and the paced sender that empties it.

Alerts, digests and broadcasts are queued with `bot.storage.outbox.enqueue` inside the caller's
transaction (idempotent by `dedupe_key`); one `Sender` per worker process delivers them
within Telegram's limits (`pacing.Pacer`), settling every row as sent, failed or blocked.
"""

from bot.delivery.pacing import Pacer
from bot.delivery.sender import DeliveryStats, Sender, build_bot, retry_after_seconds

__all__ = [
    "DeliveryStats",
    "Pacer",
    "Sender",
    "build_bot",
    "retry_after_seconds",
]
