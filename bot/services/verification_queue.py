"""The organizer's verification queue (/pending): what waits, a page at a time, who each
pupil is, and the reminder about entries that wait too long.

Rules:
- an organizer's queue is what `hours.pending_for` gives them: pending entries of the
  organisations they organize, never their own, oldest first;
- a pupil is named as the school knows them: the roster's full name (the record at the
  entry's organisation first), else the full name of their profile, else their Telegram
  name; their class is the class of the entry's school year (else their newest class),
  their school the school of that class, else the school of their profile;
- an organizer with entries waiting more than `REMIND_AFTER` hears of them at most once
  per `REMIND_EVERY` (`pending_reminded_at` keeps when), and only while they can be
  reached; quiet hours are the use case's to respect (bot/usecases/verification.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import hours
from bot.storage.dbtools import rowcount
from bot.storage.models import (
    ClassMember,
    HourEntry,
    Membership,
    Organisation,
    Pupil,
    SchoolClass,
    User,
)

PAGE_SIZE = 5  # entries a page of /pending shows: each has its own row of buttons
REMIND_AFTER = timedelta(days=7)  # an entry waiting longer than this is worth a reminder
REMIND_EVERY = timedelta(days=7)  # at most one reminder per organizer in this time


@dataclass(frozen=True)
class Identity:
    """Who logged an entry, as a teacher knows them."""

    full_name: str
    school_class: str | None  # "8B"
    school: str | None


@dataclass(frozen=True)
class Page:
    entries: list[HourEntry]
    page: int  # 0-based, within 0..pages-1
    pages: int
    total: int


async def page_of(session: AsyncSession, organizer_id: int, page: int,
                  size: int = PAGE_SIZE) -> Page:
    """Page `page` of what waits for `organizer_id` (the last page when it has fewer)."""
    total = await hours.pending_count(session, organizer_id)
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    entries = await hours.pending_for(session, organizer_id, offset=page * size, limit=size)
    return Page(entries, page, pages, total)


async def organisations_of(session: AsyncSession, organizer_id: int) -> list[str]:
    """The names of the organisations `organizer_id` organizes."""
    return list((await session.scalars(
        select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == organizer_id).order_by(Organisation.name))).all())


@dataclass(frozen=True)
class _Record:
    pupil: Pupil
    school: str
    grade: int | None
    letter: str
    year: int | None


async def identities(session: AsyncSession,
                     entries: Sequence[HourEntry]) -> dict[int, Identity]:
    """Who logged each entry (by entry id); three queries whatever the number."""
    user_ids = {e.user_id for e in entries if e.user_id is not None}
    pupil_ids = {e.pupil_id for e in entries if e.pupil_id is not None}
    users = {u.id: u for u in (await session.scalars(
        select(User).where(User.id.in_(user_ids)))).all()} if user_ids else {}
    records: list[_Record] = []
    if user_ids or pupil_ids:
        rows = await session.execute(
            select(Pupil, Organisation.name, SchoolClass.grade, SchoolClass.letter,
                   SchoolClass.school_year)
            .join(Organisation, Organisation.id == Pupil.organisation_id)
            .outerjoin(ClassMember, ClassMember.pupil_id == Pupil.id)
            .outerjoin(SchoolClass, SchoolClass.id == ClassMember.class_id)
            .where(or_(Pupil.user_id.in_(user_ids), Pupil.id.in_(pupil_ids))))
        records = [_Record(pupil, school, grade, letter or "", year)
                   for pupil, school, grade, letter, year in rows.all()]
    return {entry.id: _identity(entry, users.get(entry.user_id or 0), records)
            for entry in entries}


def _identity(entry: HourEntry, user: User | None, records: list[_Record]) -> Identity:
    mine = [r for r in records if r.pupil.id == entry.pupil_id
            or (entry.user_id is not None and r.pupil.user_id == entry.user_id)]
    here = [r for r in mine if r.pupil.organisation_id == entry.organisation_id] or mine
    year = hours.school_year(entry.day)[0].year
    # A class of the entry's school year first (at the entry's organisation first), else
    # the newest class.
    classed = sorted((r for r in mine if r.grade is not None and r.year is not None),
                     key=lambda r: (r.year != year, r.pupil.organisation_id !=
                                    entry.organisation_id, -(r.year or 0)))
    chosen = classed[0] if classed else None
    name = (here[0].pupil.full_name if here else None) or (user.full_name if user else None) \
        or (user.first_name if user else None) or "?"
    school = chosen.school if chosen else here[0].school if here else \
        (user.school if user else None)
    return Identity(full_name=name, school=school or None,
                    school_class=f"{chosen.grade}{chosen.letter}" if chosen else None)


async def due_reminders(session: AsyncSession, now: datetime) -> dict[int, int]:
    """Organizers to remind now, with how many entries have waited longer than
    `REMIND_AFTER`: those not reminded in the last `REMIND_EVERY`, reachable."""
    organizers = (await session.scalars(
        select(User.id).where(User.id.in_(select(Membership.user_id)), User.reachable.is_(True),
                              or_(User.pending_reminded_at.is_(None),
                                  User.pending_reminded_at <= now - REMIND_EVERY))
        .order_by(User.id))).all()
    due: dict[int, int] = {}
    for organizer_id in organizers:
        waiting = await hours.pending_count(session, organizer_id,
                                            logged_before=now - REMIND_AFTER)
        if waiting:
            due[organizer_id] = waiting
    return due


async def mark_reminded(session: AsyncSession, organizer_id: int, now: datetime) -> bool:
    """Record the reminder to `organizer_id` unless one was recorded meanwhile (another
    process): True if this call may queue it."""
    result = await session.execute(
        update(User).where(User.id == organizer_id,
                           or_(User.pending_reminded_at.is_(None),
                               User.pending_reminded_at <= now - REMIND_EVERY))
        .values(pending_reminded_at=now).execution_options(synchronize_session=False))
    return rowcount(result) == 1


async def waiting_long(session: AsyncSession, organizer_id: int, now: datetime) -> int:
    """How many of `organizer_id`'s entries have waited longer than `REMIND_AFTER`."""
    return await hours.pending_count(session, organizer_id, logged_before=now - REMIND_AFTER)
