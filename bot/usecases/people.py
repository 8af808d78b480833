"""Who someone is to Takas: the sender of every update (recorded first, by the middleware),
whether they organize anything (the learners' gate, /help), and what the Mini App asks
first (`GET /api/me`).

Opening the Mini App counts as being seen, like writing to the bot: the user is created
or refreshed (name, Telegram's language), so later calls can rely on the row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import orgs, users, waiting
from bot.services.users import KnownSender, SeenUser
from bot.services.waiting import Expecting
from bot.storage.db import Database
from bot.storage.models import HourEntry, Pupil


@dataclass(frozen=True)
class Sender:
    """The sender of an update as stored after it was seen."""

    language: str | None  # chosen with /language; None: Telegram's
    telegram_language: str | None
    expecting: Expecting | None  # what waits for their typed text (when it was asked)


# Senders read ahead by the transport, with the update's claim (the webhook's inbox
# processor): `seen` then needs no transaction of its own.
_known: ContextVar[Mapping[int, KnownSender] | None] = ContextVar("takas_known_senders",
                                                                  default=None)


@contextmanager
def known(senders: Mapping[int, KnownSender]) -> Iterator[None]:
    """Within the block, `seen` takes these senders as read ahead (the caller read them
    in the transaction that claimed the update, and nothing of theirs ran since)."""
    token = _known.set(senders)
    try:
        yield
    finally:
        _known.reset(token)


async def seen(db: Database, sender: SeenUser, *, is_admin: bool,
               expecting: bool) -> Sender:
    """An update's first unit of work: record the sender (first contact, name, Telegram's
    language, last seen; an ADMIN_IDS entry makes an admin) and, if `expecting`, read what
    waits for their typed text, so the update's flows need not ask again.

    When the transport read the sender ahead (`known`), recording them is put off to the
    update's next transaction (`Database.defer`): no transaction of its own."""
    ahead = (_known.get() or {}).get(sender.id)
    if ahead is not None:
        async def record(session: AsyncSession) -> None:
            await users.record_seen(session, sender, is_admin=is_admin)

        await db.defer(record)
        # As the row will be: the chosen language kept, Telegram's as this update says.
        return Sender(ahead.language, sender.telegram_language or None,
                      ahead.expecting if expecting else None)
    async with db.transaction() as session:
        user = await users.touch_user(session, sender, is_admin=is_admin)
        waits = await waiting.get(session, sender.id) if expecting else None
        return Sender(user.language, user.telegram_language, waits)


async def organizes(db: Database, user_id: int) -> bool:
    """Whether the user is an organizer of at least one organisation."""
    async with db.transaction() as session:
        return await orgs.organizes_anything(session, user_id)


@dataclass(frozen=True)
class Who:
    id: int
    first_name: str
    language: str | None  # chosen with /language; None: Telegram's
    telegram_language: str | None
    roles: tuple[str, ...]  # learner, pupil, organizer, admin
    organisations: tuple[tuple[int, str, bool], ...]  # (id, name, is_school) they organize


async def who(db: Database, seen: SeenUser, *, is_admin: bool) -> Who:
    async with db.transaction() as session:
        user = await users.touch_user(session, seen, is_admin=is_admin)
        organised = await orgs.organisations_of(session, seen.id)
        logged = await session.scalar(select(func.count()).select_from(HourEntry).where(
            HourEntry.user_id == seen.id))
        listed = await session.scalar(select(func.count()).select_from(Pupil).where(
            Pupil.user_id == seen.id))
        roles = ["learner"]
        if logged or listed:
            roles.append("pupil")
        if organised:
            roles.append("organizer")
        if is_admin:
            roles.append("admin")
        return Who(user.id, user.first_name, user.language, user.telegram_language,
                   tuple(roles), tuple((o.id, o.name, o.is_school) for o in organised))
