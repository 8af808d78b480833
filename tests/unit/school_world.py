"""A small world for school tests: users, an administrator, organisations with a teacher
each (one call instead of the same dozen lines in every test module)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import orgs
from bot.services.users import SeenUser, touch_user
from bot.storage.models import Membership, Organisation


async def school_world(session: AsyncSession, users: tuple[int, ...], *, admin: int,
                       teachers: dict[str, int]) -> list[Organisation]:
    """Touch `users` (`admin` an administrator), create an organisation per name in
    `teachers` with that teacher as its organizer; the organisations, in order."""
    for uid in users:
        await touch_user(session, SeenUser(uid, f"User {uid}", None, "en"),
                         is_admin=uid == admin)
    created = []
    for name, teacher in teachers.items():
        organisation = await orgs.create_organisation(session, name, actor_id=admin,
                                                      is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=teacher))
        created.append(organisation)
    await session.flush()
    return created
