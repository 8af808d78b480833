"""Attendance: an organizer records who took part in an activity; each pupil gets an entry,
approved at once and attributed to the organizer. This is how pupils who are not on
Telegram (roster pupils) get hours.

Rules (refusals are `Refusal`s): the organizer organizes the organisation and every pupil
is on its roster; the activity, hours and day follow the rules of logged hours
(bot/services/hours.py), including at most 24 hours a day per pupil; nobody records their
own hours (such a pupil is skipped); the same recording (idempotency key) never makes a
second entry for a pupil. What follows a recording (badges the approved hours earn, the
pupil's notice) is the use case's (bot/usecases/attendance.py): this module orchestrates
no other service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.services.hours import DAY_MINUTES, MAX_ACTIVITY, check_day
from bot.services.orgs import is_organizer
from bot.storage.dbtools import lock_row
from bot.storage.models import EntryStatus, HourEntry, Pupil, utcnow


@dataclass(frozen=True)
class Recorded:
    pupil_id: int
    entry_id: int | None  # None: skipped (the organizer's own record, or the day is full)
    new: bool
    skipped: str | None = None  # the refusal code when skipped
    user_id: int | None = None  # the pupil's Telegram account, if they have one


def clean_activity(text: str) -> str:
    activity = " ".join(text.split())
    if not activity:
        raise Refusal("activity_empty")
    if len(activity) > MAX_ACTIVITY:
        raise Refusal("activity_long", limit=MAX_ACTIVITY)
    return activity


async def record(session: AsyncSession, organisation_id: int, pupil_ids: list[int], *,
                 actor_id: int, activity: str, day: date, minutes: int, key: str,
                 now: datetime | None = None) -> list[Recorded]:
    """One approved entry per pupil; `key` names this recording (one per draft)."""
    now = now or utcnow()
    if not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    activity = clean_activity(activity)
    if not 0 < minutes <= DAY_MINUTES:
        raise Refusal("hours_range")
    check_day(day, now)
    results: list[Recorded] = []
    for pupil_id in dict.fromkeys(pupil_ids):  # each pupil once, in the order given
        pupil = await session.get(Pupil, pupil_id)
        if pupil is None or pupil.organisation_id != organisation_id:
            raise Refusal("pupil_unknown")
        results.append(await _record_one(session, pupil, actor_id=actor_id, activity=activity,
                                         day=day, minutes=minutes, key=f"{key}:{pupil.id}",
                                         now=now))
    return results


async def _record_one(session: AsyncSession, pupil: Pupil, *, actor_id: int, activity: str,
                      day: date, minutes: int, key: str, now: datetime) -> Recorded:
    if pupil.user_id == actor_id:
        return Recorded(pupil.id, None, False, "own_hours")
    existing = await _by_key(session, key)
    if existing is not None:
        return Recorded(pupil.id, existing.id, False, user_id=pupil.user_id)
    # One pupil's day cap holds across processes: the sum and the insert run under the
    # roster record's lock (as the pupil's own logging runs under their user row's).
    await lock_row(session, Pupil.id, pupil.id, Pupil.full_name)
    existing = await _by_key(session, key)
    if existing is not None:
        return Recorded(pupil.id, existing.id, False, user_id=pupil.user_id)
    owner = [HourEntry.pupil_id == pupil.id]
    if pupil.user_id is not None:
        owner.append(HourEntry.user_id == pupil.user_id)
    logged = int(await session.scalar(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            or_(*owner), HourEntry.day == day,
            HourEntry.status != EntryStatus.REJECTED.value)) or 0)
    if logged + minutes > DAY_MINUTES:
        return Recorded(pupil.id, None, False, "day_full", user_id=pupil.user_id)
    row = HourEntry(user_id=pupil.user_id, pupil_id=pupil.id,
                    organisation_id=pupil.organisation_id, activity=activity, day=day,
                    minutes=minutes, status=EntryStatus.APPROVED.value, decided_by=actor_id,
                    decided_at=now, idempotency_key=key, created_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        twin = await _by_key(session, key)
        if twin is None:
            raise
        return Recorded(pupil.id, twin.id, False, user_id=pupil.user_id)
    audit.record(session, "entry.attendance", actor_id=actor_id, entry_id=row.id,
                 organisation_id=pupil.organisation_id, at=now, minutes=minutes,
                 pupil_id=pupil.id)
    return Recorded(pupil.id, row.id, True, user_id=pupil.user_id)


async def _by_key(session: AsyncSession, key: str) -> HourEntry | None:
    return (await session.scalars(
        select(HourEntry).where(HourEntry.idempotency_key == key))).first()
