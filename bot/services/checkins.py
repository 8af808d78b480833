"""Check-in codes: an organizer opens a code for an event; pupils who open
`t.me/<bot>?start=ci_<code>` while it runs get its hours, verified at once."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.services.hours import DAY_MINUTES, MAX_ACTIVITY, NewEntry, log_entry, today
from bot.services.orgs import is_organizer
from bot.storage.models import CheckIn, HourEntry, utcnow

MAX_CHECKIN_HOURS = 12


async def create_checkin(session: AsyncSession, organisation_id: int, *, actor_id: int,
                         title: str, minutes: int, hours_open: float = 12,
                         now: datetime | None = None,
                         playlist_item_id: int | None = None) -> CheckIn:
    """A code valid from now for `hours_open` hours, worth `minutes` to each pupil (and
    counting for the learning-playlist item `playlist_item_id`, if given)."""
    now = now or utcnow()
    if not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    title = " ".join(title.split())
    if not title or len(title) > MAX_ACTIVITY:
        raise Refusal("activity_empty" if not title else "activity_long", limit=MAX_ACTIVITY)
    if not 0 < minutes <= min(DAY_MINUTES, MAX_CHECKIN_HOURS * 60):
        raise Refusal("hours_range")
    checkin = CheckIn(code=secrets.token_urlsafe(9), organisation_id=organisation_id,
                      title=title, minutes=minutes, starts_at=now,
                      ends_at=now + timedelta(hours=hours_open), created_by=actor_id,
                      playlist_item_id=playlist_item_id)
    session.add(checkin)
    await session.flush()
    audit.record(session, "checkin.created", actor_id=actor_id,
                 organisation_id=organisation_id, at=now, code_id=checkin.id,
                 minutes=minutes)
    return checkin


async def open_code(session: AsyncSession, playlist_item_id: int, *, created_by: int,
                    minutes: int, now: datetime | None = None) -> CheckIn | None:
    """The code `created_by` opened for a learning-playlist item with these minutes, if it
    is still open (pressing again finds it instead of opening a second one)."""
    now = now or utcnow()
    return (await session.scalars(select(CheckIn).where(
        CheckIn.playlist_item_id == playlist_item_id, CheckIn.created_by == created_by,
        CheckIn.minutes == minutes, CheckIn.ends_at > now))).first()


async def check_in(session: AsyncSession, code: str, user_id: int,
                   now: datetime | None = None) -> tuple[HourEntry, bool]:
    """The pupil's verified entry for the code (one per pupil and code)."""
    now = now or utcnow()
    checkin = (await session.scalars(select(CheckIn).where(CheckIn.code == code))).first()
    if checkin is None:
        raise Refusal("code_invalid")
    if not checkin.starts_at <= now <= checkin.ends_at:
        raise Refusal("code_closed")
    if checkin.created_by == user_id:
        raise Refusal("own_hours")
    return await log_entry(session, NewEntry(
        user_id=user_id, organisation_id=checkin.organisation_id, activity=checkin.title,
        day=today(now), minutes=checkin.minutes, key=f"checkin:{checkin.id}:{user_id}",
        checkin_id=checkin.id, approved_by=checkin.created_by,
        playlist_item_id=checkin.playlist_item_id,
    ), now)
