"""Schools: what class teachers and pupils do with classes, rosters and targets.

Each function is one unit of work (one transaction) and returns frozen dataclasses.
A teacher acts in their school: their one school (or their one organisation, which its
first class makes a school); a teacher of several chooses once (`choose_school`, the
refusal "choose_school" says when they must) and acts there until they choose another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import orgs, schools
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import Organisation, Pupil, SchoolClass, User, utcnow


@dataclass(frozen=True)
class PupilView:
    id: int
    full_name: str
    on_telegram: bool
    claim_code: str | None  # while the record is not taken over


@dataclass(frozen=True)
class ClassView:
    id: int
    school: str
    name: str  # "8B"
    grade: int
    year: int  # the calendar year its school year begins in
    token: str
    pupils: tuple[PupilView, ...]
    promoted: bool


@dataclass(frozen=True)
class SchoolView:
    organisation_id: int
    name: str
    year: int
    classes: tuple[ClassView, ...]
    targets: tuple[tuple[int, int], ...]  # (grade, minutes)
    switchable: bool  # the teacher organizes another organisation they could act in


@dataclass(frozen=True)
class SchoolChoice:
    id: int
    name: str
    chosen: bool  # the one they act in now


@dataclass(frozen=True)
class AddedPupil:
    full_name: str
    class_name: str
    claim_code: str


@dataclass(frozen=True)
class Invitation:
    school: str
    class_name: str
    grade: int
    year: int
    full_name: str | None  # the name the user gave before, if any


@dataclass(frozen=True)
class Joined:
    school: str
    class_name: str
    full_name: str


@dataclass(frozen=True)
class Claimed:
    school: str
    full_name: str
    class_name: str | None


async def school_of(session: AsyncSession, actor_id: int) -> Organisation:
    return await schools.acting_school(session, actor_id)


async def _class_view(session: AsyncSession, school_class: SchoolClass) -> ClassView:
    school = await session.get(Organisation, school_class.organisation_id)
    pupils = tuple(PupilView(p.id, schools.roster_name(p.id, p.full_name),
                             p.user_id is not None, p.claim_code)
                   for p in await schools.members(session, school_class.id))
    return ClassView(id=school_class.id, school=school.name if school else "",
                     name=f"{school_class.grade}{school_class.letter}",
                     grade=school_class.grade, year=school_class.school_year,
                     token=school_class.token, pupils=pupils,
                     promoted=school_class.promoted_to is not None)


async def overview(db: Database, actor_id: int, now: datetime | None = None) -> SchoolView:
    """The teacher's school: this school year's classes and the targets per grade."""
    async with db.transaction() as session:
        return await _overview(session, await school_of(session, actor_id), actor_id, now)


async def _overview(session: AsyncSession, school: Organisation, actor_id: int,
                    now: datetime | None) -> SchoolView:
    year = schools.school_year_of(now or utcnow())
    classes = [await _class_view(session, c)
               for c in await schools.classes_of(session, school.id, year)]
    targets = await schools.targets(session, school.id)
    organised = await orgs.organisations_of(session, actor_id)
    return SchoolView(school.id, school.name, year, tuple(classes),
                      tuple(sorted(targets.items())), len(organised) > 1)


async def school_choices(db: Database, actor_id: int) -> list[SchoolChoice]:
    """The organisations the teacher could act in, schools first."""
    async with db.transaction() as session:
        organised = await orgs.organisations_of(session, actor_id)
        if not organised:
            raise Refusal("not_your_org")
        user = await session.get(User, actor_id)
        chosen = user.school_id if user is not None else None
        return [SchoolChoice(o.id, o.name, o.id == chosen)
                for o in sorted(organised, key=lambda o: not o.is_school)]


async def choose_school(db: Database, actor_id: int, organisation_id: int,
                        now: datetime | None = None) -> SchoolView:
    """The teacher acts in `organisation_id` from now on; its overview."""
    async with db.transaction() as session:
        school = await schools.choose_school(session, actor_id, organisation_id)
        return await _overview(session, school, actor_id, now)


async def create_class(db: Database, actor_id: int, class_text: str,
                       now: datetime | None = None) -> ClassView:
    name = schools.parse_class_name(class_text)
    year = schools.school_year_of(now or utcnow())
    async with db.transaction() as session:
        school = await school_of(session, actor_id)
        created = await schools.create_class(session, school.id, name, actor_id=actor_id,
                                             year=year)
        return await _class_view(session, created)


async def _class_named(session: AsyncSession, actor_id: int, class_text: str,
                       now: datetime | None) -> SchoolClass:
    name = schools.parse_class_name(class_text)
    school = await school_of(session, actor_id)
    found = await schools.find_class(session, school.id,
                                     schools.school_year_of(now or utcnow()), name)
    if found is None:
        raise Refusal("class_unknown")
    return found


async def add_pupil(db: Database, actor_id: int, class_text: str, full_name: str,
                    now: datetime | None = None) -> AddedPupil:
    """A pupil not on Telegram, added by name; the claim code goes to the teacher."""
    async with db.transaction() as session:
        school_class = await _class_named(session, actor_id, class_text, now)
        pupil = await schools.add_roster_pupil(session, school_class.id, full_name,
                                               actor_id=actor_id)
        return AddedPupil(pupil.full_name, f"{school_class.grade}{school_class.letter}",
                          pupil.claim_code or "")


async def class_card(db: Database, actor_id: int, class_id: int) -> ClassView:
    async with db.transaction() as session:
        school_class = await schools.class_for_organizer(session, class_id, actor_id)
        return await _class_view(session, school_class)


async def promote(db: Database, actor_id: int, class_id: int) -> ClassView | None:
    """Move the class up a grade into the next school year (None: it left school)."""
    async with db.transaction() as session:
        following = await schools.promote(session, class_id, actor_id=actor_id)
        return None if following is None else await _class_view(session, following)


async def set_target(db: Database, actor_id: int, grade: int, minutes: int | None) -> None:
    async with db.transaction() as session:
        school = await school_of(session, actor_id)
        await schools.set_target(session, school.id, grade, minutes, actor_id=actor_id)


async def invitation(db: Database, token: str, user_id: int) -> Invitation:
    """What a class link invites to, shown before the pupil confirms."""
    async with db.transaction() as session:
        school_class = await schools.class_by_token(session, token)
        if await orgs.is_organizer(session, user_id, school_class.organisation_id):
            raise Refusal("organizer_not_pupil")
        school = await session.get(Organisation, school_class.organisation_id)
        user = await session.get(User, user_id)
        return Invitation(school=school.name if school else "",
                          class_name=f"{school_class.grade}{school_class.letter}",
                          grade=school_class.grade, year=school_class.school_year,
                          full_name=user.full_name if user else None)


async def join(db: Database, token: str, user_id: int, full_name: str) -> Joined:
    async with db.transaction() as session:
        school_class, pupil = await schools.join_class(session, token, user_id, full_name)
        school = await session.get(Organisation, school_class.organisation_id)
        return Joined(school.name if school else "",
                      f"{school_class.grade}{school_class.letter}", pupil.full_name)


async def claim(db: Database, code: str, user_id: int) -> Claimed:
    """The user takes over a roster record (and its hours) with its one-time code."""
    async with db.transaction() as session:
        pupil = await schools.claim(session, code, user_id)
        school = await session.get(Organisation, pupil.organisation_id)
        return Claimed(school.name if school else "", pupil.full_name,
                       await _current_class_name(session, pupil))


async def _current_class_name(session: AsyncSession, pupil: Pupil) -> str | None:
    classes = await schools.classes_of(session, pupil.organisation_id)
    for school_class in classes:  # newest school year first
        if any(p.id == pupil.id for p in await schools.members(session, school_class.id)):
            return f"{school_class.grade}{school_class.letter}"
    return None
