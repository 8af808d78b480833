"""`/healthz` and the gauges of `/metrics`: what the database, the inbox and the outbox
say about this deployment, asked afresh on every call within a short timeout."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot import metrics
from bot.logs import safe_error
from bot.storage import inbox
from bot.storage.catalog_tables import Feed
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, OutboxStatus, utcnow
from bot.transports.webhook.config import DEFAULT_TIMINGS
from bot.transports.webhook.processor import InboxProcessor

log = logging.getLogger(__name__)


async def health_report(db: Database, timeout: float = DEFAULT_TIMINGS.health_timeout,  # noqa: ASYNC109
                        processor: InboxProcessor | None = None,
                        stuck_after: float = DEFAULT_TIMINGS.stuck_after,
                        ) -> tuple[bool, dict[str, Any]]:
    """(healthy, the `/healthz` JSON). Asks the database each time: no state is kept
    between calls, so the report turns healthy as soon as the database is back.

    Unhealthy when the database does not answer, or when `processor` (this process's) is
    stuck: an update has waited longer than `stuck_after` seconds and the processor has
    not settled one nor been idle for as long."""
    report: dict[str, Any] = {"database": "error", "last_feed_sync_age_s": None,
                              "outbox_backlog": None, "inbox_backlog": None,
                              "inbox_oldest_waiting_age_s": None,
                              "inbox_last_progress_age_s": None, "inbox_processor": None}
    try:
        async with asyncio.timeout(timeout), db.sessionmaker() as session:
            last_sync = await session.scalar(select(func.max(Feed.last_success_at)))
            outbox_backlog = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_([OutboxStatus.QUEUED.value,
                                              OutboxStatus.SENDING.value])))
            inbox_backlog = await inbox.backlog(session)
            oldest = await inbox.oldest_waiting(session)
    except Exception as exc:  # any failure, a timeout included, means "not healthy"
        log.warning("health check: database unavailable: %s", safe_error(exc))
        return False, report
    report["database"] = "ok"
    now = utcnow()
    if isinstance(last_sync, datetime):
        report["last_feed_sync_age_s"] = round((now - last_sync).total_seconds(), 1)
    report["outbox_backlog"] = int(outbox_backlog or 0)
    report["inbox_backlog"] = inbox_backlog
    waiting = None if oldest is None else max(0.0, (now - oldest).total_seconds())
    if waiting is not None:
        report["inbox_oldest_waiting_age_s"] = round(waiting, 1)
    if processor is None:
        return True, report
    since = processor.since_progress()
    report["inbox_last_progress_age_s"] = round(since, 1)
    stuck = waiting is not None and waiting > stuck_after and since > stuck_after
    report["inbox_processor"] = "stuck" if stuck else "ok"
    if stuck:
        log.warning("health check: the inbox processor is stuck: an update has waited "
                    "%.0f s, no progress for %.0f s", waiting, since)
    return not stuck, report


async def refresh_gauges(db: Database, timeout: float = DEFAULT_TIMINGS.health_timeout,  # noqa: ASYNC109
                         processor: InboxProcessor | None = None) -> bool:
    """Read the outbox and inbox counts into the metrics gauges; False if the database
    did not answer (the gauges keep their last values, `takas_database_up` goes to 0)."""
    try:
        async with asyncio.timeout(timeout), db.sessionmaker() as session:
            rows = (await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )).all()
            inbox_counts = await inbox.counts(session)
            oldest = await inbox.oldest_waiting(session)
    except Exception as exc:
        log.warning("metrics: database unavailable: %s", safe_error(exc))
        metrics.set_database_up(False)
        return False
    outbox_counts = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        outbox_counts[str(status)] = int(count)
    metrics.set_outbox(outbox_counts)
    metrics.set_inbox(inbox_counts)
    metrics.set_inbox_progress(
        waiting=None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()),
        since_progress=None if processor is None else processor.since_progress())
    metrics.set_database_up(True)
    return True
