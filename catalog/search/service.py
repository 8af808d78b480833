"""The live search index of a running process: load from the database, rebuild, swap.

`SearchService.refresh()` builds a new snapshot off the event loop and swaps it in one
assignment, so queries never wait for a rebuild and never see a half-built index. It is
registered as a catalog listener: every sync that changes something refreshes it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from catalog.search import playlists
from catalog.search.build import build_index
from catalog.search.engine import Matches, SearchResult, match_mask
from catalog.search.engine import search as run_search
from catalog.search.index import Index, SearchDoc
from catalog.search.normalize import fold, tokens
from catalog.search.phrases import find_exact
from catalog.sync import FeedReport

log = logging.getLogger(__name__)
T = TypeVar("T")


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


EARTH_KM = 6371.0
MATCHES_KEPT = 64


def kilometres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


class Snapshot:
    """Look-ups over one index snapshot, computed once per snapshot on first use."""

    def __init__(self, index: Index) -> None:
        self.index = index
        # Masks of recent queries (the map asks the same query again at every pan).
        self.matches: OrderedDict[tuple[str, str | None, int], Matches] = OrderedDict()

    @cached_property
    def by_id(self) -> dict[int, SearchDoc]:
        return {doc.id: doc for doc in self.index.docs}

    @cached_property
    def providers(self) -> dict[str, str]:
        """Folded provider name -> the name as the feed writes it (first seen)."""
        names: dict[str, str] = {}
        for doc in self.index.docs:
            if doc.provider:
                names.setdefault(fold(doc.provider), doc.provider)
        return names

    @cached_property
    def by_provider(self) -> dict[str, list[int]]:
        """Folded provider name -> document numbers."""
        numbers: dict[str, list[int]] = {}
        for number, doc in enumerate(self.index.docs):
            if doc.provider:
                numbers.setdefault(fold(doc.provider), []).append(number)
        return numbers


def _settle_heap() -> None:
    # Unfrozen first: what the previous snapshot left in reference cycles is freed too.
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SearchService:
    """Holds the current snapshot (`index` is always a complete one) and answers every
    question handlers ask of the catalog: handlers never reach into the index."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._snapshot = Snapshot(build_index([]))
        self._lock = asyncio.Lock()
        self._freeze = False

    def freeze_snapshots(self) -> None:
        """For a long-running process (each transport calls this before its first
        rebuild): after each rebuild the heap is collected once and frozen (`gc.freeze`),
        so that Python's cyclic collector no longer walks the index and the lexicon
        (millions of objects) on every full collection. Measured in the webhook
        benchmark, those walks took 15 % of a search process's CPU, each a pause of
        0.15 s. Only the transports call it (webhook, polling, worker, web); tests that
        run `webhook.serve()` in their own process freeze the pytest process too, until
        the next one unfreezes it (harmless: what a frozen object leaves in a cycle is
        freed then)."""
        self._freeze = True

    @property
    def index(self) -> Index:
        return self._snapshot.index

    @index.setter
    def index(self, index: Index) -> None:
        self._snapshot = Snapshot(index)  # one assignment: readers see old or new, whole

    async def refresh(self) -> Index:
        async with self._lock:  # one rebuild at a time; queries keep using the old snapshot
            index = await load_index(self.db)
            self.index = index
            if self._freeze:
                _settle_heap()
            log.info("search index rebuilt: %d opportunities", index.size)
            return index

    async def in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """`work(index, *args)` over the current snapshot, off the event loop (matching
        thousands of follows against new opportunities takes a while)."""
        return await asyncio.to_thread(work, self.index, *args)

    def search(self, text: str, *, language: str | None = None,
               only_language: bool = False, now: datetime | None = None) -> SearchResult:
        """Every accepted match for `text`, best first."""
        return run_search(self.index, text, language=language, only_language=only_language,
                          now=now)

    def matching(self, text: str, *, language: str | None = None,
                 now: datetime | None = None) -> Matches:
        """Every opportunity `text` accepts (a mask over `index`), as the chat's search
        would accept them; the last `MATCHES_KEPT` queries of a snapshot are kept for an
        hour of the clock (dates in queries are relative to today)."""
        snapshot = self._snapshot
        moment = now or datetime.now().astimezone()
        key = (text, language, int(moment.timestamp() // 3600))
        found = snapshot.matches.get(key)
        if found is None:
            found = match_mask(snapshot.index, text, language=language, now=moment)
            snapshot.matches[key] = found
            while len(snapshot.matches) > MATCHES_KEPT:
                snapshot.matches.popitem(last=False)
        else:
            snapshot.matches.move_to_end(key)
        return found

    def by_id(self, opportunity_id: int | None) -> SearchDoc | None:
        """The searchable opportunity with that id (None: withdrawn or unknown)."""
        return self._snapshot.by_id.get(opportunity_id) if opportunity_id is not None else None

    def nearest(self, latitude: float, longitude: float, now: datetime,
                limit: int) -> list[tuple[float, SearchDoc]]:
        """Upcoming opportunities in a place nearest to a point (km, doc), nearest first;
        among equally near, the one that starts sooner."""
        index, found = self.index, []
        for number, doc in enumerate(index.docs):
            if doc.online:
                continue
            ends = doc.end or doc.start
            if ends is not None and ends < now:
                continue
            lat, lon = doc.latitude, doc.longitude
            if lat is None or lon is None:
                place = index.place[number]
                if place is None:
                    continue
                town = index.lexicon.places[place]
                lat, lon = town.latitude, town.longitude
            found.append((kilometres(latitude, longitude, lat, lon), doc))
        found.sort(key=lambda pair: (round(pair[0], 1), pair[1].start or now, pair[1].id))
        return found[:limit]

    def providers(self) -> dict[str, str]:
        """Every provider of the catalog: folded name -> name as written."""
        return self._snapshot.providers

    def offered_by(self, provider: str) -> list[SearchDoc]:
        """The opportunities whose provider is `provider` (compared folded)."""
        docs = self.index.docs
        return [docs[n] for n in self._snapshot.by_provider.get(fold(provider), [])]

    def towns_of(self, provider: str) -> list[tuple[str, str]]:
        """(place id, town name) where the provider's opportunities take place."""
        index, seen = self.index, {}
        for number in self._snapshot.by_provider.get(fold(provider), []):
            place = index.place[number]
            if place and place not in seen:
                seen[place] = index.lexicon.places[place].name
        return list(seen.items())

    def place_names(self, place_ids: Iterable[str]) -> list[str]:
        places = self.index.lexicon.places
        return [places[p].name for p in sorted(place_ids) if p in places]

    def town(self, text: str) -> tuple[str, str] | None:
        """(place id, name) when the whole of `text` names a town."""
        words = tokens(text)
        places = find_exact(words, self.index.lexicon.place_names)
        if places and places[0][1] - places[0][0] == len(words):
            place = self.index.lexicon.places[places[0][2]]
            return place.id, place.name
        return None

    async def matching_playlists(self, session: AsyncSession, text: str,
                                 result: SearchResult, limit: int = 3) -> list[playlists.Found]:
        """Published playlists the query names, or that hold what it found (within the
        caller's unit of work: a typed search stores its query in the same transaction)."""
        hits = (result.hits or result.relaxed)[:20]
        return await playlists.matching(session, text, [hit.doc.id for hit in hits],
                                        stopwords=self.index.lexicon.stopwords, limit=limit)

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
