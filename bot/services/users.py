"""Users: remember who talks to the bot, their language and role."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.waiting import Expecting
from bot.storage.dbtools import insert_for
from bot.storage.models import Role, User, Waiting, utcnow


@dataclass(frozen=True)
class SeenUser:
    """What the bot knows of the sender of an update."""

    id: int
    first_name: str
    username: str | None
    telegram_language: str | None


def _upsert(session: AsyncSession, seen: SeenUser, is_admin: bool, now: datetime) -> Any:
    values = {
        "first_name": seen.first_name[:256],
        "username": seen.username,
        "telegram_language": (seen.telegram_language or None),
        "seen_at": now,
    }
    insert = insert_for(session)
    statement = insert(User).values(
        id=seen.id,
        created_at=now,
        role=(Role.ADMIN if is_admin else Role.LEARNER).value,
        language=None,
        **values,
    )
    # An admin listed in ADMIN_IDS is admin; someone removed from it falls back to learner;
    # organizers and learners keep their role. One statement, on every update.
    role = (literal(Role.ADMIN.value) if is_admin else
            case((User.role == Role.ADMIN.value, literal(Role.LEARNER.value)),
                 else_=User.role))
    return statement.on_conflict_do_update(index_elements=[User.id],
                                           set_={**values, "role": role})


async def touch_user(
    session: AsyncSession, seen: SeenUser, *, is_admin: bool, now: datetime | None = None
) -> User:
    """Create the user on first contact, refresh name, language code and last-seen after."""
    statement = _upsert(session, seen, is_admin, now or utcnow()).returning(User)
    # populate_existing: the session may hold this user from earlier; take the fresh row.
    user: User = (await session.scalars(
        statement, execution_options={"populate_existing": True})).one()
    return user


async def record_seen(session: AsyncSession, seen: SeenUser, *, is_admin: bool) -> None:
    """`touch_user` for a caller that needs nothing back (the record of every update's
    sender): one statement, no row loaded."""
    await session.execute(_upsert(session, seen, is_admin, utcnow()))


async def set_language(session: AsyncSession, user_id: int, language: str | None) -> None:
    """Store the user's chosen language (None: follow Telegram's language again)."""
    await session.execute(update(User).where(User.id == user_id).values(language=language))


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


@dataclass(frozen=True)
class KnownSender:
    """What an update's handling needs first of its sender, read ahead of it."""

    language: str | None  # chosen with /language; None: Telegram's
    expecting: Expecting | None  # what waits for their typed text


async def known_senders(session: AsyncSession,
                        user_ids: Collection[int]) -> dict[int, KnownSender]:
    """Each sender's chosen language and what waits for their text, in one query; one not
    stored yet is a first contact (no language, nothing waits)."""
    if not user_ids:
        return {}
    rows = (await session.execute(
        select(User.id, User.language, Waiting.flow, Waiting.state)
        .outerjoin(Waiting, Waiting.user_id == User.id)
        .where(User.id.in_(list(user_ids))))).all()
    found = {row.id: KnownSender(row.language, Expecting(row.flow, dict(row.state or {}))
                                 if row.flow is not None else None) for row in rows}
    return {user_id: found.get(user_id, KnownSender(None, None)) for user_id in user_ids}
