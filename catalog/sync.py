"""Keeping the catalog in step with the partners' feeds.

`CatalogSync.sync()` fetches every enabled feed (a few at a time), parses it off the event
loop, and applies it in one transaction per feed:

- a fetch or parse failure changes nothing but the feed's status line;
- a 304 or a body identical to the last one applied costs no parsing and no item writes;
- a feed that suddenly shrinks to nothing or by more than half is not applied (reported);
- new items are inserted, changed ones updated, missing ones withdrawn.

After a sync the listeners (search index, subscriptions) hear which items are new or changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

from bot.storage.db import Database
from bot.storage.models import utcnow
from catalog import store
from catalog.fetch import DEFAULT_LIMITS, FetchLimits, fetch
from catalog.formats import parse_feed
from catalog.model import FeedError, FeedFormat, ParseResult

log = logging.getLogger(__name__)


@dataclass
class FeedReport:
    """The outcome of syncing one feed."""

    name: str
    status: str  # updated | unchanged | not_modified | failed | refused
    total: int = 0
    added: int = 0
    changed: int = 0
    withdrawn: int = 0
    skipped: int = 0
    error: str | None = None
    seconds: float = 0.0
    added_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status not in ("failed", "refused")

    def line(self) -> str:
        """One line for the operator's terminal (the chat renders its own, translated)."""
        took = f"{self.seconds:.2f} s"
        if not self.ok:
            return f"{self.name}: FAILED ({self.error}) after {took}"
        if self.status in ("not_modified", "unchanged"):
            return f"{self.name}: unchanged, {self.total} items ({took})"
        return (f"{self.name}: {self.total} items: {self.added} new, {self.changed} changed, "
                f"{self.withdrawn} withdrawn, {self.skipped} skipped ({took})")


Listener = Callable[[list[FeedReport]], Awaitable[None]]


def shrink_refusal(before: int, after: int) -> str | None:
    """Why a feed that lost most of its items is not applied, or None when it is fine."""
    if before == 0:
        return None
    if after == 0:
        return f"the feed suddenly has no items (had {before}); kept the previous items"
    if after * 2 < before:
        return f"the feed shrank from {before} to {after} items; kept the previous items"
    return None


class CatalogSync:
    """Syncs feeds into the database; one per process, sessions opened by the owner."""

    def __init__(
        self,
        db: Database,
        trusted: aiohttp.ClientSession,
        public: aiohttp.ClientSession,
        *,
        limits: FetchLimits = DEFAULT_LIMITS,
        concurrency: int = 4,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.trusted, self.public = trusted, public
        self.limits = limits
        self.concurrency = concurrency
        self.clock = clock
        self.listeners: list[Listener] = []
        # One sync at a time: the scheduled job and an admin's /feeds sync never overlap.
        self._lock = asyncio.Lock()
        # Feeds are fetched and parsed concurrently but applied one at a time: SQLite has a
        # single writer, and a read transaction that later wants to write would fail there.
        self._apply_lock = asyncio.Lock()

    async def sync(self, names: Iterable[str] | None = None) -> list[FeedReport]:
        async with self._lock:
            async with self.db.transaction() as session:
                states = await store.feed_states(session, names)
            gate = asyncio.Semaphore(self.concurrency)

            async def one(state: store.FeedState) -> FeedReport:
                async with gate:
                    return await self._sync_feed(state)

            reports = list(await asyncio.gather(*(one(s) for s in states)))
        if any(r.added_ids or r.changed_ids or r.withdrawn for r in reports):
            for listener in self.listeners:
                try:
                    await listener(reports)
                except Exception:
                    log.exception("catalog listener %r failed", listener)
        return reports

    async def _sync_feed(self, state: store.FeedState) -> FeedReport:
        started = time.perf_counter()
        now = self.clock()
        report = FeedReport(state.name, "failed", total=state.active_items)
        outcome: dict[str, object] = {"last_attempt_at": now}
        try:
            session = self.public if state.origin == "chat" else self.trusted
            fetched = await fetch(session, state.url, etag=state.etag,
                                  last_modified=state.last_modified,
                                  public_only=state.origin == "chat", limits=self.limits)
            body = fetched.body
            digest = hashlib.sha256(body).hexdigest() if body is not None else None
            if body is None or digest == state.body_hash:
                report.status = "not_modified" if body is None else "unchanged"
                outcome.update(last_success_at=now, last_error=None)
                if fetched.etag or fetched.last_modified:
                    outcome.update(etag=fetched.etag, last_modified=fetched.last_modified)
            else:
                fmt = FeedFormat(state.format) if state.format else None
                parsed: ParseResult = await asyncio.to_thread(
                    parse_feed, body, fmt, content_type=fetched.content_type,
                    feed_language=state.language, now=now,
                )
                report.skipped = len(parsed.skipped)
                refusal = shrink_refusal(state.active_items, len(parsed.items))
                if refusal:
                    report.status, report.error = "refused", refusal
                    outcome.update(last_error=refusal)
                else:
                    async with self._apply_lock, self.db.transaction() as session_:
                        applied = await store.apply_items(session_, state.id, parsed.items, now)
                        report.status = "updated"
                        report.total = len({i.source_id for i in parsed.items})
                        report.added_ids, report.changed_ids = (applied.added_ids,
                                                                applied.changed_ids)
                        report.added, report.changed = (len(applied.added_ids),
                                                        len(applied.changed_ids))
                        report.withdrawn = applied.withdrawn
                        outcome.update(
                            last_success_at=now, last_error=None, etag=fetched.etag,
                            last_modified=fetched.last_modified, body_hash=digest,
                            item_count=report.total, skipped_count=report.skipped,
                        )
                        report.seconds = time.perf_counter() - started
                        outcome["duration_ms"] = int(report.seconds * 1000)
                        await store.record_outcome(session_, state.id, **outcome)
                    return report
        except FeedError as exc:
            report.error = str(exc)[:500]
            outcome["last_error"] = report.error
        except Exception as exc:  # a parser bug must not take the other feeds down
            log.exception("feed %s: unexpected failure", state.name)
            report.error = f"internal error: {type(exc).__name__}"
            outcome["last_error"] = report.error
        report.seconds = time.perf_counter() - started
        outcome["duration_ms"] = int(report.seconds * 1000)
        async with self.db.transaction() as session_:
            await store.record_outcome(session_, state.id, **outcome)
        if not report.ok:
            log.warning("feed %s: %s", state.name, report.error)
        return report
