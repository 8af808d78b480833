"""The live search index of a running process: load from the database, rebuild, swap.

`SearchService.refresh()` builds a new snapshot off the event loop and swaps it in one
assignment, so queries never wait for a rebuild and never see a half-built index. It is
registered as a catalog listener: every sync that changes something refreshes it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select

from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from catalog.search.index import Index, SearchDoc, build_index
from catalog.sync import FeedReport

log = logging.getLogger(__name__)


async def load_docs(db: Database) -> list[SearchDoc]:
    """Every searchable opportunity: not withdrawn, from an enabled feed."""
    query = (
        select(Opportunity, Feed.name)
        .join(Feed, Feed.id == Opportunity.feed_id)
        .where(Opportunity.withdrawn_at.is_(None), Feed.enabled.is_(True))
        .order_by(Opportunity.id)
    )
    async with db.transaction() as session:
        rows = (await session.execute(query)).all()
    return [to_doc(row, feed) for row, feed in rows]


def to_doc(row: Opportunity, feed: str) -> SearchDoc:
    return SearchDoc(
        id=row.id, feed=feed, source_id=row.source_id, title=row.title, kind=row.kind,
        language=row.language, description=row.description, provider=row.provider,
        city=row.city, country=row.country, latitude=row.latitude, longitude=row.longitude,
        online=row.online, start=row.start_at, end=row.end_at, hours=row.hours,
        price=row.price, currency=row.currency, keywords=tuple(row.keywords or ()),
        url=row.url, timezone=row.timezone,
    )


async def load_index(db: Database) -> Index:
    docs = await load_docs(db)
    return await asyncio.to_thread(build_index, docs)


class SearchService:
    """Holds the current snapshot; `index` is always a complete one."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.index: Index = build_index([])
        self._lock = asyncio.Lock()

    async def refresh(self) -> Index:
        async with self._lock:  # one rebuild at a time; queries keep using the old snapshot
            index = await load_index(self.db)
            self.index = index
            log.info("search index rebuilt: %d opportunities", index.size)
            return index

    async def on_synced(self, reports: list[FeedReport]) -> None:
        await self.refresh()


def hit_json(doc: SearchDoc, score: float) -> dict[str, Any]:
    """The JSON form of a result, as `python -m bot search --json` prints it."""
    return {
        "id": doc.id, "feed": doc.feed, "source_id": doc.source_id, "url": doc.url,
        "title": doc.title, "score": round(score, 4), "kind": doc.kind,
        "language": doc.language, "provider": doc.provider, "city": doc.city,
        "online": doc.online, "start": doc.start.isoformat() if doc.start else None,
        "price": doc.price,
    }
