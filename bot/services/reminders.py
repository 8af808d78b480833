"""Gentle reminders to pupils behind their yearly target: the rules of who is behind, when
the next reminder may go, and who is to be looked at.

- A pupil's target is the one /hours shows: their grade's at their school this school
  year, else the one they set in /profile, else that of an organisation they logged with
  this school year (`pick_target`). No target, no reminder.
- The pace: the target is due by the end of May (schools copy pass or fail into the
  e-diary in June), so after each full month since 1 September a pupil on pace has a
  ninth more of it. Nothing is expected in September (the year has just begun) and none is
  sent in July and August (holidays; the next year's target starts in September).
- Behind: not passed (approved hours below the target) and approved plus pending hours
  below the pace. Pending hours count here because the pupil did them: the reminder is
  about doing and logging activities, not about organizers who have not verified yet.
- At most one reminder per `EVERY` (30 days): `stamp` takes the month with one
  conditional UPDATE, so two processes (or a restart in between) never both send.
- Never to someone who turned them off in /profile, or whom Telegram says is unreachable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import hours, schools
from bot.storage.dbtools import rowcount
from bot.storage.models import (
    ClassMember,
    EntryStatus,
    GradeTarget,
    HourEntry,
    Organisation,
    Pupil,
    SchoolClass,
    User,
)

EVERY = timedelta(days=30)
PACE_MONTHS = 9  # September to May: the target is due by June


@dataclass(frozen=True)
class Progress:
    """A pupil's current school year against their target (minutes)."""

    approved: int
    pending: int
    target: int

    @property
    def left(self) -> int:
        return max(0, self.target - self.approved)


def pick_target(grade: int | None, own: int | None, organisation: int | None) -> int | None:
    """The yearly target that counts (minutes): the grade's at school, else the pupil's
    own, else an organisation's."""
    return grade or own or organisation or None


def expected(target: int, day: date) -> int | None:
    """Minutes a pupil on pace has by `day`; None when no reminder is due in that part of
    the school year (September, July, August)."""
    first = hours.school_year(day)[0]
    months = (day.year - first.year) * 12 + day.month - first.month  # September: 0
    if months == 0 or months > PACE_MONTHS:
        return None
    return math.ceil(target * months / PACE_MONTHS)


def behind(progress: Progress, day: date) -> bool:
    pace = expected(progress.target, day)
    return (pace is not None and progress.approved < progress.target
            and progress.approved + progress.pending < pace)


def due(reminded_at: datetime | None, now: datetime) -> bool:
    """Whether a reminder may go now, the last having gone at `reminded_at`."""
    return reminded_at is None or now - reminded_at >= EVERY


async def progress(session: AsyncSession, user_id: int, day: date) -> Progress | None:
    """The user's approved and pending minutes of the school year of `day` and their
    target; None without a target."""
    first = hours.school_year(day)[0]
    year = next((y for y in await hours.totals(session, user_id) if y.first == first), None)
    user = await session.get(User, user_id)
    grade = await schools.grade_target_of(session, user_id, first.year)
    target = pick_target(grade[1] if grade else None,
                         user.yearly_target_minutes if user else None,
                         year.organisation_target if year else None)
    if target is None:
        return None
    return Progress(year.approved if year else 0, year.pending if year else 0, target)


async def candidates(session: AsyncSession, now: datetime, *, after: int = 0,
                     limit: int = 200) -> list[int]:
    """Ids above `after` (in order, at most `limit`) of the users who may get a reminder
    now and have a target of some kind; whether they are behind is asked of each."""
    first, last = hours.school_year(hours.today(now))
    in_a_class = exists().where(
        Pupil.user_id == User.id, ClassMember.pupil_id == Pupil.id,
        SchoolClass.id == ClassMember.class_id, SchoolClass.school_year == first.year,
        GradeTarget.organisation_id == SchoolClass.organisation_id,
        GradeTarget.grade == SchoolClass.grade)
    with_a_target = exists().where(
        HourEntry.user_id == User.id, HourEntry.day >= first, HourEntry.day <= last,
        HourEntry.status != EntryStatus.REJECTED.value,
        Organisation.id == HourEntry.organisation_id,
        Organisation.yearly_target_minutes.is_not(None))
    query = (select(User.id)
             .where(User.id > after, User.target_reminders.is_(True),
                    User.reachable.is_(True),
                    or_(User.target_reminded_at.is_(None),
                        User.target_reminded_at <= now - EVERY),
                    or_(User.yearly_target_minutes.is_not(None), in_a_class, with_a_target))
             .order_by(User.id).limit(limit))
    return list((await session.scalars(query)).all())


async def stamp(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """Record that a reminder goes to `user_id` now, if one may (opted in, none in the
    last `EVERY`); False when another process took it first or it may not."""
    result = await session.execute(
        update(User).where(User.id == user_id, User.target_reminders.is_(True),
                           or_(User.target_reminded_at.is_(None),
                               User.target_reminded_at <= now - EVERY))
        .values(target_reminded_at=now).execution_options(synchronize_session=False))
    return rowcount(result) == 1


async def set_enabled(session: AsyncSession, user_id: int, enabled: bool) -> User | None:
    """Turn the user's reminders on or off (/profile)."""
    user = await session.get(User, user_id)
    if user is not None:
        user.target_reminders = enabled
    return user
