"""Crash safety of delivery: a real sender process (tests/delivery_worker.py) SIGKILLed in the
middle of a broadcast of 300, then started again, repeats at most the messages in flight:
one with one send at a time, at most four with the default four (whose outcomes are
stored in shared transactions: none already sent is sent again)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import OutboxMessage, OutboxStatus
from tests.conftest import REPO, subprocess_env
from tests.fakes import FakeBotAPI
from tests.unit.test_delivery import FIRST_USER, queue, rows
from tests.unit.test_delivery import flood_fake as flood_fake  # a fixture


@pytest.mark.parametrize("in_flight", [1, 4])
async def test_a_killed_sender_repeats_at_most_the_messages_in_flight(
    db: Database, db_url: str, flood_fake: FakeBotAPI, tmp_path: Path, in_flight: int
) -> None:
    chats = [FIRST_USER + i for i in range(300)]
    for chat in chats:
        flood_fake.user(chat)
    await queue(db, chats)
    command = [sys.executable, "-m", "tests.delivery_worker", db_url, flood_fake.url,
               flood_fake.token, "--rate", "28", "--timeout", "30",
               "--concurrency", str(in_flight)]
    log_path = tmp_path / "worker.log"

    def delivered() -> int:
        return sum(len(flood_fake.delivered(chat)) for chat in chats)

    with log_path.open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            *command, cwd=REPO, env=subprocess_env(), stdout=log, stderr=log)
        deadline = time.monotonic() + 40  # a loaded machine starts a process slowly
        while delivered() < 100:
            assert worker.returncode is None, log_path.read_text()
            assert time.monotonic() < deadline, "the worker did not get to 100 messages"
            await asyncio.sleep(0.005)
        worker.kill()  # SIGKILL: no clean-up of any kind
        await worker.wait()
        at_kill = delivered()
        async with db.transaction() as session:
            stranded = await session.scalar(select(func.count()).where(
                OutboxMessage.status == OutboxStatus.SENDING.value))
        assert at_kill < len(chats)
        assert stranded

        again = await asyncio.create_subprocess_exec(
            *command, cwd=REPO, env=subprocess_env(), stdout=log, stderr=log)
        assert await asyncio.wait_for(again.wait(), 30) == 0, log_path.read_text()

    missing = [chat for chat in chats if not flood_fake.delivered(chat)]
    twice = [chat for chat in chats if len(flood_fake.delivered(chat)) > 1]
    assert missing == []
    assert len(twice) <= in_flight, twice  # only the messages in flight at the kill
    assert {r.status for r in await rows(db)} == {"sent"}
