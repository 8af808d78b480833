"""The worker and its leadership: the SQLite file lock, the PostgreSQL advisory lock (only
with TEST_POSTGRES_URL), the worker in this process against the fake Bot API (standby,
active, a lost lock, a failed start). The takeover between two real processes:
tests/system/test_worker_takeover.py."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.error import InvalidToken

from bot.config import ConfigError, Settings
from bot.context import TakasApplication
from bot.i18n import I18n
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from bot.transports import worker
from bot.transports.leader import (
    AdvisoryLeadership,
    FileLeadership,
    SoleLeadership,
    leadership_for,
    lock_path,
)
from tests.fakes import FakeBotAPI

CHAT = 4242
POLL = 0.2  # s: the standby's poll in these tests (2 s in production)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """These tests are about the lock file beside a SQLite database: always SQLite, also when
    the rest of the suite runs on PostgreSQL (the advisory lock has its own test below)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'takas.sqlite3'}"


@pytest.fixture
def lock_file(db_url: str) -> Path:
    path = lock_path(db_url)
    assert path is not None
    return path


async def queue(db: Database, key: str, message: str, chat: int = CHAT) -> None:
    async with db.transaction() as session:
        await outbox.enqueue(session, dedupe_key=key, chat_id=chat, kind="alert", text=message)


async def statuses(db: Database) -> list[str]:
    async with db.transaction() as session:
        return list(await session.scalars(select(OutboxMessage.status)
                                          .order_by(OutboxMessage.id)))


async def settled(db: Database, expected: list[str], timeout: float = 5) -> None:  # noqa: ASYNC109
    """Wait until the outbox rows have `expected` statuses (the sender marks a row just
    after Telegram answered)."""
    deadline = time.monotonic() + timeout
    while (found := await statuses(db)) != expected:
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)


# -- choosing the lock --------------------------------------------------------------------


def test_each_database_gets_its_kind_of_lock(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'takas.sqlite3'}"
    chosen = leadership_for(url, poll=1.5)
    assert isinstance(chosen, FileLeadership)
    assert chosen.path == tmp_path / "data" / "takas.sqlite3.worker.lock"
    assert chosen.poll == 1.5
    assert isinstance(leadership_for("sqlite+aiosqlite://"), SoleLeadership)
    assert isinstance(leadership_for("sqlite+aiosqlite:///:memory:"), SoleLeadership)
    advisory = leadership_for("postgresql://takas:secret@db.example/takas")
    assert isinstance(advisory, AdvisoryLeadership)  # nothing is connected yet
    assert advisory.url.drivername == "postgresql+asyncpg"
    assert "secret" not in advisory.describe()
    with pytest.raises(ValueError, match="mysql"):
        leadership_for("mysql://localhost/takas")


# -- the SQLite file lock -----------------------------------------------------------------


async def test_the_file_lock_has_one_holder_until_released(lock_file: Path) -> None:
    first, second = FileLeadership(lock_file, poll=0.05), FileLeadership(lock_file, poll=0.05)
    assert await first.try_acquire()
    assert first.held
    assert (await asyncio.to_thread(lock_file.read_text)).strip() == str(os.getpid())
    assert not await second.try_acquire()
    assert not second.held
    assert await first.still_held()

    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.3, stop.set)
    started = time.monotonic()
    assert not await second.acquire(stop)  # kept waiting until stopped
    assert time.monotonic() - started >= 0.3

    waiting = asyncio.create_task(second.acquire())
    await asyncio.sleep(0.2)
    assert not waiting.done()
    released = time.monotonic()
    await first.release()
    assert await asyncio.wait_for(waiting, 2)
    assert time.monotonic() - released < 0.5  # within a poll
    assert await second.still_held()
    assert not await first.try_acquire()
    await second.release()
    await second.release()  # harmless twice
    async with first:
        assert first.held
    assert not first.held


async def test_a_dead_holder_frees_the_file_lock(lock_file: Path) -> None:
    code = ("import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n")
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(lock_file), stdout=asyncio.subprocess.PIPE)
    try:
        assert holder.stdout is not None
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"locked\n"
        mine = FileLeadership(lock_file, poll=0.05)
        assert not await mine.try_acquire()
        holder.kill()
        await holder.wait()
        assert await asyncio.wait_for(mine.acquire(), 2)
        await mine.release()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_a_deleted_lock_file_counts_as_lost(lock_file: Path) -> None:
    mine = FileLeadership(lock_file, poll=0.05)
    assert await mine.try_acquire()
    assert not await mine.wait_lost(_set_after(0.2))  # still ours: stopped, not lost
    await asyncio.to_thread(lock_file.unlink)
    assert not await mine.still_held()
    assert await asyncio.wait_for(mine.wait_lost(asyncio.Event()), 2)
    # A new file is a new lock: someone else may hold it now.
    other = FileLeadership(lock_file)
    assert await other.try_acquire()
    await other.release()
    await mine.release()


def _set_after(seconds: float) -> asyncio.Event:
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, event.set)
    return event


# -- the PostgreSQL advisory lock ---------------------------------------------------------

PG_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server: set TEST_POSTGRES_URL="
                    "postgresql://USER:PASSWORD@127.0.0.1/DB to test the advisory lock")
async def test_the_advisory_lock_is_exclusive_and_dies_with_its_connection() -> None:
    assert PG_URL is not None
    key = random.randrange(1, 2**62)  # not the real key: a deployment may share the server
    first = AdvisoryLeadership(PG_URL, key=key, poll=0.05)
    second = AdvisoryLeadership(PG_URL, key=key, poll=0.05)
    admin = create_async_engine(first.url)
    try:
        assert await first.try_acquire()
        assert await first.try_acquire()  # already ours
        assert not await second.try_acquire()
        assert await first.still_held()
        assert not await second.still_held()

        await first.release()
        assert await asyncio.wait_for(second.acquire(), 2)
        assert not await first.try_acquire()

        # The holder's connection dies (a crash, a restart of the server): the lock goes
        # with it, the holder notices, and the standby takes over.
        assert second._connection is not None
        backend = await second._connection.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as connection:
            assert await connection.scalar(text("SELECT pg_terminate_backend(:pid)"),
                                           {"pid": backend})
        assert await asyncio.wait_for(second.wait_lost(), 5)
        assert not second.held
        assert await asyncio.wait_for(first.acquire(), 2)
        assert await first.still_held()
        # A negative key splits into pg_locks' classid/objid the same way.
        negative = AdvisoryLeadership(PG_URL, key=-key, poll=0.05)
        assert await negative.try_acquire()
        assert await negative.still_held()
        await negative.release()
    finally:
        await first.release()
        await second.release()
        await admin.dispose()


# -- the worker in this process -----------------------------------------------------------


class Activations:
    """Records each application the worker made active (`on_active`)."""

    def __init__(self) -> None:
        self.applications: list[TakasApplication] = []
        self._changed = asyncio.Event()

    def __call__(self, application: TakasApplication) -> None:
        self.applications.append(application)
        self._changed.set()

    async def wait(self, count: int = 1, timeout: float = 10) -> TakasApplication:  # noqa: ASYNC109
        async def reached() -> None:
            while len(self.applications) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(reached(), timeout)
        return self.applications[count - 1]


@pytest.fixture
async def start_worker(
    bot_settings: Settings, i18n: I18n
) -> AsyncIterator[Callable[..., tuple[asyncio.Task[None], Activations]]]:
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    def start(settings: Settings | None = None, **options: Any
              ) -> tuple[asyncio.Task[None], Activations]:
        activations = Activations()
        task = asyncio.create_task(worker.run(settings or bot_settings, i18n, stop=stop,
                                              poll=POLL, on_active=activations, **options))
        tasks.append(task)
        return task, activations

    yield start
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)


async def test_the_worker_stands_by_then_runs_the_jobs_and_the_sender_without_updates(
    start_worker: Callable[..., tuple[asyncio.Task[None], Activations]],
    fake: FakeBotAPI, db: Database, lock_file: Path,
) -> None:
    holder = FileLeadership(lock_file)
    assert await holder.try_acquire()  # another worker is active
    task, activations = start_worker()
    await asyncio.sleep(3 * POLL)
    assert activations.applications == []
    assert fake.requests == []  # a standby does not even log in

    await holder.release()
    application = await activations.wait()
    assert application.running
    assert application.job_queue is not None
    jobs = {job.name for job in application.job_queue.jobs()}
    assert {"verification-digest", "broadcast-progress", "alert-digests"} <= jobs
    assert "feed-sync" not in jobs  # FEED_SYNC_INTERVAL=0
    assert application.bot_data.sender.exclusive
    assert fake.calls("getMe")
    assert fake.calls("setMyCommands")
    assert not await holder.try_acquire()  # the worker holds the lock now

    fake.user(CHAT)
    await queue(db, "hello", "Hello from the worker")
    await fake.wait_for_messages(CHAT)
    assert fake.delivered(CHAT) == ["Hello from the worker"]
    # Updates are never received: no polling, no webhook.
    assert fake.calls("getUpdates") == []
    assert fake.calls("setWebhook") == []
    assert not task.done()


async def test_the_worker_stops_on_stop_and_frees_the_lock(
    bot_settings: Settings, i18n: I18n, fake: FakeBotAPI, lock_file: Path
) -> None:
    stop = asyncio.Event()
    activations = Activations()
    task = asyncio.create_task(worker.run(bot_settings, i18n, stop=stop, poll=POLL,
                                          on_active=activations))
    application = await activations.wait()
    stop.set()
    await asyncio.wait_for(task, 10)
    assert not application.running
    assert "sender_task" not in application.bot_data.extras  # the sender was awaited
    other = FileLeadership(lock_file)
    assert await other.try_acquire()
    await other.release()


async def test_a_lost_lock_stops_the_work_and_the_worker_stands_by_again(
    start_worker: Callable[..., tuple[asyncio.Task[None], Activations]],
    fake: FakeBotAPI, lock_file: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.transports.worker")
    _task, activations = start_worker()
    first = await activations.wait()
    # Someone deleted the lock file: another process could lock a new one now.
    await asyncio.to_thread(lock_file.unlink)
    second = await activations.wait(2)
    assert second is not first
    assert not first.running
    assert "sender_task" not in first.bot_data.extras
    assert second.running
    assert any("worker lock lost" in r.getMessage() for r in caplog.records)


async def test_a_failed_start_gives_the_lock_up_and_tries_again(
    start_worker: Callable[..., tuple[asyncio.Task[None], Activations]],
    fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(worker, "FAILURE_PAUSE", 0.1)
    fake.inject_error("getMe", 502)  # Telegram is unwell for a moment
    _task, activations = start_worker()
    application = await activations.wait()
    assert application.running
    assert any(r.getMessage() == "the worker failed" for r in caplog.records)


async def test_a_rejected_token_ends_the_worker(
    make_settings: Callable[..., Settings], i18n: I18n, fake: FakeBotAPI, lock_file: Path
) -> None:
    settings = make_settings(bot_token="123456:WRONG", bot_api_url=fake.url)
    with pytest.raises(InvalidToken):
        await asyncio.wait_for(worker.run(settings, i18n, stop=asyncio.Event()), 10)
    other = FileLeadership(lock_file)
    assert await other.try_acquire()  # given up on the way out
    await other.release()
    with pytest.raises(ConfigError, match="BOT_TOKEN"):
        await worker.run(make_settings(), i18n, stop=asyncio.Event())


# -- two worker processes -----------------------------------------------------------------




