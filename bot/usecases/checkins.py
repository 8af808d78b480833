"""Joining by a deep link: an organizer's invitation, or a pupil's check-in at an event.

A check-in stores verified hours at once (bot/services/checkins.py), which may earn a
badge: awarded here, in the same transaction, so the hours service never calls the
badges (no import cycle hours -> badges -> playlists -> checkins -> hours).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import checkins, orgs
from bot.services.badges import award_automatic
from bot.storage.db import Database
from bot.storage.models import utcnow


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
