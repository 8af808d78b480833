"""The operator's catalog commands: `python -m bot sync` and `python -m bot feeds list`."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.db import Database
from catalog import store
from catalog.service import Catalog


@asynccontextmanager
async def opened_catalog(settings: Settings, feeds_file: Path | None) -> AsyncIterator[Catalog]:
    db = Database(settings.database_url)
    catalog = Catalog(db, feeds_file or settings.feeds_file)
    try:
        if settings.is_sqlite:
            await db.migrate()
        await catalog.open()
        await catalog.register_file_feeds()
        yield catalog
    finally:
        await catalog.close()
        await db.close()


async def run_sync(settings: Settings, feeds_file: Path | None, names: list[str] | None) -> int:
    """Sync and print one line per feed; 0 when all synced, 1 when any failed."""
    async with opened_catalog(settings, feeds_file) as catalog:
        if names:
            async with catalog.db.transaction() as session:
                known = {state.name for state in await store.feed_states(session)}
            unknown = sorted(set(names) - known)
            if unknown:
                print(f"no enabled feed named {', '.join(unknown)}; see `python -m bot feeds list`",
                      file=sys.stderr)
                return 1
        reports = await catalog.sync(names)
    failed = 0
    for report in reports:
        print(report.line(), file=sys.stdout if report.ok else sys.stderr)
        failed += not report.ok
    total = sum(r.total for r in reports if r.ok)
    print(f"{len(reports) - failed} of {len(reports)} feeds synced, {total} items")
    return 1 if failed else 0


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "never"


async def run_feeds_list(settings: Settings, feeds_file: Path | None) -> int:
    async with opened_catalog(settings, feeds_file) as catalog, catalog.db.transaction() as s:
        feeds = await store.list_feeds(s)
    header = f"{'feed':<36} {'format':<7} {'items':>6} {'last success':<16} {'took':>7}  last error"
    print(header)
    for feed in feeds:
        took = f"{feed.duration_ms / 1000:.2f}s" if feed.duration_ms is not None else "-"
        state = "" if feed.enabled else " (disabled)"
        print(f"{feed.name[:36]:<36} {feed.format or 'auto':<7} {feed.item_count:>6} "
              f"{_when(feed.last_success_at):<16} {took:>7}  {feed.last_error or '-'}{state}")
    return 0

