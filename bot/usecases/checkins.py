"""Check-in codes and invitations: an organizer opens a code for an event (/checkin); a
pupil checks in by its deep link; an organizer's invitation is accepted by its link.

A check-in stores verified hours at once (bot/services/checkins.py), which may earn a
badge: awarded here, in the same transaction, so the hours service never calls the
badges (no import cycle hours -> badges -> playlists -> checkins -> hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.services import checkins, orgs
from bot.services.badges import award_automatic
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import CheckIn


@dataclass(frozen=True)
class CheckinCode:
    """An open check-in code as the organizer's message shows it."""

    code: str  # the payload of the link: ci_<code>
    title: str
    minutes: int
    organisation: str
    ends_at: datetime


async def code_view(session: AsyncSession, code: CheckIn) -> CheckinCode:
    organisation = await orgs.name_of(session, code.organisation_id)
    return CheckinCode(code.code, code.title, code.minutes, organisation or "", code.ends_at)


async def open_checkin(db: Database, user_id: int, title: str, minutes: int) -> CheckinCode:
    """/checkin HOURS TITLE: a code for an event happening now, for the organizer's first
    organisation (a `Refusal` when they organize none, or for a title or hours out of
    range)."""
    async with db.transaction() as session:
        mine = await orgs.organisations_of(session, user_id)
        if not mine:
            raise Refusal("not_your_org")
        code = await checkins.create_checkin(session, mine[0].id, actor_id=user_id,
                                             title=title, minutes=minutes)
        return CheckinCode(code.code, code.title, code.minutes, mine[0].name, code.ends_at)


@dataclass(frozen=True)
class CheckedIn:
    minutes: int
    activity: str
    new: bool  # False: already checked in with this code


async def check_in(db: Database, code: str, user_id: int) -> CheckedIn:
    """Check in with an event's code (a `Refusal` if it is unknown or closed)."""
    async with db.transaction() as session:
        entry, new = await checkins.check_in(session, code, user_id)
        if new:
            await award_automatic(session, user_id, entry.decided_at or utcnow())
        return CheckedIn(entry.minutes, entry.activity, new)


async def accept_invite(db: Database, token: str, user_id: int) -> str:
    """Become an organizer by an invitation (a `Refusal` if it is not valid); the
    organisation's name."""
    async with db.transaction() as session:
        organisation = await orgs.accept_invite(session, token, user_id)
        return organisation.name
