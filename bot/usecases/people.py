"""Who someone is to Takas: what the Mini App asks first (`GET /api/me`).

Opening the Mini App counts as being seen, like writing to the bot: the user is created
or refreshed (name, Telegram's language), so later calls can rely on the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.services import orgs, users
from bot.services.users import SeenUser
from bot.storage.db import Database
from bot.storage.models import HourEntry, Pupil


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
