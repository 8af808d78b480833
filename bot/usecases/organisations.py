"""/org: administrators create organisations; organizers (and administrators) invite
co-organizers and set an organisation's yearly target; everyone lists theirs.

Each function is one unit of work; a rule's no is a `Refusal` (unknown organisation, not
an organizer, not an administrator, a target out of range).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import orgs
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import Organisation


@dataclass(frozen=True)
class OrganisationView:
    id: int
    name: str


@dataclass(frozen=True)
class Invited:
    organisation: str  # its name
    token: str  # the payload of the link: org_<token>


async def _named(session: AsyncSession, name_or_id: str) -> Organisation:
    found = await orgs.find_organisation(session, name_or_id)
    if found is None:
        raise Refusal("org_unknown")
    return found


async def create(db: Database, user_id: int, name: str, *, is_admin: bool) -> OrganisationView:
    """/org new NAME (administrators)."""
    async with db.transaction() as session:
        created = await orgs.create_organisation(session, name, actor_id=user_id,
                                                 is_admin=is_admin)
        return OrganisationView(created.id, created.name)


async def invite(db: Database, user_id: int, name_or_id: str, *, is_admin: bool,
                 many: bool) -> Invited:
    """/org invite NAME|ID [many]: a link that makes someone an organizer of it."""
    async with db.transaction() as session:
        organisation = await _named(session, name_or_id)
        made = await orgs.create_invite(session, organisation.id, actor_id=user_id,
                                        is_admin=is_admin, single_use=not many)
        return Invited(organisation.name, made.token)


async def set_target(db: Database, user_id: int, name_or_id: str, minutes: int | None, *,
                     is_admin: bool) -> str:
    """/org target NAME HOURS (`minutes` None: HOURS was not a duration); the name."""
    async with db.transaction() as session:
        organisation = await _named(session, name_or_id)
        if minutes is None:
            raise Refusal("target_range")
        await orgs.set_target(session, organisation.id, minutes, actor_id=user_id,
                              is_admin=is_admin)
        return organisation.name


async def mine(db: Database, user_id: int, *, is_admin: bool) -> tuple[OrganisationView, ...]:
    """/org: the organisations one organizes (administrators: all of them)."""
    async with db.transaction() as session:
        found = (await orgs.list_organisations(session) if is_admin
                 else await orgs.organisations_of(session, user_id))
        return tuple(OrganisationView(o.id, o.name) for o in found)
