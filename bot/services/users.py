"""Users: remember who talks to the bot, their language and role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, literal, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dbtools import insert_for
from bot.storage.models import Role, User, utcnow


@dataclass(frozen=True)
class SeenUser:
    """What the bot knows of the sender of an update."""

    id: int
    first_name: str
    username: str | None
    telegram_language: str | None


async def touch_user(
    session: AsyncSession, seen: SeenUser, *, is_admin: bool, now: datetime | None = None
) -> User:
    """Create the user on first contact, refresh name, language code and last-seen after."""
    now = now or utcnow()
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
    statement = statement.on_conflict_do_update(
        index_elements=[User.id], set_={**values, "role": role}
    ).returning(User)
    # populate_existing: the session may hold this user from earlier; take the fresh row.
    user: User = (await session.scalars(
        statement, execution_options={"populate_existing": True})).one()
    return user


async def set_language(session: AsyncSession, user_id: int, language: str | None) -> None:
    """Store the user's chosen language (None: follow Telegram's language again)."""
    await session.execute(update(User).where(User.id == user_id).values(language=language))


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)
