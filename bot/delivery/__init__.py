"""Delivery: the outbox of outgoing messages and the paced sender that empties it.

Alerts, digests and broadcasts are queued with `outbox.enqueue` inside the caller's
transaction (idempotent by `dedupe_key`); one `Sender` per worker process delivers them
within Telegram's limits (`pacing.Pacer`), settling every row as sent, failed or blocked.
"""

from bot.delivery.outbox import (
    backlog,
    broadcast_counts,
    cancel_broadcast,
    claim,
    enqueue,
    mark,
    requeue_stale,
)
from bot.delivery.pacing import Pacer
from bot.delivery.sender import DeliveryStats, Sender, build_bot, retry_after_seconds

__all__ = [
    "DeliveryStats",
    "Pacer",
    "Sender",
    "backlog",
    "broadcast_counts",
    "build_bot",
    "cancel_broadcast",
    "claim",
    "enqueue",
    "mark",
    "requeue_stale",
    "retry_after_seconds",
]
