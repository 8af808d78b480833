"""Monthly target reminders: the pace rule ('behind'), the once-in-30-days rule, and who is
looked at, against a real database: pupils behind their grade's target get one reminder,
never in the quiet hours, never twice in 30 days (even when two runs race), never once they
passed, turned reminders off, or have no target."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery import kinds
from bot.services import hours, reminders, schools
from bot.services.reminders import Progress
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from bot.usecases import reminders as usecase
from tests.unit.school_world import school_world

AFTERNOON = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # 17:00 in Vilnius, 2026/27
ADMIN, TEACHER, BEHIND, PASSED, NO_TARGET, OWN_TARGET = 1, 2, 3, 4, 5, 6


@pytest.mark.parametrize(("day", "pace"), [
    (date(2026, 9, 1), None), (date(2026, 9, 30), None),  # the year has just begun
    (date(2026, 10, 1), 67), (date(2026, 11, 16), 134), (date(2027, 1, 31), 267),
    (date(2027, 5, 31), 534), (date(2027, 6, 1), 600),  # due by June
    (date(2027, 7, 1), None), (date(2027, 8, 31), None)])  # holidays: no reminders
def test_the_pace_is_a_ninth_of_the_target_a_month_from_october_to_june(
        day: date, pace: int | None) -> None:
    assert reminders.expected(600, day) == pace


@pytest.mark.parametrize(("approved", "pending", "is_behind"), [
    (0, 0, True), (133, 0, True), (134, 0, False),  # on pace in November: 134 of 600
    (60, 73, True), (60, 74, False),  # pending hours count: the pupil did them
    (600, 0, False), (700, 0, False)])  # passed
def test_behind_means_below_the_pace_with_pending_hours_counted(
        approved: int, pending: int, is_behind: bool) -> None:
    assert reminders.behind(Progress(approved, pending, 600), date(2026, 11, 16)) is is_behind


def test_passed_is_never_behind_even_in_june() -> None:
    assert not reminders.behind(Progress(600, 0, 600), date(2027, 6, 20))
    assert reminders.behind(Progress(599, 0, 600), date(2027, 6, 20))
    assert not reminders.behind(Progress(0, 0, 600), date(2027, 7, 20))  # holidays


def test_once_in_thirty_days() -> None:
    assert reminders.due(None, AFTERNOON)
    assert not reminders.due(AFTERNOON - timedelta(days=29, hours=23), AFTERNOON)
    assert reminders.due(AFTERNOON - timedelta(days=30), AFTERNOON)


def test_the_grade_target_wins_then_the_pupils_own_then_an_organisations() -> None:
    assert reminders.pick_target(600, 2400, 1200) == 600
    assert reminders.pick_target(None, 2400, 1200) == 2400
    assert reminders.pick_target(None, None, 1200) == 1200
    assert reminders.pick_target(None, None, None) is None


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A school with class 8B (grade 8: 10 h), three pupils in it (one behind, one who
    passed by attendance, one who turns reminders off in a test), a learner without any
    target and one with a target of their own."""
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        [school] = await school_world(
            session, (ADMIN, TEACHER, BEHIND, PASSED, NO_TARGET, OWN_TARGET), admin=ADMIN,
            teachers={"Utenos gimnazija": TEACHER})
        eight_b = await schools.create_class(session, school.id, schools.ClassName(8, "B"),
                                             actor_id=TEACHER, year=2026)
        await schools.join_class(session, eight_b.token, BEHIND, "Ona Onaitė")
        await schools.join_class(session, eight_b.token, PASSED, "Jonas Jonaitis")
        for n in range(2):
            entry, _new = await hours.log_entry(session, hours.NewEntry(
                user_id=PASSED, organisation_id=school.id, activity="Talka",
                day=date(2026, 10, 10 + n), minutes=300, key=f"passed-{n}"),
                now=AFTERNOON)
            await hours.decide(session, entry.id, organizer_id=TEACHER, approve=True)
        own = await session.get(User, OWN_TARGET)
        assert own is not None
        own.yearly_target_minutes = 40 * 60
    yield database
    await database.close()


async def queued(db: Database) -> list[tuple[int, str]]:
    async with db.transaction() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == kinds.TARGET_REMINDER).order_by(OutboxMessage.id))).all()
        return [(row.chat_id, row.text) for row in rows]


async def test_pupils_behind_get_one_reminder_a_month(db: Database) -> None:
    night = AFTERNOON.replace(hour=20)  # 22:00 in Vilnius
    assert await usecase.queue_all(db, night) == 0
    assert await queued(db) == []

    assert await usecase.queue_all(db, AFTERNOON) == 2
    # The pupil behind their grade's target and the learner behind their own; not the
    # pupil who passed, nor the learner without a target (nor the organizers).
    assert await queued(db) == [(BEHIND, str(BEHIND)), (OWN_TARGET, str(OWN_TARGET))]
    assert await usecase.queue_all(db, AFTERNOON + timedelta(hours=1)) == 0
    assert await usecase.queue_all(db, AFTERNOON + timedelta(days=29)) == 0
    assert await usecase.queue_all(db, AFTERNOON + timedelta(days=30)) == 2
    assert len(await queued(db)) == 4

    view = await usecase.reminder(db, BEHIND, AFTERNOON)
    assert view == usecase.Reminder(approved=0, pending=0, target=600, left=600)
    assert await usecase.reminder(db, BEHIND, night) is None  # never rendered at night
    assert await usecase.reminder(db, PASSED, AFTERNOON) is None
    assert await usecase.reminder(db, NO_TARGET, AFTERNOON) is None


async def test_turned_off_means_none_and_on_again_means_they_come_back(db: Database) -> None:
    profile = await usecase.set_reminders(db, BEHIND, False)
    assert profile is not None
    assert not profile.target_reminders
    assert await usecase.queue_all(db, AFTERNOON) == 1  # only the learner with a target
    assert await usecase.reminder(db, BEHIND, AFTERNOON) is None  # one queued before: dropped
    await usecase.set_reminders(db, BEHIND, True)
    assert await usecase.queue_all(db, AFTERNOON) == 1
    assert [chat for chat, _ref in await queued(db)] == [OWN_TARGET, BEHIND]


async def test_caught_up_pupils_are_left_alone(db: Database) -> None:
    async with db.transaction() as session:
        await hours.log_entry(session, hours.NewEntry(
            user_id=BEHIND, organisation_id=1, activity="Reading", day=date(2026, 11, 2),
            minutes=180, key="behind-1"), now=AFTERNOON)  # pending, above November's pace
    assert [chat for chat, _ref in await queued(db)] == []
    await usecase.queue_all(db, AFTERNOON)
    assert [chat for chat, _ref in await queued(db)] == [OWN_TARGET]


async def test_two_runs_at_once_queue_each_reminder_once(db: Database) -> None:
    results = await asyncio.gather(*(usecase.queue_all(db, AFTERNOON) for _ in range(3)))
    assert sum(results) == 2
    assert len(await queued(db)) == 2


async def test_pages_of_candidates_reach_everyone(db: Database) -> None:
    total, after, pages = 0, 0, 0
    while True:
        done = await usecase.queue_reminders(db, AFTERNOON, after=after, page=1)
        total, pages = total + done.queued, pages + 1
        if done.last is None:
            break
        after = done.last
    assert total == 2
    assert pages > 2
