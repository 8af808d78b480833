"""Poison updates against a real `python -m bot webhook` process (tests/webhook_main.py):
an update whose outcome the database cannot store (a chat id beyond 64 bits) or text with
U+0000 (which PostgreSQL refuses) must not stop the process from answering everyone else,
and no name or text of it may reach the logs.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set (the `db_url` fixture).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.delivery import Sender
from bot.i18n import I18n
from bot.logs import setup_logging
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import InboxUpdate, OutboxMessage, User
from tests.conftest import subprocess_env
from tests.e2e.test_webhook import free_port, serving, text_update, webhook_settings
from tests.fakes import FakeBotAPI
from tests.processes import Child

__all__ = ["webhook_settings"]  # a fixture

SECRET = "poison-test-secret"
NAME = "Zebulonia Quixmore"  # distinctive: must appear in no log line and no error column
GOOD_USERS = (61_001, 61_002, 61_003)


@pytest.fixture
async def web(fake: FakeBotAPI, db: Database, db_url: str,
              bot_settings: Settings) -> AsyncIterator[tuple[Child, str]]:
    """A webhook process logging at DEBUG, and a sender (the worker's part) in this one."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    child = await Child.start(
        "web", "tests.webhook_main", "--port", str(port),
        env=subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                           WEBHOOK_URL=f"{url}/telegram", WEBHOOK_SECRET=SECRET,
                           FEED_SYNC_INTERVAL="0", LOG_LEVEL="DEBUG"))
    stop = asyncio.Event()
    sender = Sender.from_settings(db, bot_settings, idle_interval=0.05)
    sending = asyncio.create_task(sender.run(stop))
    try:
        await child.wait_for("READY", timeout=90)
        yield child, url
    finally:
        stop.set()
        await asyncio.wait_for(sending, 15)
        await sender.close()
        await child.close()


async def post(url: str, update: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as http, http.post(
            f"{url}/telegram", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def healthz(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
        return response.status, await response.json()


async def status_of(db: Database, update_id: int, wanted: str, child: Child,
                    timeout: float = 60) -> InboxUpdate:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        async with db.transaction() as session:
            row = await session.get(InboxUpdate, update_id)
        if row is not None and row.status == wanted:
            return row
        if time.monotonic() > deadline:
            found = None if row is None else (row.status, row.attempts, row.error)
            raise AssertionError(f"update {update_id}: {found}, not {wanted}\n"
                                 f"{child.output()}")
        await asyncio.sleep(0.2)


async def answer_everyone_else(fake: FakeBotAPI, url: str) -> None:
    """Later updates from other people are answered."""
    for user_id in GOOD_USERS:
        assert await post(url, text_update(fake, user_id, "/start", language_code="en")) == 200
    for user_id in GOOD_USERS:
        await fake.wait_for_messages(user_id, 1, timeout=30)


async def test_an_update_with_a_chat_id_beyond_64_bits_fails_alone(
    fake: FakeBotAPI, db: Database, web: tuple[Child, str]
) -> None:
    child, url = web
    poison = text_update(fake, 61_000, "/start", language_code="en", first_name=NAME)
    poison["message"]["chat"]["id"] = 10**30
    assert await post(url, poison) == 200
    await answer_everyone_else(fake, url)
    row = await status_of(db, poison["update_id"], "failed", child)
    # Kept for inspection; the error says what failed, not with which values.
    assert row.error
    assert NAME not in row.error
    assert str(10**30) not in row.error
    status, report = await healthz(url)
    assert status == 200
    assert report["inbox_oldest_waiting_age_s"] is None  # nothing waits any more
    assert report["inbox_last_progress_age_s"] is not None
    # Logged once at ERROR, without the update's content.
    failed_lines = [line for line in child.lines if "failed for good" in line]
    assert len(failed_lines) == 1, child.output()
    assert " ERROR " in failed_lines[0]
    leaked = [line for line in child.lines if NAME in line or str(10**30) in line]
    assert leaked == [], "\n".join(leaked)


async def test_text_with_nul_characters_is_stored_and_answered_without_them(
    fake: FakeBotAPI, db: Database, web: tuple[Child, str]
) -> None:
    child, url = web
    user_id = 61_010
    poison = text_update(fake, user_id, "/log 2 Talka\x00 prie\x00 upės",
                         language_code="lt", first_name="Ona\x00")
    assert await post(url, poison) == 200
    await answer_everyone_else(fake, url)
    await status_of(db, poison["update_id"], "done", child)
    [reply, *_] = await fake.wait_for_messages(user_id, 1, timeout=30)
    assert "\x00" not in (reply.text or "")
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.id == user_id))
    assert user is not None
    assert user.first_name == "Ona"
    status, report = await healthz(url)
    assert status == 200
    assert "inbox_oldest_waiting_age_s" in report


@pytest.fixture
def process_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The logging set-up of a real process (`setup_logging`) at DEBUG, recorded by caplog."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level
              for name in ("telegram", "sqlalchemy", "httpx", "httpcore", "aiosqlite")}
    setup_logging("DEBUG", [])
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        logging.setLogRecordFactory(factory)
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def test_a_database_error_logs_no_personal_data(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n, fake: FakeBotAPI,
    monkeypatch: pytest.MonkeyPatch, process_logging: pytest.LogCaptureFixture,
) -> None:
    # The user's name and id are parameters of the statement the database refuses.
    settings, port = webhook_settings()
    async with serving(settings, i18n, port, monkeypatch) as server:
        poison = text_update(fake, 61_020, "/start", language_code="en", first_name=NAME)
        poison["message"]["chat"]["id"] = 10**30
        assert (await server.post(poison)).status == 200
        db = server.application.bot_data.db
        deadline = time.monotonic() + 30
        while True:
            async with db.transaction() as session:
                row = await session.get(InboxUpdate, poison["update_id"])
            if row is not None and row.status == "failed":
                break
            assert time.monotonic() < deadline, row
            await asyncio.sleep(0.1)
    assert row.error
    assert NAME not in row.error
    assert str(10**30) not in row.error
    records = process_logging.records
    assert any(record.levelno >= logging.ERROR for record in records)  # it was logged
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        assert NAME not in text, text
        assert str(10**30) not in text, text


async def test_outgoing_text_is_queued_without_nul(db: Database) -> None:
    # A reply quoting what someone typed (a /log note, a search) holding U+0000: PostgreSQL
    # refused the whole outbox row, and with it the update's settlement.
    async with db.transaction() as session:
        await outbox.enqueue(session, dedupe_key="nul:1", chat_id=61_030, kind="reply",
                             text="«Talka\x00 prie upės» užregistruota",
                             reply_markup={"inline_keyboard": [[{"text": "Gerai\x00",
                                                                 "callback_data": "ok"}]]})
    async with db.transaction() as session:
        row = await session.scalar(select(OutboxMessage).where(
            OutboxMessage.dedupe_key == "nul:1"))
    assert row is not None
    assert row.text == "«Talka prie upės» užregistruota"
    assert row.reply_markup == {"inline_keyboard": [[{"text": "Gerai", "callback_data": "ok"}]]}
