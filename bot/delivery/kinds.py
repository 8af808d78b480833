"""Message kinds: the one road for messages to anyone but the chat being answered.

A notice to someone else (an organizer's verification request, a pupil's outcome, a
digest, a badge) is queued in the outbox as a *kind* and a *reference* (an hour entry's
id, a digest's id, ...), inside the transaction of the use case that caused it. Nothing
is rendered then: at send time the sender asks the `Kinds` registry, which looks up the
recipient's CURRENT language and calls the renderer registered for the kind, so a
recipient who switched language meanwhile reads it in the new one, and something
decided or deleted meanwhile is rendered as it is now (or not sent: no parts).

Usage:

    # in a use case, inside its one transaction
    await kinds.enqueue(session, kinds.VERIFY_REQUEST, entry.id, chat_id=organizer_id)

    # where the renderer lives: a handlers module listed in handlers.NOTICES
    async def render_request(notice: Notice) -> list[Part]:
        view = await verification.request_view(notice.db, int(notice.ref))
        return [Part(text=..., reply_markup=...)] if view else []

    def renderers(application: TakasApplication) -> dict[str, Renderer]:
        return {kinds.VERIFY_REQUEST: render_request}

Because the outbox is the road, polling, webhook and console behave the same, and a
message Telegram refused for a moment (5xx, timeout, 429) is sent again later by the
sender instead of being lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import I18n
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import User

# Known kinds (at most outbox.KIND_LENGTH characters), with what their reference is.
VERIFY_REQUEST = "verify_request"  # an hour entry's id; to one of its organizers
VERIFY_OUTCOME = "verify_outcome"  # an hour entry's id; to its pupil, once decided
VERIFY_DIGEST = "verify_digest"  # a verification digest's id; to the organizer it lists for
VERIFY_REMINDER = "verify_reminder"  # the day it was queued; to an organizer whose entries wait
BADGE = "badge"  # a badge award's id; to its learner (bot/delivery/badges.py)
ATTENDED = "attended"  # an hour entry an organizer recorded by attendance; to its pupil
TARGET_REMINDER = "target_reminder"  # a pupil's id; to that pupil, behind their target
# Alerts and alert digests: bot/usecases/alerts.py (ALERT, DIGEST); an organizer's
# announcement to one recipient: bot/usecases/broadcasts.py (ANNOUNCEMENT).

# Notices go after replies to people waiting in a chat (outbox.REPLY_PRIORITY) but before
# broadcasts and alerts: a verification request must not wait behind 3,000 announcements.
NOTICE_PRIORITY = 5


@dataclass(frozen=True)
class Part:
    """One Bot API message of a rendered notice: a text, a photo with `text` as its
    caption, or a document (`document` bytes named `filename`) with `text` as caption."""

    text: str = ""  # Telegram HTML, escaped by the renderer
    reply_markup: InlineKeyboardMarkup | None = None
    photo_file_id: str | None = None
    document: bytes | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Notice:
    """What a renderer gets: the row's kind and reference, its recipient and language
    (already in effect for `_()`), and the database to read what it refers to."""

    kind: str
    ref: str
    chat_id: int
    language: str
    db: Database


Renderer = Callable[[Notice], Awaitable[Sequence[Part]]]


class Kinds:
    """The renderers of one application, by kind."""

    def __init__(self, db: Database, i18n: I18n) -> None:
        self.db, self.i18n = db, i18n
        self._renderers: dict[str, Renderer] = {}

    def register(self, kind: str, renderer: Renderer) -> None:
        if not 0 < len(kind) <= outbox.KIND_LENGTH:
            raise ValueError(f"kind must be 1 to {outbox.KIND_LENGTH} characters")
        if kind in self._renderers and self._renderers[kind] is not renderer:
            raise ValueError(f"the kind {kind!r} has a renderer already")
        self._renderers[kind] = renderer

    def __contains__(self, kind: object) -> bool:
        return kind in self._renderers

    async def language_of(self, chat_id: int) -> str:
        """The recipient's current language (a private chat's id is its user's id)."""
        async with self.db.transaction() as session:
            return (await self.languages(session, [chat_id]))[chat_id]

    async def languages(self, session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, str]:
        """The current language of each chat's recipient, in one query (the sender's, for
        a batch it claims, in the claim's transaction)."""
        wanted = set(chat_ids)
        people = [chat for chat in wanted if chat > 0]
        users = {row.id: row for row in (await session.execute(
            select(User.id, User.language, User.telegram_language).where(
                User.id.in_(people)))).all()} if people else {}
        return {chat: self.i18n.language_of(users.get(chat)) for chat in wanted}

    async def render(self, kind: str, ref: str, chat_id: int,
                     language: str | None = None) -> list[Part]:
        """The messages to send now for a row; empty when there is nothing to send any
        more (what it refers to was decided, revoked or deleted meanwhile). `language`:
        the recipient's, when the caller just read it."""
        renderer = self._renderers[kind]
        language = language or await self.language_of(chat_id)
        with self.i18n.use(language):
            return list(await renderer(Notice(kind, ref, chat_id, language, self.db)))


async def enqueue(session: AsyncSession, kind: str, ref: int | str, *, chat_id: int,
                  key: str | None = None, not_before: datetime | None = None) -> bool:
    """Queue a notice of `kind` about `ref` for `chat_id` in the caller's transaction;
    idempotent per (kind, ref, chat) unless `key` says otherwise; not sent before
    `not_before` (the end of quiet hours, say). True if added."""
    return await outbox.enqueue(
        session, dedupe_key=key or f"{kind}:{ref}:{chat_id}", chat_id=chat_id, kind=kind,
        text=str(ref), priority=NOTICE_PRIORITY, not_before=not_before)


async def enqueue_to_many(session: AsyncSession, kind: str, ref: int | str,
                          chat_ids: Sequence[int], *, priority: int = 0,
                          broadcast_id: int | None = None) -> int:
    """Queue the same `ref` of `kind` for many chats (an announcement to its audience),
    after the notices (`priority` 0 by default); idempotent per (kind, ref, chat). With
    `broadcast_id` the rows count in that broadcast's progress and go with its Cancel.
    The number of rows added."""
    rows = [(f"{kind}:{ref}:{chat_id}", chat_id, str(ref)) for chat_id in chat_ids]
    return await outbox.enqueue_many(session, kind, rows, priority=priority,
                                     broadcast_id=broadcast_id)
