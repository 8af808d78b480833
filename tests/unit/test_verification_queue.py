"""The verification queue's rules (bot/services/verification_queue.py): who a pupil is as the
school knows them, pages of what waits, and the reminder at most once a week."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.services import hours, orgs, schools, verification_queue
from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.storage.models import HourEntry, Membership, User

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # in the 2026/27 school year
ADMIN, TEACHER, ONA, LINA = 1, 2, 4, 5


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """Utenos gimnazija (its teacher; Ona in 7B last year and 8B this year) and a
    library; Lina is on no roster."""
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        for uid, name in ((ADMIN, "Admin"), (TEACHER, "Teacher"), (ONA, "Oniukas"),
                          (LINA, "Lina")):
            await touch_user(session, SeenUser(uid, name, None, "lt"), is_admin=uid == ADMIN)
        school = await orgs.create_organisation(session, "Utenos gimnazija", actor_id=ADMIN,
                                                is_admin=True)
        library = await orgs.create_organisation(session, "Utenos biblioteka",
                                                 actor_id=ADMIN, is_admin=True)
        session.add(Membership(organisation_id=school.id, user_id=TEACHER))
        session.add(Membership(organisation_id=library.id, user_id=TEACHER))
        await session.flush()
        last = await schools.create_class(session, school.id, schools.ClassName(7, "B"),
                                          actor_id=TEACHER, year=2025)
        await schools.join_class(session, last.token, ONA, "Ona Onaitė", now=NOW)
        await schools.promote(session, last.id, actor_id=TEACHER)
    yield database
    await database.close()


async def log(db: Database, user_id: int, organisation_id: int, day: date, key: str) -> None:
    async with db.transaction() as session:
        await hours.log_entry(session, hours.NewEntry(
            user_id=user_id, organisation_id=organisation_id, activity="Talka", day=day,
            minutes=60, key=key), now=NOW)


async def test_pupils_are_named_and_placed_as_the_school_knows_them(db: Database) -> None:
    await log(db, ONA, 2, date(2026, 11, 18), "this-year")  # with the library
    await log(db, ONA, 1, date(2026, 3, 2), "last-year")  # with the school, in 7B
    await log(db, LINA, 1, date(2026, 11, 18), "lina")
    async with db.transaction() as session:
        waiting = await hours.pending_for(session, TEACHER)
        who = await verification_queue.identities(session, waiting)
    shown = [(who[e.id].full_name, who[e.id].school_class, who[e.id].school) for e in waiting]
    assert shown == [("Ona Onaitė", "8B", "Utenos gimnazija"),
                     ("Ona Onaitė", "7B", "Utenos gimnazija"),
                     ("Lina", None, None)]


async def test_pages_hold_five_and_the_last_page_is_kept(db: Database) -> None:
    for n in range(7):
        await log(db, LINA, 1, date(2026, 11, 1 + n), f"n{n}")
    async with db.transaction() as session:
        first = await verification_queue.page_of(session, TEACHER, 0)
        beyond = await verification_queue.page_of(session, TEACHER, 9)
        nobody = await verification_queue.page_of(session, ONA, 0)
    assert (len(first.entries), first.pages, first.total) == (5, 2, 7)
    assert (beyond.page, len(beyond.entries)) == (1, 2)  # entries decided meanwhile
    assert (nobody.entries, nobody.pages, nobody.total) == ([], 1, 0)


async def test_a_reminder_at_most_once_a_week_for_entries_older_than_a_week(
        db: Database) -> None:
    await log(db, LINA, 1, date(2026, 11, 18), "lina")
    async with db.transaction() as session:
        assert await verification_queue.due_reminders(session, NOW) == {}
        await session.execute(update(HourEntry).values(created_at=NOW - timedelta(days=8)))
        assert await verification_queue.due_reminders(session, NOW) == {TEACHER: 1}
        assert await verification_queue.mark_reminded(session, TEACHER, NOW)
        assert not await verification_queue.mark_reminded(session, TEACHER, NOW)  # a twin
        for later in (timedelta(days=1), timedelta(days=6, hours=23)):
            assert await verification_queue.due_reminders(session, NOW + later) == {}
        assert await verification_queue.due_reminders(
            session, NOW + timedelta(days=7)) == {TEACHER: 1}
        # Not to an organizer who cannot be reached.
        await session.execute(update(User).where(User.id == TEACHER).values(reachable=False))
        assert await verification_queue.due_reminders(
            session, NOW + timedelta(days=7)) == {}
