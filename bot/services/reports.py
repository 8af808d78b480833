"""An organisation's report of a school year, as plain data (bot/services/report_files.py
turns it into CSV and PDF).

A school's report has one row per pupil of its classes: full name, class, approved and
pending hours of the school year (with any organisation: the school counts them all),
the grade's target and whether it is reached. Any organisation's report also lists, per
activity, who took part in it with the organisation, their hours and who verified them.
Nobody else appears: a pupil is in an organisation's report only when they belong to it
(its roster) or logged hours with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.services import schools
from bot.services.errors import Refusal
from bot.storage.models import (
    ClassMember,
    EntryStatus,
    HourEntry,
    Organisation,
    Pupil,
    SchoolClass,
    User,
)


@dataclass(frozen=True)
class PupilRow:
    full_name: str
    school_class: str  # "8B"
    grade: int
    approved: int  # minutes
    pending: int
    target: int | None  # minutes; None: the school sets none for the grade

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.approved >= self.target


@dataclass(frozen=True)
class ActivityRow:
    activity: str
    day: date
    participant: str
    minutes: int
    status: str
    verified_by: str


@dataclass(frozen=True)
class Report:
    organisation: str
    is_school: bool
    year: int  # the calendar year the school year begins in
    pupils: tuple[PupilRow, ...]  # schools only: by class, then name
    activities: tuple[ActivityRow, ...]  # entries logged with the organisation
    by_organisation: tuple[tuple[str, int], ...]  # schools: approved minutes of its pupils

    def class_totals(self) -> list[tuple[str, int, int, int, int]]:
        """(class, pupils, approved, pending, passed) per class, in report order."""
        totals: dict[str, list[int]] = {}
        for row in self.pupils:
            total = totals.setdefault(row.school_class, [0, 0, 0, 0])
            total[0] += 1
            total[1] += row.approved
            total[2] += row.pending
            total[3] += 1 if row.passed else 0
        return [(name, *values) for name, values in totals.items()]  # type: ignore[misc]


def display_name(full_name: str | None, first_name: str | None) -> str:
    return full_name or first_name or "—"


async def build(session: AsyncSession, organisation_id: int, year: int, *,
                class_name: schools.ClassName | None = None) -> Report:
    """The report of `organisation_id` for the school year beginning in `year`."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise Refusal("org_unknown")
    first, last = date(year, 9, 1), date(year + 1, 8, 31)
    pupils: list[PupilRow] = []
    by_organisation: dict[str, int] = {}
    if organisation.is_school:
        pupils = await _pupil_rows(session, organisation_id, year, first, last, class_name,
                                   by_organisation)
    activities = await _activity_rows(session, organisation_id, first, last)
    return Report(organisation=organisation.name, is_school=organisation.is_school,
                  year=year, pupils=tuple(pupils), activities=tuple(activities),
                  by_organisation=tuple(sorted(by_organisation.items(),
                                               key=lambda item: item[0].casefold())))


async def _pupil_rows(session: AsyncSession, organisation_id: int, year: int, first: date,
                      last: date, class_name: schools.ClassName | None,
                      by_organisation: dict[str, int]) -> list[PupilRow]:
    targets = await schools.targets(session, organisation_id)
    query = (select(SchoolClass, Pupil)
             .join(ClassMember, ClassMember.class_id == SchoolClass.id)
             .join(Pupil, Pupil.id == ClassMember.pupil_id)
             .where(SchoolClass.organisation_id == organisation_id,
                    SchoolClass.school_year == year))
    if class_name is not None:
        query = query.where(SchoolClass.grade == class_name.grade,
                            SchoolClass.letter == class_name.letter)
    query = query.order_by(SchoolClass.grade, SchoolClass.letter, Pupil.full_name, Pupil.id)
    rows: list[PupilRow] = []
    for school_class, pupil in (await session.execute(query)).all():
        owner = [HourEntry.pupil_id == pupil.id]
        if pupil.user_id is not None:
            owner.append(HourEntry.user_id == pupil.user_id)
        entries = (await session.execute(
            select(HourEntry.minutes, HourEntry.status, Organisation.name)
            .join(Organisation, Organisation.id == HourEntry.organisation_id)
            .where(or_(*owner), HourEntry.day >= first, HourEntry.day <= last,
                   HourEntry.status != EntryStatus.REJECTED.value))).all()
        approved = pending = 0
        for minutes, status, organisation in entries:
            if status == EntryStatus.APPROVED.value:
                approved += minutes
                by_organisation[organisation] = by_organisation.get(organisation, 0) + minutes
            else:
                pending += minutes
        rows.append(PupilRow(full_name=schools.roster_name(pupil.id, pupil.full_name),
                             school_class=f"{school_class.grade}{school_class.letter}",
                             grade=school_class.grade, approved=approved, pending=pending,
                             target=targets.get(school_class.grade)))
    # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
    return sorted(rows, key=lambda row: (row.grade, row.school_class,
                                         row.full_name.casefold()))


async def _activity_rows(session: AsyncSession, organisation_id: int, first: date,
                         last: date) -> list[ActivityRow]:
    learner, verifier = aliased(User), aliased(User)
    query = (select(HourEntry, Pupil.id, Pupil.full_name, learner.full_name,
                    learner.first_name, verifier.full_name, verifier.first_name)
             .outerjoin(Pupil, Pupil.id == HourEntry.pupil_id)
             .outerjoin(learner, learner.id == HourEntry.user_id)
             .outerjoin(verifier, verifier.id == HourEntry.decided_by)
             .where(HourEntry.organisation_id == organisation_id,
                    HourEntry.day >= first, HourEntry.day <= last)
             .order_by(HourEntry.activity, HourEntry.day, HourEntry.id))
    rows = []
    for entry, pupil_id, pupil_name, full, first_name, verifier_full, verifier_first in (
            await session.execute(query)).all():
        decided = entry.status != EntryStatus.PENDING.value
        rows.append(ActivityRow(
            activity=entry.activity, day=entry.day,
            participant=(schools.roster_name(pupil_id, pupil_name or "")
                         if pupil_id is not None else display_name(full, first_name)),
            minutes=entry.minutes, status=entry.status,
            verified_by=display_name(verifier_full, verifier_first) if decided else ""))
    return rows
