"""/feeds for admins: the overview, every enabled feed, add, remove, sync now.

Each reading or change is one unit of work; a sync runs in the catalog service
(catalog/service.py), which commits feed by feed as it goes. Rules (public addresses only,
names, chat feeds only) are catalog/feeds_admin.py's: a `FeedAdminError` says which one
refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utcnow
from bot.storage.db import Database
from catalog import feeds_admin, store
from catalog.feeds_admin import FeedAdminError, FeedsOverview, Problem, SyncSummary
from catalog.service import Catalog

__all__ = ["FeedAdminError", "FeedLine", "FeedsOverview", "Problem", "SyncSummary", "add",
           "enabled", "overview", "remove", "sync"]


@dataclass(frozen=True)
class FeedLine:
    """One enabled feed as /feeds all lists it."""

    name: str
    items: int
    last_success: datetime | None
    last_error: str | None


async def overview(db: Database) -> FeedsOverview:
    async with db.transaction() as session:
        return await feeds_admin.overview(session)


async def enabled(db: Database) -> tuple[FeedLine, ...]:
    """Every enabled feed, by name."""
    async with db.transaction() as session:
        return tuple(FeedLine(feed.name, feed.item_count, feed.last_success_at,
                              feed.last_error)
                     for feed in await store.list_feeds(session) if feed.enabled)


async def add(db: Database, name: str, url: str, fmt: str | None, added_by: int) -> None:
    """Register a chat feed (a `FeedAdminError` if a rule refuses it)."""
    async with db.transaction() as session:
        await feeds_admin.add_feed(session, name, url, fmt, added_by)


async def remove(db: Database, name: str) -> int:
    """Remove a chat feed; how many of its items were withdrawn from search."""
    async with db.transaction() as session:
        return await feeds_admin.remove_feed(session, name, utcnow())


async def sync(catalog: Catalog, names: list[str]) -> SyncSummary | None:
    """Sync the named feeds (all when none are named) now; None: no such feed."""
    reports = await catalog.sync(names or None)
    return SyncSummary.of(reports) if reports else None
