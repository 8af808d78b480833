"""A pupil on a school's roster and their data: /mydata includes the roster record (school,
class, full name, how it became theirs); after /forgetme the record stays on the class list
as "Former pupil #<n>" with the approved hours (the school's report still counts them, as
the bot promises), with no name, account or claim code left."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.i18n import I18n
from bot.services import attendance, hours, privacy, reports, schools
from bot.storage.db import Database
from bot.storage.models import HourEntry, Pupil
from bot.usecases import profile as profile_usecase
from bot.usecases import schools as school_usecase
from tests.unit.school_world import school_world

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ADMIN, TEACHER, PUPIL, CLAIMER = 1, 2, 3, 4


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """Class 8B of a school: Ona joined by link and logged 3 approved hours with the school
    and 2 with a library; Petras was added by the teacher and claimed the record; both
    were marked present at a clean-up (2 hours)."""
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        school, library = await school_world(
            session, (ADMIN, TEACHER, PUPIL, CLAIMER), admin=ADMIN,
            teachers={"Utenos gimnazija": TEACHER, "Utenos biblioteka": TEACHER})
        eight_b = await schools.create_class(session, school.id, schools.ClassName(8, "B"),
                                             actor_id=TEACHER, year=2026)
        _class, ona = await schools.join_class(session, eight_b.token, PUPIL, "Ona Onaitė",
                                               now=NOW)
        petras = await schools.add_roster_pupil(session, eight_b.id, "Petras Petraitis",
                                                actor_id=TEACHER)
        await schools.claim(session, petras.claim_code or "", CLAIMER, now=NOW)
        for organisation, minutes, key in ((school.id, 180, "ona-1"),
                                           (library.id, 120, "ona-2")):
            entry, _new = await hours.log_entry(session, hours.NewEntry(
                user_id=PUPIL, organisation_id=organisation, activity="Reading",
                day=date(2026, 11, 2), minutes=minutes, key=key), now=NOW)
            await hours.decide(session, entry.id, organizer_id=TEACHER, approve=True)
        await hours.log_entry(session, hours.NewEntry(
            user_id=PUPIL, organisation_id=school.id, activity="Waiting", day=date(2026, 11, 3),
            minutes=60, key="ona-3"), now=NOW)
        await attendance.record(session, school.id, [ona.id, petras.id], actor_id=TEACHER,
                                activity="Park clean-up", day=date(2026, 11, 5), minutes=120,
                                key="att", now=NOW)
    yield database
    await database.close()


async def test_mydata_lists_the_roster_records(db: Database) -> None:
    async with db.transaction() as session:
        ona = await privacy.personal_data(session, PUPIL)
        petras = await privacy.personal_data(session, CLAIMER)
    assert ona["school_records"] == [{
        "school": "Utenos gimnazija", "full_name": "Ona Onaitė", "claim": "joined_by_link",
        "since": NOW.isoformat(), "classes": [{"school_year": "2026/2027", "class": "8B"}]}]
    assert petras["school_records"][0]["claim"] == "claimed_with_code"
    assert petras["school_records"][0]["full_name"] == "Petras Petraitis"
    assert ona["user"]["full_name"] == "Ona Onaitė"
    assert ona["user"]["target_reminders"] is True


async def test_forgetme_keeps_the_hours_on_the_class_list_without_the_name(
        db: Database, i18n: I18n) -> None:
    await profile_usecase.forget(db, PUPIL)
    async with db.transaction() as session:
        record = (await session.scalars(select(Pupil).where(
            Pupil.full_name != "Petras Petraitis"))).one()
        assert (record.user_id, record.full_name, record.claim_code) == (None, "", None)
        kept = list((await session.scalars(select(HourEntry).where(
            HourEntry.pupil_id == record.id).order_by(HourEntry.id))).all())
        with i18n.use("en"):
            report = await reports.build(session, 1, 2026)
            library = await reports.build(session, 2, 2026)
    # The two approved entries and the attendance stay with the record; the pending one
    # is erased, as before.
    assert sorted(e.minutes for e in kept) == [120, 120, 180]
    assert all(e.user_id is None and e.note is None for e in kept)
    former = f"Former pupil #{record.id}"
    assert [(row.full_name, row.approved, row.pending) for row in report.pupils] == [
        (former, 420, 0), ("Petras Petraitis", 120, 0)]
    assert {row.participant for row in report.activities} == {former, "Petras Petraitis"}
    assert [row.participant for row in library.activities] == [former]
    assert "Ona" not in repr(report) + repr(library)

    with i18n.use("lt"):
        card = await school_usecase.overview(db, TEACHER, now=NOW)
    assert [p.full_name for p in card.classes[0].pupils] == [
        f"Buvęs mokinys Nr. {record.id}", "Petras Petraitis"]
