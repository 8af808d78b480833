"""Schools at the service level: classes, joining by link, roster pupils and their claim
codes, moving up a grade, targets per grade, and attendance recorded by an organizer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services import attendance, orgs, schools
from bot.services.errors import Refusal
from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.storage.models import EntryStatus, HourEntry, Membership, Organisation, User

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # in the 2026/27 school year
TODAY = date(2026, 11, 20)
ADMIN, TEACHER, OTHER_TEACHER, PUPIL, LATECOMER = 1, 2, 3, 4, 5


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        for uid in (ADMIN, TEACHER, OTHER_TEACHER, PUPIL, LATECOMER):
            await touch_user(session, SeenUser(uid, f"User {uid}", None, "lt"),
                             is_admin=uid == ADMIN)
        school = await orgs.create_organisation(session, "Utenos gimnazija", actor_id=ADMIN,
                                                is_admin=True)
        other = await orgs.create_organisation(session, "Molėtų progimnazija",
                                               actor_id=ADMIN, is_admin=True)
        session.add(Membership(organisation_id=school.id, user_id=TEACHER))
        session.add(Membership(organisation_id=other.id, user_id=OTHER_TEACHER))
    yield database
    await database.close()


@pytest.mark.parametrize(("text", "grade", "letter"), [
    ("8B", 8, "B"), ("8 b", 8, "B"), ("10a", 10, "A"), ("12", 12, ""), ("5Ž", 5, "Ž")])
def test_class_names_as_teachers_type_them(text: str, grade: int, letter: str) -> None:
    assert schools.parse_class_name(text) == schools.ClassName(grade, letter)


@pytest.mark.parametrize("text", ["", "B8", "13A", "0A", "8ABCDE", "8-B", "٨B"])
def test_class_names_refused(text: str) -> None:
    with pytest.raises(Refusal) as refused:
        schools.parse_class_name(text)
    assert refused.value.code == "class_name"


async def test_first_class_makes_a_school_with_the_lithuanian_preset(db: Database) -> None:
    async with db.transaction() as session:
        with pytest.raises(Refusal, match="not_your_org"):
            await schools.create_class(session, 1, schools.ClassName(8, "B"),
                                       actor_id=OTHER_TEACHER, year=2026)
        first = await schools.create_class(session, 1, schools.ClassName(8, "B"),
                                           actor_id=TEACHER, year=2026)
        again = await schools.create_class(session, 1, schools.ClassName(8, "B"),
                                           actor_id=TEACHER, year=2026)
        assert first.id == again.id
        organisation = await session.get(Organisation, 1)
        assert organisation is not None
        assert organisation.is_school
        assert await schools.targets(session, 1) == {5: 600, 6: 600, 7: 600, 8: 600,
                                                     9: 1200, 10: 1200}
        await schools.set_target(session, 1, 8, 900, actor_id=TEACHER)
        await schools.set_target(session, 1, 5, None, actor_id=TEACHER)
        assert (await schools.targets(session, 1))[8] == 900
        assert 5 not in await schools.targets(session, 1)
        assert await schools.targets(session, 2) == {}  # no target assumed without one


async def test_join_claim_promote_and_attendance(db: Database) -> None:
    async with db.transaction() as session:
        eight_b = await schools.create_class(session, 1, schools.ClassName(8, "B"),
                                             actor_id=TEACHER, year=2026)
        eight_a = await schools.create_class(session, 1, schools.ClassName(8, "A"),
                                             actor_id=TEACHER, year=2026)
        token_a, token_b = eight_a.token, eight_b.token
        class_b = eight_b.id
    async with db.transaction() as session:
        # Joining another class of the same year moves the pupil, never duplicates them.
        await schools.join_class(session, token_a, PUPIL, "  Ona   Onaitė ")
        _, pupil = await schools.join_class(session, token_b, PUPIL, "Ona Onaitė")
        assert [p.id for p in await schools.members(session, class_b)] == [pupil.id]
        assert await schools.members(session, eight_a.id) == []
        user = await session.get(User, PUPIL)
        assert user is not None
        assert user.full_name == "Ona Onaitė"
        with pytest.raises(Refusal, match="organizer_not_pupil"):
            await schools.join_class(session, token_b, TEACHER, "Mokytoja")
        with pytest.raises(Refusal, match="class_link_invalid"):
            await schools.join_class(session, "nope", PUPIL, "Ona Onaitė")
        roster = await schools.add_roster_pupil(session, class_b, "Petras Petraitis",
                                                actor_id=TEACHER)
        assert roster.user_id is None
        assert roster.claim_code
        with pytest.raises(Refusal, match="not_your_org"):
            await schools.add_roster_pupil(session, class_b, "X Y", actor_id=OTHER_TEACHER)
        code, roster_id, pupil_id = roster.claim_code, roster.id, pupil.id

    async with db.transaction() as session:
        with pytest.raises(Refusal, match="not_your_org"):
            await attendance.record(session, 1, [roster_id], actor_id=OTHER_TEACHER,
                                    activity="Talka", day=TODAY, minutes=120, key="a", now=NOW)
        done = await attendance.record(session, 1, [roster_id, pupil_id, roster_id],
                                       actor_id=TEACHER, activity="Talka", day=TODAY,
                                       minutes=120, key="att:1", now=NOW)
        assert [r.new for r in done] == [True, True]
        again = await attendance.record(session, 1, [roster_id], actor_id=TEACHER,
                                        activity="Talka", day=TODAY, minutes=120,
                                        key="att:1", now=NOW)
        assert again[0].entry_id == done[0].entry_id
        assert not again[0].new
        stored = list((await session.scalars(select(HourEntry).order_by(HourEntry.id))).all())
        assert [(e.user_id, e.pupil_id, e.status, e.decided_by) for e in stored] == [
            (None, roster_id, EntryStatus.APPROVED, TEACHER),
            (PUPIL, pupil_id, EntryStatus.APPROVED, TEACHER)]

    async with db.transaction() as session:
        with pytest.raises(Refusal, match="already_pupil"):
            await schools.claim(session, code or "", PUPIL)
    async with db.transaction() as session:
        claimed = await schools.claim(session, (code or "").lower().replace("-", ""),
                                      LATECOMER, now=NOW)
        assert claimed.user_id == LATECOMER
        assert claimed.claim_code is None
        entry = (await session.scalars(select(HourEntry).where(
            HourEntry.pupil_id == roster_id))).one()
        assert entry.user_id == LATECOMER  # the hours come along
    async with db.transaction() as session:
        with pytest.raises(Refusal, match="claim_invalid"):  # one time only
            await schools.claim(session, code or "", PUPIL)
        assert await schools.grade_target_of(session, LATECOMER, 2026) == (8, 600)

    async with db.transaction() as session:
        nine_b = await schools.promote(session, class_b, actor_id=TEACHER)
        assert nine_b is not None
        assert (nine_b.grade, nine_b.letter, nine_b.school_year) == (9, "B", 2027)
        assert await schools.promote(session, class_b, actor_id=TEACHER) == nine_b
        assert {p.id for p in await schools.members(session, nine_b.id)} == {
            pupil_id, roster_id}
        assert await schools.grade_target_of(session, PUPIL, 2027) == (9, 1200)
        assert len(await schools.members(session, class_b)) == 2  # last year's class kept
