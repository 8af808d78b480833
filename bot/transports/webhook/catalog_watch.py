"""The catalog watcher: a web process runs no feed sync, so it rebuilds its search index
when another process (the worker) changed the catalog."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import func, select

from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from bot.transports.webhook.config import DEFAULT_TIMINGS
from catalog.search.service import SearchService

log = logging.getLogger(__name__)


async def catalog_signature(db: Database) -> tuple[Any, ...]:
    """Changes whenever the searchable catalog does: rows added or updated (updated_at,
    count), withdrawn (count and latest withdrawn_at), feeds enabled or disabled."""
    async with db.sessionmaker() as session:
        opportunities = (await session.execute(select(
            func.max(Opportunity.updated_at), func.count(),
            func.count(Opportunity.withdrawn_at), func.max(Opportunity.withdrawn_at),
        ))).one()
        feeds = (await session.execute(
            select(func.count(), func.coalesce(func.sum(Feed.id), 0))
            .where(Feed.enabled.is_(True))
        )).one()
    return (*opportunities, *feeds)


async def watch_catalog(search: SearchService, db: Database, stop: asyncio.Event,
                        interval: float = DEFAULT_TIMINGS.catalog_check) -> None:
    """Rebuild this process's search index when another process changed the catalog."""
    try:
        last: tuple[Any, ...] | None = await catalog_signature(db)
    except Exception as exc:
        log.warning("catalog check failed: %s", exc)
        last = None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        try:
            current = await catalog_signature(db)
            if current != last:
                await search.refresh()
                last = current
        except Exception as exc:  # the next check tries again
            log.warning("catalog check failed: %s", exc)
