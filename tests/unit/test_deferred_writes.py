"""Writes put off to an update's next transaction (bot/storage/deferred.py) and SQLite
transactions taking turns in a web process (`Database.take_turns`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.users import SeenUser, record_seen
from bot.storage import deferred
from bot.storage.db import Database
from bot.storage.models import User


def record(user_id: int) -> deferred.Write:
    async def write(session: Any) -> None:
        await record_seen(session, SeenUser(user_id, "Ona", None, "lt"), is_admin=False)
    return write


async def users(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.scalars(select(User.id).order_by(User.id))).all())


async def test_without_an_update_collecting_a_deferred_write_is_written_at_once(
    db: Database,
) -> None:
    await db.defer(record(1))
    assert await users(db) == [1]


async def test_a_deferred_write_goes_first_in_the_updates_next_transaction(
    db: Database,
) -> None:
    with deferred.collecting() as put_off:
        await db.defer(record(2))
        assert put_off
        assert await _count_outside(db) == 0  # not written yet
        async with db.transaction() as session:
            assert await session.get(User, 2) is not None  # there before anything else
        assert not put_off
    assert await users(db) == [2]


async def test_a_transaction_that_does_not_commit_gives_its_deferred_writes_back(
    db: Database,
) -> None:
    with deferred.collecting() as put_off:
        await db.defer(record(3))
        with pytest.raises(RuntimeError):
            async with db.transaction():
                raise RuntimeError("a rule said no")
        assert put_off  # still waiting
        assert await _count_outside(db) == 0
        async with db.transaction() as session:
            await put_off.run(session)  # as the transaction that marks the update done
    assert await users(db) == [3]


async def _count_outside(db: Database) -> int:
    """Users, read outside the update (a task of its own: nothing put off runs)."""
    async def count() -> int:
        with deferred.collecting():
            return len(await users(db))
    return await asyncio.create_task(count())


async def test_sqlite_transactions_take_turns_and_a_nested_one_does_not_wait(
    db: Database,
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL transactions do not take turns")
    db.take_turns()
    inside: list[int] = []
    overlaps: list[int] = []

    async def work(n: int) -> None:
        async with db.transaction() as session:
            if inside:
                overlaps.append(n)
            inside.append(n)
            await record_seen(session, SeenUser(100 + n, "Ona", None, "lt"), is_admin=False)
            await asyncio.sleep(0.01)
            async with db.transaction() as nested:  # would wait for itself if it queued
                await nested.get(User, 100 + n)
            inside.remove(n)

    await asyncio.wait_for(asyncio.gather(*(work(n) for n in range(8))), 30)
    assert overlaps == []
    assert await users(db) == [100 + n for n in range(8)]
