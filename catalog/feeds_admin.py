"""Rules for feeds that admins manage in chat: add (public addresses only) and remove."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catalog import store
from catalog.fetch import check_public_url
from catalog.model import FeedError
from catalog.registry import FeedSpec, RegistryError, parse_format, validate_name
from catalog.tables import Feed


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
