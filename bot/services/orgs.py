"""Organisations and their organizers: created by admins, joined through invite links."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.storage.dbtools import rowcount
from bot.storage.models import (
    HourEntry,
    Invite,
    Membership,
    Organisation,
    Pupil,
    Role,
    User,
    utcnow,
)
from bot.text import is_id

INVITE_DAYS = 7
MAX_NAME = 200


async def create_organisation(session: AsyncSession, name: str, *, actor_id: int,
                              is_admin: bool) -> Organisation:
    if not is_admin:
        raise Refusal("admins_only")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Refusal("org_name", limit=MAX_NAME)
    if (await session.scalars(select(Organisation).where(Organisation.name == name))).first():
        raise Refusal("org_exists", name=name)
    organisation = Organisation(name=name, created_by=actor_id)
    session.add(organisation)
    await session.flush()
    audit.record(session, "org.created", actor_id=actor_id, organisation_id=organisation.id,
                 name=name)
    return organisation


async def set_target(session: AsyncSession, organisation_id: int, minutes: int, *,
                     actor_id: int, is_admin: bool) -> Organisation:
    """The school's yearly target for its pupils (organizers of it, or admins)."""
    if not is_admin and not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    if not 0 < minutes <= 1000 * 60:
        raise Refusal("target_range")
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise Refusal("org_unknown")
    organisation.yearly_target_minutes = minutes
    audit.record(session, "org.target", actor_id=actor_id, organisation_id=organisation_id,
                 minutes=minutes)
    return organisation


async def find_organisation(session: AsyncSession, name_or_id: str) -> Organisation | None:
    if is_id(name_or_id):
        found = await session.get(Organisation, int(name_or_id))
        if found is not None:
            return found
    query = select(Organisation).where(Organisation.name == " ".join(name_or_id.split()))
    return (await session.scalars(query)).first()


async def name_of(session: AsyncSession, organisation_id: int | None) -> str | None:
    """The organisation's name (None: no such organisation)."""
    if organisation_id is None:
        return None
    organisation = await session.get(Organisation, organisation_id)
    return organisation.name if organisation else None


async def list_organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.scalars(select(Organisation).order_by(Organisation.name))).all())


PICKER_SIZE = 6  # organisations one /log question offers as buttons
SEARCH_CUTOFF = 70  # rapidfuzz WRatio (0-100) below which a name does not match


async def picker_organisations(session: AsyncSession, user_id: int) -> list[Organisation]:
    """What /log offers first: the pupil's own schools (rosters they are on), then the
    organisations they logged with, most recent first; every organisation when there are
    no more than fit (a small deployment needs no search)."""
    everything = await list_organisations(session)
    if len(everything) <= PICKER_SIZE:
        return everything
    own = select(Pupil.organisation_id).where(Pupil.user_id == user_id)
    recent = (select(HourEntry.organisation_id, func.max(HourEntry.created_at).label("last"))
              .where(HourEntry.user_id == user_id).group_by(HourEntry.organisation_id)
              .order_by(func.max(HourEntry.created_at).desc()).limit(PICKER_SIZE))
    ids = [*(await session.scalars(own)).all(),
           *(row[0] for row in (await session.execute(recent)).all())]
    by_id = {organisation.id: organisation for organisation in everything}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id][:PICKER_SIZE]


async def search_organisations(session: AsyncSession, text: str) -> list[Organisation]:
    """Organisations whose name is like `text`, best first: typos, missing diacritics and
    word order forgiven ('utenos gimnazja' finds 'Utenos gimnazija')."""
    from rapidfuzz import fuzz, process

    from catalog.search.normalize import fold

    wanted = fold(text)
    if not wanted.strip():
        return []
    everything = await list_organisations(session)
    names = {organisation.id: fold(organisation.name) for organisation in everything}
    by_id = {organisation.id: organisation for organisation in everything}
    found = process.extract(wanted, names, scorer=fuzz.WRatio, limit=PICKER_SIZE,
                            score_cutoff=SEARCH_CUTOFF)
    return [by_id[key] for _name, _score, key in found]


async def organisations_of(session: AsyncSession, user_id: int) -> list[Organisation]:
    """The organisations `user_id` organizes for."""
    query = (select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
             .where(Membership.user_id == user_id).order_by(Organisation.name))
    return list((await session.scalars(query)).all())


async def organizes_anything(session: AsyncSession, user_id: int) -> bool:
    """Whether `user_id` is an organizer of at least one organisation."""
    query = select(Membership.id).where(Membership.user_id == user_id).limit(1)
    return (await session.scalar(query)) is not None


async def is_organizer(session: AsyncSession, user_id: int, organisation_id: int) -> bool:
    query = select(Membership.id).where(Membership.user_id == user_id,
                                        Membership.organisation_id == organisation_id)
    return (await session.scalar(query)) is not None


async def organizer_ids(session: AsyncSession, organisation_id: int) -> list[int]:
    query = select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return list((await session.scalars(query)).all())


async def create_invite(session: AsyncSession, organisation_id: int, *, actor_id: int,
                        is_admin: bool, single_use: bool = True, days: int = INVITE_DAYS,
                        now: datetime | None = None) -> Invite:
    """An invite link token; admins and the organisation's organizers may create one."""
    if not is_admin and not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    now = now or utcnow()
    invite = Invite(token=secrets.token_urlsafe(18), organisation_id=organisation_id,
                    created_by=actor_id, single_use=single_use,
                    expires_at=now + timedelta(days=days))
    session.add(invite)
    await session.flush()
    audit.record(session, "invite.created", actor_id=actor_id, organisation_id=organisation_id,
                 single_use=single_use, days=days)
    return invite


async def accept_invite(session: AsyncSession, token: str, user_id: int,
                        now: datetime | None = None) -> Organisation:
    """Make `user_id` an organizer; opening the same link twice is harmless.

    The database decides who uses a single-use invite: one conditional UPDATE counts the
    use only while `uses = 0` (and the link is not expired), and only the transaction whose
    UPDATE changed the row goes on. A check in Python first would let every process that
    read `uses = 0` before the first commit through (four organizers from one link)."""
    now = now or utcnow()
    invite = (await session.scalars(select(Invite).where(Invite.token == token))).first()
    if invite is None:
        raise Refusal("invite_invalid")
    organisation = await session.get(Organisation, invite.organisation_id)
    if organisation is None:
        raise Refusal("invite_invalid")
    if await is_organizer(session, user_id, organisation.id):
        return organisation
    used = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.expires_at > now,
               or_(Invite.single_use.is_(False), Invite.uses == 0))
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False))
    if rowcount(used) != 1:
        # Expired, or used by whoever got there first: this very person, on a double tap
        # (their row is committed by now: the UPDATE waited for it).
        if await is_organizer(session, user_id, organisation.id):
            return organisation
        raise Refusal("invite_expired")
    try:
        async with session.begin_nested():
            session.add(Membership(organisation_id=organisation.id, user_id=user_id))
    except IntegrityError:  # the same user accepting a multi-use link twice at once
        return organisation
    user = await session.get(User, user_id)
    if user is not None and user.role == Role.LEARNER.value:
        user.role = Role.ORGANIZER.value
    audit.record(session, "organizer.joined", actor_id=user_id, organisation_id=organisation.id)
    return organisation
