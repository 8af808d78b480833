"""Limits that must hold when many updates race, each in its own transaction and connection
(as in several webhook processes): a single-use invite makes one organizer, a pupil's day
holds at most 24 hours, an organisation sends at most three broadcasts a day.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set (the `db_url` fixture);
the invite through two real webhook processes: tests/system/test_limits_processes.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import broadcasts, hours, orgs
from bot.services.errors import Refusal
from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.storage.models import (
    Broadcast,
    EntryStatus,
    HourEntry,
    Invite,
    Membership,
    User,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
ADMIN, PUPIL = 1, 4
RACERS = list(range(100, 108))  # eight people at once


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        for uid in (ADMIN, PUPIL, *RACERS):
            await touch_user(session, SeenUser(uid, f"User {uid}", None, "lt"),
                             is_admin=uid == ADMIN)
        school = await orgs.create_organisation(session, "Utenos gimnazija", actor_id=ADMIN,
                                                is_admin=True)
        for uid in RACERS:
            session.add(Membership(organisation_id=school.id, user_id=uid))
    yield database
    await database.close()


Job = Callable[[Any], Awaitable[object]]  # work given a session


def accept(token: str, user_id: int) -> Job:
    async def job(session: Any) -> object:
        return await orgs.accept_invite(session, token, user_id, NOW)
    return job


async def race(db: Database, work: list[Job]) -> list[str]:
    """Each piece of work in a transaction of its own, all at once; "ok" or the refusal."""
    start = asyncio.Event()

    async def one(job: Job) -> str:
        await start.wait()
        try:
            async with db.transaction() as session:
                await job(session)
        except Refusal as refusal:
            return refusal.code
        return "ok"

    tasks = [asyncio.create_task(one(job)) for job in work]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)


async def single_use_invite(db: Database, now: datetime = NOW) -> Invite:
    """A single-use invite to a second organisation, which nobody organizes yet."""
    async with db.transaction() as session:
        second = await orgs.create_organisation(session, "Gyvūnų prieglauda", actor_id=ADMIN,
                                                is_admin=True)
        return await orgs.create_invite(session, second.id, actor_id=ADMIN, is_admin=True,
                                        now=now)


async def test_a_single_use_invite_makes_exactly_one_organizer(db: Database) -> None:
    invite = await single_use_invite(db)
    outcomes = await race(db, [accept(invite.token, uid) for uid in RACERS])
    async with db.transaction() as session:
        members = (await session.scalars(select(Membership.user_id).where(
            Membership.organisation_id == invite.organisation_id))).all()
        stored = await session.get(Invite, invite.id)
    assert len(members) == 1, outcomes
    assert sorted(outcomes) == ["invite_expired"] * 7 + ["ok"]
    assert stored is not None
    assert stored.uses == 1


async def test_a_single_use_invite_opened_twice_at_once_by_one_person(db: Database) -> None:
    invite = await single_use_invite(db)
    outcomes = await race(db, [accept(invite.token, PUPIL)] * 2)
    assert outcomes == ["ok", "ok"]  # a double tap is harmless
    async with db.transaction() as session:
        pupil = await session.get(User, PUPIL)
    assert pupil is not None
    assert pupil.role == "organizer"


async def test_a_pupils_day_never_holds_more_than_24_hours(db: Database) -> None:
    # Eight confirmations of 5 hours for the same day at once: four fit, 20 hours.
    def log(n: int) -> Job:
        async def job(session: Any) -> object:
            return await hours.log_entry(session, hours.NewEntry(
                user_id=PUPIL, organisation_id=1, activity="Talka", day=TODAY,
                minutes=5 * 60, key=f"race-{n}"), NOW)
        return job

    outcomes = await race(db, [log(n) for n in range(8)])
    async with db.transaction() as session:
        logged = await session.scalar(select(func.sum(HourEntry.minutes)).where(
            HourEntry.user_id == PUPIL, HourEntry.day == TODAY,
            HourEntry.status != EntryStatus.REJECTED.value))
    assert logged == 20 * 60, outcomes
    assert sorted(outcomes) == ["day_full"] * 4 + ["ok"] * 4


async def test_an_organisation_never_sends_more_than_three_broadcasts_a_day(
    db: Database,
) -> None:
    drafts = []
    async with db.transaction() as session:
        for author in RACERS:
            draft = await broadcasts.start(session, author, 1, is_admin=False)
            draft.text, draft.audience = f"Atvirų durų diena {author}", "followers"
            drafts.append(draft.id)

    def confirm(broadcast_id: int) -> Job:
        async def job(session: Any) -> object:
            draft = await session.get(Broadcast, broadcast_id)
            return await broadcasts.confirm(session, draft, NOW)
        return job

    outcomes = await race(db, [confirm(broadcast_id) for broadcast_id in drafts])
    async with db.transaction() as session:
        sent = await broadcasts.sent_today(session, 1, NOW)
    assert sent == broadcasts.DAILY_LIMIT, outcomes
    assert sorted(outcomes) == ["broadcast_limit"] * 5 + ["ok"] * 3


