"""Rules for feeds that admins manage: add (public addresses only), remove, and the summary
of a sync that both `/feeds` and `python -m bot sync` show instead of one line per feed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.catalog_tables import Feed
from catalog import store
from catalog.fetch import check_public_url
from catalog.model import FeedError
from catalog.registry import FeedSpec, RegistryError, parse_format, validate_name
from catalog.sync import FeedReport


class Problem(enum.Enum):
    BAD_NAME = "bad_name"
    BAD_URL = "bad_url"
    BAD_FORMAT = "bad_format"
    NAME_TAKEN = "name_taken"
    NOT_FOUND = "not_found"
    FROM_FILE = "from_file"


class FeedAdminError(Exception):
    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(detail or problem.value)
        self.problem = problem
        self.detail = detail


async def add_feed(
    session: AsyncSession, name: str, url: str, fmt: str | None, added_by: int
) -> Feed:
    """Register a chat feed; the address must be public (checked again on every fetch)."""
    try:
        validate_name(name)
    except RegistryError as exc:
        raise FeedAdminError(Problem.BAD_NAME, str(exc)) from None
    try:
        check_public_url(url)
    except FeedError as exc:
        raise FeedAdminError(Problem.BAD_URL, str(exc)) from None
    try:
        feed_format = parse_format(fmt)
    except RegistryError as exc:
        raise FeedAdminError(Problem.BAD_FORMAT, str(exc)) from None
    existing = await store.get_feed(session, name)
    spec = FeedSpec(name, url, feed_format)
    if existing is None:
        return await store.add_chat_feed(session, spec, added_by)
    if existing.origin != "chat" or existing.enabled:
        raise FeedAdminError(Problem.NAME_TAKEN, name)
    # A removed chat feed comes back under the same name with the new address.
    existing.url, existing.enabled = url, True
    existing.format = feed_format.value if feed_format else None
    existing.etag = existing.last_modified = existing.body_hash = None
    existing.added_by = added_by
    await session.flush()
    return existing


async def remove_feed(session: AsyncSession, name: str, now: datetime) -> int:
    """Disable a chat feed and withdraw its items; returns how many were withdrawn."""
    feed = await store.get_feed(session, name)
    if feed is None or not feed.enabled:
        raise FeedAdminError(Problem.NOT_FOUND, name)
    if feed.origin != "chat":
        raise FeedAdminError(Problem.FROM_FILE, name)
    return await store.remove_chat_feed(session, feed, now)


@dataclass(frozen=True)
class SyncSummary:
    """What a sync did, counted over all feeds; the failures are kept whole."""

    feeds: int
    updated: int
    unchanged: int
    added: int
    changed: int
    withdrawn: int
    items: int
    failures: tuple[FeedReport, ...]

    @property
    def synced(self) -> int:
        return self.feeds - len(self.failures)

    @classmethod
    def of(cls, reports: list[FeedReport]) -> SyncSummary:
        done = [report for report in reports if report.ok]
        unchanged = sum(report.status in ("unchanged", "not_modified") for report in done)
        return cls(
            feeds=len(reports), updated=len(done) - unchanged, unchanged=unchanged,
            added=sum(r.added for r in done), changed=sum(r.changed for r in done),
            withdrawn=sum(r.withdrawn for r in done), items=sum(r.total for r in done),
            failures=tuple(report for report in reports if not report.ok),
        )

    def line(self) -> str:
        """The operator's summary line (the chat renders its own, translated)."""
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (f"{self.synced} of {self.feeds} feeds synced ({self.updated} updated, "
                f"{self.unchanged} unchanged{failed}); items: {self.added} new, "
                f"{self.changed} changed, {self.withdrawn} withdrawn, {self.items} in total")


@dataclass(frozen=True)
class FeedsOverview:
    """The enabled feeds at a glance: counts, the latest success, and the failing ones."""

    feeds: int
    items: int
    last_success: datetime | None
    never_synced: int
    failing: tuple[tuple[str, str], ...]  # (name, last error)


async def overview(session: AsyncSession) -> FeedsOverview:
    feeds = [feed for feed in await store.list_feeds(session) if feed.enabled]
    successes = [feed.last_success_at for feed in feeds if feed.last_success_at is not None]
    return FeedsOverview(
        feeds=len(feeds), items=sum(feed.item_count for feed in feeds),
        last_success=max(successes, default=None),
        never_synced=sum(feed.last_success_at is None and not feed.last_error for feed in feeds),
        failing=tuple((feed.name, feed.last_error) for feed in feeds if feed.last_error),
    )
