"""Attendance: a teacher names the activity and its hours, picks a class, ticks who took
part (a page of the class list at a time) and saves; every ticked pupil gets the hours,
approved at once and attributed to the teacher.

The draft (activity, hours, class, ticks) lives in the database (`attendance_drafts`), so
a restart or another process loses nothing; saving twice records once (the draft's nonce
is the idempotency key of its entries). In the same transaction, each pupil on Telegram
earns the badges the hours bring and is told through the outbox (kind `attended`, after
the quiet hours); a roster pupil without Telegram hears nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import kinds
from bot.services import attendance, schools
from bot.services.badges import award_automatic
from bot.services.errors import Refusal
from bot.services.follows import quiet_until
from bot.services.hours import DAY_MINUTES, check_day, today
from bot.storage.db import Database
from bot.storage.models import AttendanceDraft, EntryStatus, HourEntry, Organisation, utcnow
from bot.usecases.schools import school_of

PAGE = 8  # pupils per page of checkboxes


@dataclass(frozen=True)
class ClassChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Sheet:
    """One page of the class list with the ticks so far."""

    activity: str
    minutes: int
    class_name: str
    page: int
    pages: int
    pupils: tuple[tuple[int, str, bool], ...]  # (pupil id, full name, ticked)
    ticked: int


@dataclass(frozen=True)
class Saved:
    activity: str
    minutes: int
    recorded: tuple[str, ...]  # full names that got the hours now or before
    skipped: tuple[str, ...]  # full names not recorded (own hours, day full)


@dataclass(frozen=True)
class Attended:
    """What the pupil's notice says about hours recorded for them by attendance."""

    organisation: str
    activity: str
    day: date
    minutes: int


async def start(db: Database, actor_id: int, activity: str, minutes: int,
                now: datetime | None = None) -> list[ClassChoice]:
    """A new draft; the classes of this school year to choose from."""
    now = now or utcnow()
    name = attendance.clean_activity(activity)
    if not 0 < minutes <= DAY_MINUTES:
        raise Refusal("hours_range")
    async with db.transaction() as session:
        school = await school_of(session, actor_id)
        classes = await schools.classes_of(session, school.id, schools.school_year_of(now))
        if not classes:
            raise Refusal("no_classes")
        data = {"organisation_id": school.id, "activity": name, "minutes": minutes,
                "day": today(now).isoformat(), "nonce": secrets.token_hex(6), "ticked": []}
        draft = await session.get(AttendanceDraft, actor_id)
        if draft is None:
            session.add(AttendanceDraft(user_id=actor_id, data=data, updated_at=now))
        else:
            draft.data, draft.updated_at = data, now
        return [ClassChoice(c.id, f"{c.grade}{c.letter}") for c in classes]


async def _draft(session: AsyncSession, actor_id: int) -> dict[str, Any]:
    draft = await session.get(AttendanceDraft, actor_id)
    if draft is None or not draft.data:
        raise Refusal("attendance_gone")
    return dict(draft.data)


async def _store(session: AsyncSession, actor_id: int, data: dict[str, Any]) -> None:
    draft = await session.get(AttendanceDraft, actor_id)
    if draft is not None:
        draft.data, draft.updated_at = data, utcnow()


async def _sheet(session: AsyncSession, actor_id: int, data: dict[str, Any],
                 page: int) -> Sheet:
    school_class = await schools.class_for_organizer(session, int(data["class_id"]),
                                                     actor_id)
    pupils = await schools.members(session, school_class.id)
    pages = max(1, -(-len(pupils) // PAGE))
    page = min(max(page, 0), pages - 1)
    ticked = set(data["ticked"])
    shown = tuple((p.id, schools.roster_name(p.id, p.full_name), p.id in ticked)
                  for p in pupils[page * PAGE:(page + 1) * PAGE])
    return Sheet(data["activity"], int(data["minutes"]),
                 f"{school_class.grade}{school_class.letter}", page, pages, shown,
                 len(ticked))


async def choose_class(db: Database, actor_id: int, class_id: int) -> Sheet:
    async with db.transaction() as session:
        data = await _draft(session, actor_id)
        school_class = await schools.class_for_organizer(session, class_id, actor_id)
        if school_class.organisation_id != data["organisation_id"]:
            raise Refusal("not_your_org")
        data["class_id"], data["ticked"] = class_id, []
        await _store(session, actor_id, data)
        return await _sheet(session, actor_id, data, 0)


async def toggle(db: Database, actor_id: int, pupil_id: int, page: int) -> Sheet:
    async with db.transaction() as session:
        data = await _draft(session, actor_id)
        if "class_id" not in data:
            raise Refusal("attendance_gone")
        members = {p.id for p in await schools.members(session, int(data["class_id"]))}
        if pupil_id not in members:
            raise Refusal("pupil_unknown")
        ticked = list(data["ticked"])
        data["ticked"] = ([i for i in ticked if i != pupil_id] if pupil_id in ticked
                          else [*ticked, pupil_id])
        await _store(session, actor_id, data)
        return await _sheet(session, actor_id, data, page)


async def turn(db: Database, actor_id: int, page: int) -> Sheet:
    async with db.transaction() as session:
        data = await _draft(session, actor_id)
        if "class_id" not in data:
            raise Refusal("attendance_gone")
        return await _sheet(session, actor_id, data, page)


async def save(db: Database, actor_id: int, now: datetime | None = None) -> Saved:
    """Record the ticked pupils; the draft is gone afterwards (a second tap: refused)."""
    now = now or utcnow()
    async with db.transaction() as session:
        data = await _draft(session, actor_id)
        if not data.get("ticked"):
            raise Refusal("attendance_empty")
        day = date.fromisoformat(data["day"])
        check_day(day, now)
        results = await attendance.record(
            session, int(data["organisation_id"]), [int(i) for i in data["ticked"]],
            actor_id=actor_id, activity=data["activity"], day=day,
            minutes=int(data["minutes"]), key=f"att:{data['nonce']}", now=now)
        await _tell_pupils(session, results, now)
        names = {p.id: schools.roster_name(p.id, p.full_name)
                 for p in await schools.members(session, int(data["class_id"]))}
        draft = await session.get(AttendanceDraft, actor_id)
        if draft is not None:
            await session.delete(draft)
        return Saved(data["activity"], int(data["minutes"]),
                     tuple(names.get(r.pupil_id, "") for r in results if r.entry_id),
                     tuple(names.get(r.pupil_id, "") for r in results if not r.entry_id))



async def _tell_pupils(session: AsyncSession, results: list[attendance.Recorded],
                       now: datetime) -> None:
    """What follows new approved hours, in their transaction: the badges they earn, and a
    notice to each pupil on Telegram (none at night: after the quiet hours)."""
    not_before = quiet_until(now) or now
    for user_id in dict.fromkeys(r.user_id for r in results if r.new and r.user_id):
        await award_automatic(session, user_id, now)
    for result in results:
        if result.new and result.user_id is not None and result.entry_id is not None:
            await kinds.enqueue(session, kinds.ATTENDED, result.entry_id,
                                chat_id=result.user_id, not_before=not_before)


async def attended(db: Database, entry_id: int, user_id: int) -> Attended | None:
    """The pupil's notice as it reads when sent; None once the entry is no longer theirs
    or no longer approved (erased, revoked meanwhile): then nothing is sent."""
    async with db.transaction() as session:
        entry = await session.get(HourEntry, entry_id)
        if entry is None or entry.user_id != user_id or \
                entry.status != EntryStatus.APPROVED.value:
            return None
        organisation = await session.get(Organisation, entry.organisation_id)
        return Attended(organisation.name if organisation else "", entry.activity,
                        entry.day, entry.minutes)
