"""Attendance as the use case runs it: the ticked pupils on Telegram earn the badges their
hours bring and are told through the outbox (never at night), a roster pupil without
Telegram gets nothing queued, and the notice is rendered from the entry as it is then."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.delivery import kinds
from bot.services import badges, schools
from bot.storage.db import Database
from bot.storage.models import BadgeAward, BadgeRule, HourEntry, OutboxMessage
from bot.usecases import attendance
from tests.unit.school_world import school_world

NIGHT = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)  # 23:30 in Vilnius: quiet hours
MORNING = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # 08:00 in Vilnius, when they end
NOON = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ADMIN, TEACHER, PUPIL = 1, 2, 3


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        [school] = await school_world(session, (ADMIN, TEACHER, PUPIL), admin=ADMIN,
                                      teachers={"Utenos gimnazija": TEACHER})
        eight_b = await schools.create_class(session, school.id, schools.ClassName(8, "B"),
                                             actor_id=TEACHER, year=2026)
        await schools.join_class(session, eight_b.token, PUPIL, "Ona Onaitė")
        await schools.add_roster_pupil(session, eight_b.id, "Petras Petraitis",
                                       actor_id=TEACHER)
        await badges.create_badge(session, school.id, actor_id=TEACHER, name="Talkininkas",
                                  description="Helps", criteria="2 hours",
                                  rule=BadgeRule.HOURS, hours_minutes=120)
    yield database
    await database.close()


async def tick_everyone_and_save(db: Database, now: datetime) -> attendance.Saved:
    classes = await attendance.start(db, TEACHER, "Park clean-up", 120, now=now)
    sheet = await attendance.choose_class(db, TEACHER, classes[0].id)
    for pupil_id, _name, _ticked in sheet.pupils:
        await attendance.toggle(db, TEACHER, pupil_id, 0)
    return await attendance.save(db, TEACHER, now=now)


async def test_the_pupil_on_telegram_earns_the_badge_and_hears_after_the_quiet_hours(
        db: Database) -> None:
    saved = await tick_everyone_and_save(db, NIGHT)
    assert sorted(saved.recorded) == ["Ona Onaitė", "Petras Petraitis"]
    async with db.transaction() as session:
        notices = list((await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == kinds.ATTENDED))).all())
        entry = (await session.scalars(select(HourEntry).where(
            HourEntry.user_id == PUPIL))).one()
        awards = list((await session.scalars(select(BadgeAward))).all())
    # Only the pupil with a Telegram account: the roster pupil has no chat to tell.
    assert [(n.chat_id, n.text) for n in notices] == [(PUPIL, str(entry.id))]
    assert notices[0].not_before == MORNING  # not at 23:30: after 08:00
    assert [a.user_id for a in awards] == [PUPIL]  # the hours earned the badge

    view = await attendance.attended(db, entry.id, PUPIL)
    assert view == attendance.Attended("Utenos gimnazija", "Park clean-up", entry.day, 120)
    assert await attendance.attended(db, entry.id, TEACHER) is None  # not theirs


async def test_by_day_the_notice_goes_at_once(db: Database) -> None:
    await tick_everyone_and_save(db, NOON)
    async with db.transaction() as session:
        notice = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == kinds.ATTENDED))).one()
    assert notice.not_before == NOON
