"""Prometheus metrics of this process, served as text by the webhook's `GET /metrics`.

One registry (`REGISTRY`, not prometheus_client's global one, so importing this module in
tests or tools registers nothing twice). Other modules record through the helpers:

    from bot import metrics
    metrics.observe_search(seconds)      # catalog search
    metrics.count_sync("ok")             # one feed sync result: ok | not_modified | failed ...

Counters and histograms are per process (Prometheus scrapes every webhook process and sums
them). The outbox and inbox gauges are read from the shared database at scrape time, so
every process reports the same totals: aggregate them with `max`, not `sum`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from telegram import Update

REGISTRY = CollectorRegistry(auto_describe=True)

# Update types as Telegram names them; anything else is counted as "other" so a strange
# payload cannot create new label values.
UPDATE_TYPES: frozenset[str] = frozenset(Update.ALL_TYPES)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

UPDATES = Counter(
    "takas_updates", "Telegram updates handled, by type.", ["type"], registry=REGISTRY
)
UPDATE_ERRORS = Counter(
    "takas_update_errors",
    "Updates whose processing raised (they are retried, then marked failed), by type.",
    ["type"], registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "takas_handler_seconds", "Time to process one update (all its handlers), by type.",
    ["type"], buckets=_LATENCY_BUCKETS, registry=REGISTRY,
)
SEARCH_SECONDS = Histogram(
    "takas_search_seconds", "Time to answer one catalog search.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
FEED_SYNCS = Counter(
    "takas_feed_syncs", "Feed sync results, by status.", ["status"], registry=REGISTRY
)
WEBHOOK_REQUESTS = Counter(
    "takas_webhook_requests", "POSTs to the webhook endpoint, by HTTP status code.",
    ["code"], registry=REGISTRY,
)
OUTBOX_MESSAGES = Gauge(
    "takas_outbox_messages",
    "Outgoing messages in the outbox by status (queued, sending, sent, failed, blocked, "
    "cancelled); read from the database at scrape time.",
    ["status"], registry=REGISTRY,
)
INBOX_UPDATES = Gauge(
    "takas_inbox_updates",
    "Stored incoming updates by status (new, processing, done, failed); read from the "
    "database at scrape time.",
    ["status"], registry=REGISTRY,
)
INBOX_BACKLOG = Gauge(
    "takas_inbox_backlog", "Incoming updates not processed yet (new plus processing).",
    registry=REGISTRY,
)
INBOX_OLDEST_WAITING = Gauge(
    "takas_inbox_oldest_waiting_seconds",
    "Age of the oldest incoming update waiting to be claimed (0 when none waits).",
    registry=REGISTRY,
)
INBOX_SINCE_PROGRESS = Gauge(
    "takas_inbox_since_progress_seconds",
    "Seconds since this process's inbox processor last settled an update or was idle; "
    "high while updates wait means it is stuck.",
    registry=REGISTRY,
)
DATABASE_UP = Gauge(
    "takas_database_up", "1 when the database answered the last scrape, else 0.",
    registry=REGISTRY,
)


def update_type(payload: Mapping[str, Any]) -> str:
    """The type of an update's JSON (`message`, `callback_query`, ...), or `other`."""
    for key in payload:
        if key != "update_id":
            return key if key in UPDATE_TYPES else "other"
    return "other"


def count_update(kind: str) -> None:
    UPDATES.labels(type=kind if kind in UPDATE_TYPES else "other").inc()


def count_update_error(kind: str) -> None:
    UPDATE_ERRORS.labels(type=kind if kind in UPDATE_TYPES else "other").inc()


def observe_handler(kind: str, seconds: float) -> None:
    HANDLER_SECONDS.labels(type=kind if kind in UPDATE_TYPES else "other").observe(seconds)


def observe_search(seconds: float) -> None:
    """One catalog search took `seconds`."""
    SEARCH_SECONDS.observe(seconds)


def count_sync(status: str) -> None:
    """One feed sync ended with `status` (keep the set of values small and fixed)."""
    FEED_SYNCS.labels(status=status).inc()


def count_webhook_request(code: int) -> None:
    WEBHOOK_REQUESTS.labels(code=str(code)).inc()


def set_outbox(counts: Mapping[str, int]) -> None:
    for status, count in counts.items():
        OUTBOX_MESSAGES.labels(status=status).set(count)


def set_inbox(counts: Mapping[str, int]) -> None:
    for status, count in counts.items():
        INBOX_UPDATES.labels(status=status).set(count)
    INBOX_BACKLOG.set(counts.get("new", 0) + counts.get("processing", 0))


def set_inbox_progress(*, waiting: float | None, since_progress: float | None) -> None:
    INBOX_OLDEST_WAITING.set(waiting or 0.0)
    if since_progress is not None:
        INBOX_SINCE_PROGRESS.set(since_progress)


def set_database_up(up: bool) -> None:
    DATABASE_UP.set(1 if up else 0)


def render() -> tuple[bytes, str]:
    """The registry in the Prometheus text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
