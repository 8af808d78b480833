"""Schools: classes, the roster of pupils, and yearly targets per grade.

Rules (each refusal is a `Refusal` with a code the handlers translate):
- only organizers of a school (or administrators) manage its classes, roster and targets;
  creating the first class makes an organisation a school, with the Lithuanian preset of
  targets (10 h for grades 5-8, 20 h for grades 9-10) unless it has targets already;
- a class is a grade 1-12 and a letter of at most four letters, in one school year, once;
- a pupil has one record per school (`Pupil`) and one class per school year;
- a pupil joins a class with its link, after confirming their full name; a teacher may add a
  pupil by name only, who gets a one-time claim code: whoever opens it takes over the record
  and its hours (unless they already have a record at that school);
- moving a class up makes the class of the next school year (grade + 1, same letter) with
  the same pupils; a class moves up once; grade 12 leaves school;
- a pupil who erased their data (/forgetme) keeps their place on the roster and their
  approved hours, without a name: lists show them as "Former pupil #<record id>"
  (`roster_name`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.services import audit, orgs
from bot.services.certificates import ALPHABET
from bot.services.errors import Refusal
from bot.services.orgs import is_organizer
from bot.storage.models import (
    ClassMember,
    EntryStatus,
    GradeTarget,
    HourEntry,
    Organisation,
    Pupil,
    SchoolClass,
    User,
    utcnow,
)

# A Lithuanian school plan: 10 h a year for grades 5-8, 20 h for grades 9-10 (minutes).
LITHUANIAN_PRESET = {5: 600, 6: 600, 7: 600, 8: 600, 9: 1200, 10: 1200}
MIN_GRADE, MAX_GRADE = 1, 12
MAX_LETTER = 4
MAX_FULL_NAME = 200
MAX_TARGET_MINUTES = 1000 * 60
CLAIM_PREFIX = "P"  # claim codes read "P-XXXX-XXXX": never mistaken for a certificate code


@dataclass(frozen=True)
class ClassName:
    grade: int
    letter: str

    def __str__(self) -> str:
        return f"{self.grade}{self.letter}"


def parse_class_name(text: str) -> ClassName:
    """'8b', '8 B', '10A' -> ClassName; refuses anything else."""
    compact = "".join(text.split())
    digits = ""
    while compact[len(digits):len(digits) + 1].isdecimal() and len(digits) < 2:
        digits += compact[len(digits)]
    letter = compact[len(digits):].upper()
    if (not digits or not digits.isascii() or not MIN_GRADE <= int(digits) <= MAX_GRADE
            or len(letter) > MAX_LETTER or not (letter.isalpha() or letter == "")):
        raise Refusal("class_name")
    return ClassName(int(digits), letter)


def clean_full_name(text: str) -> str:
    """A full name as it will be printed: spaces folded; refused when empty or too long."""
    name = " ".join(text.split())
    if len(name) < 2 or len(name) > MAX_FULL_NAME or not any(c.isalpha() for c in name):
        raise Refusal("full_name", limit=MAX_FULL_NAME)
    return name


def roster_name(pupil_id: int, full_name: str) -> str:
    """The name a school's lists show for a roster record, in the reader's language: a
    former pupil who erased their data has none."""
    return full_name or _("Former pupil #{number}").format(number=pupil_id)


async def forget_pupil(session: AsyncSession, user_id: int) -> int:
    """/forgetme for the user's roster records (in `privacy.forget`'s transaction, before
    the user's entries lose their owner): each stays on its class list, nameless and no
    longer claimable, and keeps the approved hours, which the school's report counts (an
    entry goes to the record of its own organisation, else to the user's first record).
    How many records were kept."""
    records = list((await session.scalars(select(Pupil).where(
        Pupil.user_id == user_id).order_by(Pupil.id))).all())
    if not records:
        return 0
    owned = [HourEntry.user_id == user_id, HourEntry.pupil_id.is_(None),
             HourEntry.status == EntryStatus.APPROVED.value]
    for record in records:
        await session.execute(update(HourEntry).where(
            *owned, HourEntry.organisation_id == record.organisation_id)
            .values(pupil_id=record.id).execution_options(synchronize_session=False))
    await session.execute(update(HourEntry).where(*owned).values(pupil_id=records[0].id)
                          .execution_options(synchronize_session=False))
    await session.execute(update(Pupil).where(Pupil.user_id == user_id)
                          .values(user_id=None, full_name="", claim_code=None)
                          .execution_options(synchronize_session=False))
    return len(records)


def school_year_of(now: datetime) -> int:
    """The calendar year the current school year began in (1 September, Vilnius time)."""
    from bot.services.hours import school_year, today

    return school_year(today(now))[0].year


def new_claim_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{CLAIM_PREFIX}-{body[:4]}-{body[4:]}"


def normalise_claim_code(text: str) -> str:
    """What a pupil typed or a link carried ('p_abcd2345', 'p-abcd-2345') as stored."""
    body = "".join(c for c in text.upper() if c.isalnum())
    if body.startswith(CLAIM_PREFIX):
        body = body[len(CLAIM_PREFIX):]
    return f"{CLAIM_PREFIX}-{body[:4]}-{body[4:]}" if len(body) == 8 else ""


def default_school(organised: list[Organisation]) -> Organisation | None:
    """The school an organizer acts in without choosing: their one school, or their one
    organisation before it is a school; None when there is a choice to make."""
    found = [o for o in organised if o.is_school]
    if len(found) == 1:
        return found[0]
    return organised[0] if not found and len(organised) == 1 else None


async def acting_school(session: AsyncSession, actor_id: int) -> Organisation:
    """The organisation the organizer's school commands act in: the one they chose last
    (while they still organize it), else `default_school`; a `Refusal` "choose_school"
    (with the `choices`, (id, name) schools first) when they must choose."""
    organised = await orgs.organisations_of(session, actor_id)
    if not organised:
        raise Refusal("not_your_org")
    user = await session.get(User, actor_id)
    chosen = next((o for o in organised if user is not None and o.id == user.school_id),
                  None) or default_school(organised)
    if chosen is None:
        raise Refusal("choose_school", choices=tuple(
            (o.id, o.name) for o in sorted(organised, key=lambda o: not o.is_school)))
    return chosen


async def choose_school(session: AsyncSession, actor_id: int,
                        organisation_id: int) -> Organisation:
    """The organizer acts in `organisation_id` from now on (one of theirs)."""
    organisation = await require_organizer(session, actor_id, organisation_id)
    user = await session.get(User, actor_id)
    if user is not None:
        user.school_id = organisation.id
    return organisation


async def require_organizer(session: AsyncSession, actor_id: int, organisation_id: int,
                            *, is_admin: bool = False) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise Refusal("org_unknown")
    if not is_admin and not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    return organisation


async def make_school(session: AsyncSession, organisation: Organisation, actor_id: int) -> None:
    """Mark `organisation` a school; the Lithuanian preset when it has no targets yet."""
    if organisation.is_school:
        return
    organisation.is_school = True
    has_targets = await session.scalar(select(GradeTarget.id).where(
        GradeTarget.organisation_id == organisation.id).limit(1))
    if has_targets is None:
        for grade, minutes in LITHUANIAN_PRESET.items():
            session.add(GradeTarget(organisation_id=organisation.id, grade=grade,
                                    minutes=minutes))
    audit.record(session, "org.school", actor_id=actor_id, organisation_id=organisation.id)


async def create_class(session: AsyncSession, organisation_id: int, name: ClassName, *,
                       actor_id: int, year: int, is_admin: bool = False) -> SchoolClass:
    organisation = await require_organizer(session, actor_id, organisation_id,
                                           is_admin=is_admin)
    await make_school(session, organisation, actor_id)
    existing = await find_class(session, organisation_id, year, name)
    if existing is not None:
        return existing
    school_class = SchoolClass(organisation_id=organisation_id, school_year=year,
                               grade=name.grade, letter=name.letter,
                               token=secrets.token_urlsafe(12), created_by=actor_id)
    try:
        async with session.begin_nested():  # a twin tap may create the same class first
            session.add(school_class)
    except IntegrityError:
        twin = await find_class(session, organisation_id, year, name)
        if twin is None:
            raise
        return twin
    audit.record(session, "class.created", actor_id=actor_id, organisation_id=organisation_id,
                 school_class=str(name), year=year)
    return school_class


async def find_class(session: AsyncSession, organisation_id: int, year: int,
                     name: ClassName) -> SchoolClass | None:
    return (await session.scalars(select(SchoolClass).where(
        SchoolClass.organisation_id == organisation_id, SchoolClass.school_year == year,
        SchoolClass.grade == name.grade, SchoolClass.letter == name.letter))).first()


async def classes_of(session: AsyncSession, organisation_id: int,
                     year: int | None = None) -> list[SchoolClass]:
    query = select(SchoolClass).where(SchoolClass.organisation_id == organisation_id)
    if year is not None:
        query = query.where(SchoolClass.school_year == year)
    query = query.order_by(SchoolClass.school_year.desc(), SchoolClass.grade,
                           SchoolClass.letter)
    return list((await session.scalars(query)).all())


async def class_for_organizer(session: AsyncSession, class_id: int, actor_id: int, *,
                              is_admin: bool = False) -> SchoolClass:
    school_class = await session.get(SchoolClass, class_id)
    if school_class is None:
        raise Refusal("class_unknown")
    await require_organizer(session, actor_id, school_class.organisation_id, is_admin=is_admin)
    return school_class


async def class_by_token(session: AsyncSession, token: str) -> SchoolClass:
    found = (await session.scalars(select(SchoolClass).where(
        SchoolClass.token == token))).first()
    if found is None:
        raise Refusal("class_link_invalid")
    return found


async def members(session: AsyncSession, class_id: int) -> list[Pupil]:
    """The pupils of a class, by name."""
    query = (select(Pupil).join(ClassMember, ClassMember.pupil_id == Pupil.id)
             .where(ClassMember.class_id == class_id).order_by(Pupil.full_name, Pupil.id))
    return list((await session.scalars(query)).all())


async def _place(session: AsyncSession, pupil: Pupil, school_class: SchoolClass) -> None:
    """Put `pupil` in `school_class`, out of any other class of that school year."""
    same_year = select(SchoolClass.id).where(
        SchoolClass.organisation_id == school_class.organisation_id,
        SchoolClass.school_year == school_class.school_year,
        SchoolClass.id != school_class.id)
    await session.execute(delete(ClassMember).where(
        ClassMember.pupil_id == pupil.id, ClassMember.class_id.in_(same_year))
        .execution_options(synchronize_session=False))
    present = await session.scalar(select(ClassMember.id).where(
        ClassMember.class_id == school_class.id, ClassMember.pupil_id == pupil.id))
    if present is None:
        session.add(ClassMember(class_id=school_class.id, pupil_id=pupil.id))
        await session.flush()


async def classes_of_user(session: AsyncSession,
                          user_id: int) -> list[tuple[str, str, int]]:
    """(school, class name, school year) of every class the user is a pupil of, newest
    school year first."""
    query = (select(Organisation.name, SchoolClass.grade, SchoolClass.letter,
                    SchoolClass.school_year)
             .join(ClassMember, ClassMember.class_id == SchoolClass.id)
             .join(Pupil, Pupil.id == ClassMember.pupil_id)
             .join(Organisation, Organisation.id == SchoolClass.organisation_id)
             .where(Pupil.user_id == user_id)
             .order_by(SchoolClass.school_year.desc(), Organisation.name))
    return [(school, str(ClassName(grade, letter)), year)
            for school, grade, letter, year in (await session.execute(query)).all()]


async def class_in(session: AsyncSession, organisation_id: int, user_id: int,
                   year: int) -> str | None:
    """The name of the user's class at a school in school year `year`, if any."""
    query = (select(SchoolClass.grade, SchoolClass.letter)
             .join(ClassMember, ClassMember.class_id == SchoolClass.id)
             .join(Pupil, Pupil.id == ClassMember.pupil_id)
             .where(Pupil.user_id == user_id, Pupil.organisation_id == organisation_id,
                    SchoolClass.school_year == year).limit(1))
    row = (await session.execute(query)).first()
    return str(ClassName(int(row[0]), str(row[1]))) if row else None


async def pupil_of(session: AsyncSession, organisation_id: int, user_id: int) -> Pupil | None:
    return (await session.scalars(select(Pupil).where(
        Pupil.organisation_id == organisation_id, Pupil.user_id == user_id))).first()


async def join_class(session: AsyncSession, token: str, user_id: int, full_name: str,
                     now: datetime | None = None) -> tuple[SchoolClass, Pupil]:
    """The user joins the class of `token` under `full_name` (also kept as their own)."""
    now = now or utcnow()
    school_class = await class_by_token(session, token)
    name = clean_full_name(full_name)
    if await is_organizer(session, user_id, school_class.organisation_id):
        raise Refusal("organizer_not_pupil")
    pupil = await pupil_of(session, school_class.organisation_id, user_id)
    if pupil is None:
        pupil = Pupil(organisation_id=school_class.organisation_id, user_id=user_id,
                      full_name=name, claimed_at=now)
        try:
            async with session.begin_nested():  # a double tap: the twin's record wins
                session.add(pupil)
        except IntegrityError:
            twin = await pupil_of(session, school_class.organisation_id, user_id)
            if twin is None:
                raise
            pupil = twin
    pupil.full_name = name
    user = await session.get(User, user_id)
    if user is not None:
        user.full_name = name
    await _place(session, pupil, school_class)
    audit.record(session, "class.joined", actor_id=user_id,
                 organisation_id=school_class.organisation_id, class_id=school_class.id)
    return school_class, pupil


async def add_roster_pupil(session: AsyncSession, class_id: int, full_name: str, *,
                           actor_id: int, is_admin: bool = False) -> Pupil:
    """A pupil added by name (not on Telegram), with a fresh one-time claim code."""
    school_class = await class_for_organizer(session, class_id, actor_id, is_admin=is_admin)
    pupil = Pupil(organisation_id=school_class.organisation_id, user_id=None,
                  full_name=clean_full_name(full_name), claim_code=new_claim_code(),
                  created_by=actor_id)
    session.add(pupil)
    await session.flush()
    await _place(session, pupil, school_class)
    audit.record(session, "pupil.added", actor_id=actor_id,
                 organisation_id=school_class.organisation_id, pupil_id=pupil.id)
    return pupil


async def pupil_by_claim(session: AsyncSession, code: str) -> Pupil:
    normalised = normalise_claim_code(code)
    found = None
    if normalised:
        found = (await session.scalars(select(Pupil).where(
            Pupil.claim_code == normalised))).first()
    if found is None or found.user_id is not None:
        raise Refusal("claim_invalid")
    return found


async def claim(session: AsyncSession, code: str, user_id: int,
                now: datetime | None = None) -> Pupil:
    """`user_id` takes over the roster record of `code`, and the hours recorded for it."""
    now = now or utcnow()
    pupil = await pupil_by_claim(session, code)
    if await pupil_of(session, pupil.organisation_id, user_id) is not None:
        raise Refusal("already_pupil")
    if await is_organizer(session, user_id, pupil.organisation_id):
        raise Refusal("organizer_not_pupil")
    taken = await session.execute(
        update(Pupil).where(Pupil.id == pupil.id, Pupil.user_id.is_(None),
                            Pupil.claim_code == pupil.claim_code)
        .values(user_id=user_id, claim_code=None, claimed_at=now)
        .execution_options(synchronize_session=False))
    if int(getattr(taken, "rowcount", 0) or 0) != 1:  # claimed by someone a moment ago
        raise Refusal("claim_invalid")
    await session.refresh(pupil)
    await session.execute(update(HourEntry).where(HourEntry.pupil_id == pupil.id)
                          .values(user_id=user_id)
                          .execution_options(synchronize_session=False))
    user = await session.get(User, user_id)
    if user is not None and not user.full_name:
        user.full_name = pupil.full_name
    audit.record(session, "pupil.claimed", actor_id=user_id,
                 organisation_id=pupil.organisation_id, pupil_id=pupil.id)
    return pupil


async def promote(session: AsyncSession, class_id: int, *, actor_id: int,
                  is_admin: bool = False) -> SchoolClass | None:
    """Move the class up into the next school year; None when its pupils leave school
    (grade 12). Moving up twice changes nothing."""
    school_class = await class_for_organizer(session, class_id, actor_id, is_admin=is_admin)
    if school_class.promoted_to is not None:
        return await session.get(SchoolClass, school_class.promoted_to)
    if school_class.grade >= MAX_GRADE:
        raise Refusal("class_last_grade")
    name = ClassName(school_class.grade + 1, school_class.letter)
    following = await create_class(session, school_class.organisation_id, name,
                                   actor_id=actor_id, year=school_class.school_year + 1,
                                   is_admin=True)
    for pupil in await members(session, school_class.id):
        await _place(session, pupil, following)
    school_class.promoted_to = following.id
    audit.record(session, "class.promoted", actor_id=actor_id,
                 organisation_id=school_class.organisation_id, class_id=school_class.id,
                 to=following.id)
    return following


async def targets(session: AsyncSession, organisation_id: int) -> dict[int, int]:
    """Grade -> yearly target in minutes; a grade not listed has no target."""
    rows = await session.execute(select(GradeTarget.grade, GradeTarget.minutes).where(
        GradeTarget.organisation_id == organisation_id).order_by(GradeTarget.grade))
    return {int(grade): int(minutes) for grade, minutes in rows.all()}


async def set_target(session: AsyncSession, organisation_id: int, grade: int,
                     minutes: int | None, *, actor_id: int, is_admin: bool = False) -> None:
    """Set (or with None remove) the yearly target of `grade`."""
    await require_organizer(session, actor_id, organisation_id, is_admin=is_admin)
    if not MIN_GRADE <= grade <= MAX_GRADE:
        raise Refusal("class_name")
    if minutes is not None and not 0 < minutes <= MAX_TARGET_MINUTES:
        raise Refusal("target_range")
    await session.execute(delete(GradeTarget).where(
        GradeTarget.organisation_id == organisation_id, GradeTarget.grade == grade))
    if minutes is not None:
        session.add(GradeTarget(organisation_id=organisation_id, grade=grade, minutes=minutes))
    audit.record(session, "org.grade_target", actor_id=actor_id,
                 organisation_id=organisation_id, grade=grade, minutes=minutes)


async def grade_target_of(session: AsyncSession, user_id: int, year: int
                          ) -> tuple[int, int] | None:
    """(grade, target minutes) of the user's class in school year `year`, when their
    school sets a target for that grade."""
    query = (select(SchoolClass.grade, GradeTarget.minutes)
             .join(ClassMember, ClassMember.class_id == SchoolClass.id)
             .join(Pupil, Pupil.id == ClassMember.pupil_id)
             .join(GradeTarget, (GradeTarget.organisation_id == SchoolClass.organisation_id)
                   & (GradeTarget.grade == SchoolClass.grade))
             .where(Pupil.user_id == user_id, SchoolClass.school_year == year)
             .order_by(SchoolClass.id).limit(1))
    row = (await session.execute(query)).first()
    return (int(row[0]), int(row[1])) if row else None
