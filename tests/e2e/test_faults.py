"""Faults injected into a running bot: the database going away and coming back, a full disk,
a Bot API that fails, hangs or rate limits for a long time, and a feed server that trickles.

Each test says what a user or an operator would check: a polite answer instead of silence,
nothing confirmed lost, and the same running process serving again once the fault is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError

from bot.context import TakasApplication
from bot.delivery.sender import Sender, build_bot
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import HourEntry, OutboxMessage
from bot.transports.polling import DurableApplication
from catalog.fetch import FetchLimits
from catalog.service import Catalog
from tests.e2e.test_hours import ORGANIZER, PUPIL, button, entries, press, school
from tests.fakes import FakeBotAPI
from tests.feedserver import FeedServer, trickle
from tests.unit.test_sync import active, feeds_toml, jsonld

__all__ = ["school"]  # the fixture, shared with the hours tests

UNAVAILABLE = ("My records are out of reach for a moment, so I could not do that. "
               "Please try again in a few minutes.")


@asynccontextmanager
async def database_outage(application: TakasApplication) -> AsyncIterator[None]:
    """The database is unreachable for the block: no new connection opens, and pooled
    connections turn out dead when taken (as after a server restart).

    SQLite: the database's folder is moved away. PostgreSQL (TEST_POSTGRES_URL): the
    database stops accepting connections and its sessions are terminated."""
    db = application.bot_data.db
    url = make_url(db.url)
    gone = True

    def dead_on_checkout(*_args: object) -> None:
        if gone:
            raise DisconnectionError("the database went away")

    engine = db.engine.sync_engine
    event.listen(engine, "checkout", dead_on_checkout)
    if url.get_backend_name() == "sqlite":
        folder = Path(url.database or "").parent
        away = folder.with_name(folder.name + "-away")
        folder.rename(away)
        try:
            yield
        finally:
            away.rename(folder)
            gone = False
            event.remove(engine, "checkout", dead_on_checkout)
        return
    import asyncpg

    server = os.environ["TEST_POSTGRES_URL"]
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = $1 AND pid <> pg_backend_pid()", url.database)
        try:
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')
            gone = False
            event.remove(engine, "checkout", dead_on_checkout)
    finally:
        await admin.close()


async def test_the_database_goes_away_and_comes_back(
    fake: FakeBotAPI, school: TakasApplication
) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/log 2 Helping at the library 2026-11-18")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "✔ Confirm")
    [confirmed] = await entries(school)
    to_verify = fake.messages(ORGANIZER)[-1]

    hold_briefly(school)
    async with database_outage(school):
        before = len(fake.messages(PUPIL))
        fake.send_text(pupil, "/hours")
        fake.send_text(pupil, "volunteering in Vilnius")
        organizer = fake.user(ORGANIZER, language_code="en")
        fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"))
        await fake.wait_idle(timeout=30)
        # One polite answer per message (not one per handler group), none for the press,
        # which is answered in place; no traceback, no rejected request.
        replies = [m.text for m in fake.messages(PUPIL)[before:]]
        assert replies == [UNAVAILABLE, UNAVAILABLE]
        assert fake.callback_answers[-1].text == UNAVAILABLE
        assert not fake.rejected

    # The same process serves again; what was confirmed is still there, and the press that
    # failed can be repeated.
    fake.send_text(pupil, "/hours")
    await fake.wait_idle(timeout=30)
    assert "2 h" in fake.messages(PUPIL)[-1].text
    fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"))
    await fake.wait_idle()
    [entry] = await entries(school)
    assert (entry.id, entry.minutes, entry.status) == (confirmed.id, 120, "approved")
    async with school.bot_data.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(HourEntry)) == 1


def hold_briefly(application: TakasApplication) -> None:
    """Polling keeps updates at Telegram while the database refuses them, for 10 s (a blip
    loses nothing), then lets them through to be answered politely; here after 0.5 s."""
    assert isinstance(application, DurableApplication)
    assert application.storing is not None
    application.storing.hold = 0.5


@asynccontextmanager
async def disk_full(application: TakasApplication) -> AsyncIterator[None]:
    """SQLite runs out of space for the block: every connection may use no more pages than
    the file has, and a ballast table has taken every free page. When the block ends the
    ballast is dropped and the limit lifted (space returns)."""
    engine = application.bot_data.db.engine
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE ballast (b BLOB)")
        pages = (await connection.exec_driver_sql("PRAGMA page_count")).scalar_one()

    def limit(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.cursor().execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine.sync_engine, "connect", limit)
    await engine.dispose()  # pooled connections reconnect, limited
    try:
        for size in (4000, 400, 40, 1):
            with contextlib.suppress(OperationalError):
                while True:
                    async with engine.begin() as connection:
                        await connection.exec_driver_sql(
                            "INSERT INTO ballast VALUES (randomblob(?))", (size,))
        yield
    finally:
        event.remove(engine.sync_engine, "connect", limit)
        await engine.dispose()
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP TABLE ballast")


@pytest.mark.skipif(bool(os.environ.get("TEST_POSTGRES_URL")),
                    reason="fills a SQLite file; PostgreSQL's disk is the server's")
async def test_a_full_disk_refuses_writes_politely_and_keeps_what_is_stored(
    fake: FakeBotAPI, school: TakasApplication
) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/log 2 Helping at the library 2026-11-18")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "✔ Confirm")
    [stored] = await entries(school)
    fake.send_text(pupil, "/log")
    await fake.wait_idle()
    fake.send_text(pupil, "Reading to children")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "Today")
    fake.send_text(pupil, "1,5")
    await fake.wait_idle()
    note = "📚" * 1000  # a long note needs new pages, which the full disk does not have

    hold_briefly(school)
    async with disk_full(school):
        fake.send_text(pupil, note)
        await fake.wait_idle()
        assert fake.messages(PUPIL)[-1].text == UNAVAILABLE
        assert not fake.rejected

    # Space is back: the same note goes through and the entry is confirmed.
    fake.send_text(pupil, note)
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "✔ Confirm")
    first, second = await entries(school)
    assert (first.id, first.minutes, first.activity) == (stored.id, 120, stored.activity)
    assert (second.minutes, second.note) == (90, note)
    async with school.bot_data.db.engine.connect() as connection:
        check = await connection.exec_driver_sql("PRAGMA integrity_check")
        assert check.scalar_one() == "ok"


# -- the Bot API --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own 429
async def test_the_outbox_survives_a_long_bot_api_outage(db: Database, fake: FakeBotAPI) -> None:
    """5xx answers for longer than the old five attempts, answers slower than the request
    timeout, then 429s with a long retry_after: the running sender neither stops nor gives
    a message up, and each is delivered once the API is well again."""
    chats = [8101, 8102, 8103]
    for chat in chats:
        fake.user(chat, language_code="en")
    async with db.transaction() as session:
        for chat in chats:
            await outbox.enqueue(session, dedupe_key=f"outage:{chat}", chat_id=chat,
                                 kind="alert", text=f"Hello <b>{chat}</b>")
    fake.inject_error("sendMessage", 502, times=9)
    fake.inject_error("sendMessage", 503, times=3)
    fake.inject_delay("sendMessage", 0.6, times=3)  # beyond the sender's 0.3 s timeout
    fake.inject_429("sendMessage", retry_after=2, times=2)
    sender = Sender(db, build_bot(fake.token, fake.url, timeout=0.3), rate=25,
                    retry_delay=0.05, idle_interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async def settled() -> list[OutboxMessage]:
            async with db.transaction() as session:
                return list((await session.scalars(select(OutboxMessage))).all())

        deadline = asyncio.get_running_loop().time() + 60
        while any(row.status != "sent" for row in await settled()):
            assert not task.done(), "the sender stopped"
            assert asyncio.get_running_loop().time() < deadline, await settled()
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        await sender.close()
    assert fake.faults.pending() == 0  # every fault was met
    for chat in chats:  # a message Telegram got while the sender timed out may come twice
        assert fake.delivered(chat)[:1] == [f"Hello {chat}"]
    assert len(fake.duplicates()) <= 3
    assert sender.stats.flood_waits == 2
    assert sender.stats.timeouts >= 3


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own 429
async def test_polling_and_replies_resume_after_api_errors(
    fake: FakeBotAPI, bot: TakasApplication
) -> None:
    """getUpdates answering 5xx and a 429, then a reply hitting a 429: the bot keeps
    polling and answers once the API lets it."""
    user = fake.user(8201, language_code="en")
    await fake.wait_for_long_poll()
    fake.inject_error("getUpdates", 502, times=2)
    fake.inject_429("getUpdates", retry_after=1)
    # The waiting long poll ends within its 1 s timeout; the next three polls fail.
    await fake._wait_until(lambda: True if fake.faults.pending() == 0 else None, 30,
                           lambda: "the getUpdates faults to be met")
    await fake.wait_for_long_poll(timeout=30)  # polling again
    fake.inject_429("sendMessage", retry_after=1)
    fake.send_text(user, "/help")
    [answer] = await fake.wait_for_messages(8201, 1, timeout=30)
    assert "What I can do" in answer.text
    assert fake.faults.pending() == 0
    assert not fake.rejected


# -- partner feeds ------------------------------------------------------------------------


async def test_a_trickling_feed_gives_up_within_its_budget_and_spares_the_others(
    db: Database, tmp_path: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        server = FeedServer()
        await server.start()
        stack.push_async_callback(server.stop)
        slow_body = jsonld(("s1", "Šokiai"), ("s2", "Dainos"))
        slow = server.set("/slow.jsonld", slow_body, "application/ld+json")
        good = server.set("/good.jsonld", jsonld(("g1", "Keramika")), "application/ld+json")
        feeds = feeds_toml(tmp_path / "f.toml", {"slow": slow, "good": good})
        limits = FetchLimits(total_timeout=1.5, connect_timeout=1, retries=2, backoff=0.01)
        catalog = Catalog(db, feeds, limits=limits)
        await catalog.open()
        stack.push_async_callback(catalog.close)
        await catalog.register_file_feeds()
        assert all(r.ok for r in await catalog.sync())

        # The slow feed changes and its server now trickles: headers at once, then a byte
        # every 0.1 s (the whole body would take minutes).
        server.set("/slow.jsonld", jsonld(("s1", "Šokiai"), ("s3", "Piešimas")),
                   "application/ld+json")
        server.custom["/slow.jsonld"] = trickle(slow_body.encode())
        server.set("/good.jsonld", jsonld(("g1", "Keramika"), ("g2", "Audimas")),
                   "application/ld+json")
        hits = server.hits["/slow.jsonld"]
        reports = {r.name: r for r in await catalog.sync()}
        assert reports["slow"].status == "failed"
        assert "too slow" in (reports["slow"].error or "")
        assert server.hits["/slow.jsonld"] == hits + 1  # a trickle is not tried again
        assert reports["good"].added == 1
        titles = {o.title for o in await active(db)}
        assert titles == {"Keramika", "Audimas", "Šokiai", "Dainos"}  # nothing stored lost
