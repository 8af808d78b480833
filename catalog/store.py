"""Catalog storage rules: register feeds, apply a parsed feed, read feed status.

Functions take an `AsyncSession` and never commit; `catalog.sync` owns the transactions
(one per feed, so a failing feed changes nothing and other feeds are unaffected).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.dbtools import insert_for
from catalog.formats.zones import local_zone
from catalog.model import Item
from catalog.registry import FeedSpec

CHUNK = 500
# The Core table: a plain executemany, without the ORM's per-row bookkeeping.
OPPORTUNITIES = cast(Table, Opportunity.__table__)


@dataclass(frozen=True)
class FeedState:
    """What the sync needs to know of a feed, read before fetching."""

    id: int
    name: str
    url: str
    format: str | None
    language: str | None
    origin: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    active_items: int


@dataclass
class Applied:
    added_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    withdrawn: int = 0


async def register_file_feeds(session: AsyncSession, specs: Sequence[FeedSpec]) -> None:
    """Make the feeds table match the operator's file; chat-added feeds are left alone."""
    existing = {feed.name: feed for feed in (await session.scalars(select(Feed))).all()}
    names = {spec.name for spec in specs}
    for spec in specs:
        values = {"url": spec.url, "format": spec.format.value if spec.format else None,
                  "language": spec.language, "origin": "file", "enabled": True}
        feed = existing.get(spec.name)
        if feed is None:
            # Insert-or-ignore: processes starting together (web processes, workers) all
            # register the same file at once; the first insert wins, the others agree.
            await session.execute(insert_for(session)(Feed).values(name=spec.name, **values)
                                  .on_conflict_do_nothing(index_elements=["name"]))
        else:
            if feed.url != spec.url:  # a new address: forget the old validators
                feed.etag = feed.last_modified = feed.body_hash = None
            for key, value in values.items():
                setattr(feed, key, value)
    for name, feed in existing.items():
        if feed.origin == "file" and name not in names:
            feed.enabled = False
    await session.flush()


async def feed_states(session: AsyncSession, names: Iterable[str] | None = None) -> list[FeedState]:
    active = (
        select(Opportunity.feed_id, func.count().label("n"))
        .where(Opportunity.withdrawn_at.is_(None))
        .group_by(Opportunity.feed_id)
        .subquery()
    )
    query = (
        select(Feed, func.coalesce(active.c.n, 0))
        .outerjoin(active, active.c.feed_id == Feed.id)
        .where(Feed.enabled.is_(True))
        .order_by(Feed.name)
    )
    if names is not None:
        query = query.where(Feed.name.in_(list(names)))
    rows = (await session.execute(query)).all()
    return [
        FeedState(f.id, f.name, f.url, f.format, f.language, f.origin, f.etag,
                  f.last_modified, f.body_hash, int(n))
        for f, n in rows
    ]


def item_values(item: Item) -> dict[str, Any]:
    return {
        "kind": item.kind.value, "language": item.language, "title": item.title,
        "description": item.description, "provider": item.provider, "city": item.city,
        "country": item.country, "latitude": item.latitude, "longitude": item.longitude,
        "online": item.online, "start_at": item.start, "end_at": item.end,
        "timezone": local_zone(item), "hours": item.hours, "price": item.price,
        "currency": item.currency, "keywords": list(item.keywords), "url": item.url,
        "content_hash": item.content_hash(),
    }


async def apply_items(
    session: AsyncSession, feed_id: int, items: Sequence[Item], now: datetime
) -> Applied:
    """Insert new items, update changed ones, withdraw those gone from the feed."""
    rows = (await session.execute(
        select(Opportunity.id, Opportunity.source_id, Opportunity.content_hash,
               Opportunity.withdrawn_at).where(Opportunity.feed_id == feed_id)
    )).all()
    known = {source_id: (oid, digest, withdrawn) for oid, source_id, digest, withdrawn in rows}
    applied = Applied()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    present: set[str] = set()
    for item in items:
        if item.source_id in present:
            continue
        present.add(item.source_id)
        values = item_values(item)
        old = known.get(item.source_id)
        if old is None:
            inserts.append({"feed_id": feed_id, "source_id": item.source_id,
                            "first_seen_at": now, "updated_at": now, "withdrawn_at": None,
                            **values})
        elif old[1] != values["content_hash"] or old[2] is not None:
            updates.append({"id": old[0], "updated_at": now, "withdrawn_at": None, **values})
            applied.changed_ids.append(old[0])
    if inserts:
        # One executemany, then one query for the new ids: RETURNING row by row through
        # aiosqlite's thread costs more than the inserts themselves.
        await session.execute(OPPORTUNITIES.insert(), inserts)
        fresh = {row["source_id"] for row in inserts}
        new_rows = await session.execute(
            select(Opportunity.id, Opportunity.source_id)
            .where(Opportunity.feed_id == feed_id, Opportunity.first_seen_at == now)
        )
        applied.added_ids.extend(oid for oid, source_id in new_rows if source_id in fresh)
    for start in range(0, len(updates), CHUNK):
        await session.execute(update(Opportunity), updates[start : start + CHUNK])
    gone = [oid for source_id, (oid, _d, withdrawn) in known.items()
            if source_id not in present and withdrawn is None]
    for start in range(0, len(gone), CHUNK):
        await session.execute(
            update(Opportunity).where(Opportunity.id.in_(gone[start : start + CHUNK]))
            .values(withdrawn_at=now)
        )
    applied.withdrawn = len(gone)
    return applied


async def record_outcome(session: AsyncSession, feed_id: int, **values: Any) -> None:
    await session.execute(update(Feed).where(Feed.id == feed_id).values(**values))


async def list_feeds(session: AsyncSession) -> list[Feed]:
    return list((await session.scalars(select(Feed).order_by(Feed.name))).all())


async def get_feed(session: AsyncSession, name: str) -> Feed | None:
    return (await session.scalars(select(Feed).where(Feed.name == name))).first()


async def add_chat_feed(
    session: AsyncSession, spec: FeedSpec, added_by: int
) -> Feed:
    feed = Feed(name=spec.name, url=spec.url, format=spec.format.value if spec.format else None,
                language=spec.language, origin="chat", added_by=added_by, enabled=True)
    session.add(feed)
    await session.flush()
    return feed


async def remove_chat_feed(session: AsyncSession, feed: Feed, now: datetime) -> int:
    """Disable a chat-added feed and withdraw its items (kept for logged hours)."""
    feed.enabled = False
    result = await session.execute(
        update(Opportunity)
        .where(Opportunity.feed_id == feed.id, Opportunity.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
