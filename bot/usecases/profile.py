"""A person's own record: the /profile card and its fields, everything stored about them
(/mydata) and erasing it (/forgetme). Each function is one unit of work; the card leaves
as a `ProfileView`, never as the user's row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services import privacy, profiles
from bot.storage.db import Database
from bot.storage.models import User

FIELDS = profiles.FIELDS  # what /profile can change, by name


@dataclass(frozen=True)
class ProfileView:
    """The /profile card (the same fields as the user's row)."""

    school: str | None
    grade: str | None
    municipality: str | None
    yearly_target_minutes: int | None
    target_reminders: bool
    full_name: str | None


def view_of(user: User) -> ProfileView:
    return ProfileView(user.school, user.grade, user.municipality, user.yearly_target_minutes,
                       user.target_reminders, user.full_name)


async def profile(db: Database, user_id: int) -> ProfileView | None:
    """The card; None for someone the bot has not met."""
    async with db.transaction() as session:
        user = await profiles.profile_of(session, user_id)
        return None if user is None else view_of(user)


async def set_field(db: Database, user_id: int, field: str, value: str) -> ProfileView | None:
    """Store `value` as `field` (one of FIELDS) and return the card; a `Refusal` when the
    value is not valid (nothing is stored)."""
    async with db.transaction() as session:
        user = await profiles.set_field(session, user_id, field, value)
        return None if user is None else view_of(user)


async def personal_data(db: Database, user_id: int) -> dict[str, Any]:
    """Everything stored about the person, JSON-ready (/mydata)."""
    async with db.transaction() as session:
        return await privacy.personal_data(session, user_id)


async def forget(db: Database, user_id: int) -> int:
    """Erase the person (bot/services/privacy.py says what stays, anonymised), then empty
    SQLite's write-ahead log, whose bytes would keep the erased rows; how many approved
    entries were kept."""
    async with db.transaction() as session:
        kept = await privacy.forget(session, user_id)
    await db.checkpoint()
    return kept
