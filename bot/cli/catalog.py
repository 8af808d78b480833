"""The operator's catalog commands: `python -m bot sync` and `python -m bot feeds list`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.storage.db import Database
from catalog import store
from catalog.feeds_admin import SyncSummary
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


async def run_sync(settings: Settings, feeds_file: Path | None, names: list[str] | None, *,
                   quiet: bool = False) -> int:
    """Sync and print a summary line, the failures (stderr) and, unless `quiet`, the feeds
    that changed; 0 when all synced, 1 when any failed."""
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
    summary = SyncSummary.of(reports)
    for report in reports:
        if not report.ok:
            print(report.line(), file=sys.stderr)
        elif not quiet and report.status == "updated":  # unchanged feeds only add noise
            print(report.line())
    print(summary.line())
    return 1 if summary.failures else 0


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


async def run_search(
    settings: Settings, query: str | None, batch: Path | None, *, as_json: bool,
    language: str | None, limit: int,
) -> int:
    """`python -m bot search`: one query, or one per line of `batch` with the index loaded once."""
    from catalog.search.engine import search
    from catalog.search.service import hit_json, load_index

    db = Database(settings.database_url)
    try:
        if settings.is_sqlite:
            await db.migrate()
        index = await load_index(db)
    finally:
        await db.close()
    if index.size == 0:
        print("the catalog is empty: run `python -m bot sync` first", file=sys.stderr)
    queries = ((await asyncio.to_thread(batch.read_text, encoding="utf-8")).splitlines()
               if batch else [query or ""])
    for text in queries:
        result = search(index, text, language=language)
        hits = [hit_json(hit.doc, hit.score) for hit in result.hits[:limit]]
        if batch and as_json:
            line: dict[str, object] = {"query": text, "took_ms": round(result.took_ms, 3),
                                       "results": hits}
            if result.emptied_by:
                line["relaxed"] = {"without": result.emptied_by, "results": [
                    hit_json(hit.doc, hit.score) for hit in result.relaxed[:limit]]}
            print(json.dumps(line, ensure_ascii=False))
        elif as_json:
            print(json.dumps(hits, ensure_ascii=False, indent=2))
        else:
            _print_human(text, result, hits)
    return 0


def _print_human(text: str, result: object, hits: list[dict[str, object]]) -> None:
    from catalog.search.engine import SearchResult
    from catalog.search.service import hit_json

    assert isinstance(result, SearchResult)
    print(f"{text!r}: {len(result.hits)} results in {result.took_ms:.1f} ms")
    if result.emptied_by:
        print(f"  nothing with the {result.emptied_by} filter; without it:")
        hits = [hit_json(hit.doc, hit.score) for hit in result.relaxed[:len(hits) or 5]]
    for hit in hits:
        place = "online" if hit["online"] else hit["city"] or "-"
        print(f"  {hit['score']:.3f}  {hit['title']}  [{place}, {hit['language']}]  {hit['url']}")
    if result.suggestions:
        print("  did you mean: " + " | ".join(result.suggestions))
