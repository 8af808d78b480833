"""The webhook transport: `serve()` in-process on a free 127.0.0.1 port, driven over HTTP
against the fake Bot API, and the inbox rules on SQLite."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import random
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import DisconnectionError

from bot.config import ConfigError, Settings
from bot.context import TakasApplication
from bot.delivery import Sender
from bot.i18n import I18n
from bot.storage import inbox
from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from bot.storage.models import InboxUpdate, User, utcnow
from bot.transports import webhook
from tests.fakes import FakeBotAPI

SECRET = "s3cret_Token-for-tests"
FAST = webhook.Timings(poll=0.05, requeue_every=0.2, heartbeat=0.2, catalog_check=0.1,
                       stop_grace=2.0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_update(fake: FakeBotAPI, user_id: int, text: str, **user: Any) -> dict[str, Any]:
    """The update JSON Telegram would post for `text` from a user (built by the fake, which
    also queues it for getUpdates: nobody polls here, so the queue is emptied)."""
    update = fake.send_text(fake.user(user_id, **user), text).update
    fake.updates.drop_all()
    return update


@dataclass
class Running:
    url: str  # http://127.0.0.1:<port>
    application: TakasApplication
    http: aiohttp.ClientSession

    async def post(self, body: bytes | str | dict[str, Any], *, secret: str | None = SECRET,
                   headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if secret is not None:
            all_headers[webhook.SECRET_HEADER] = secret
        text = json.dumps(body) if isinstance(body, dict) else body
        data = io.BytesIO(text.encode() if isinstance(text, str) else text)
        async with self.http.post(f"{self.url}/telegram", data=data,
                                  headers=all_headers) as response:
            await response.read()
            return response

    async def get_json(self, path: str) -> tuple[int, dict[str, Any]]:
        async with self.http.get(f"{self.url}{path}") as response:
            return response.status, await response.json()

    async def get_text(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.url}{path}") as response:
            return response.status, await response.text()


@asynccontextmanager
async def serving(settings: Settings, i18n: I18n, port: int,
                  monkeypatch: pytest.MonkeyPatch,
                  timings: webhook.Timings = FAST) -> AsyncIterator[Running]:
    """`serve()` as a task until the block ends; the Application it built is captured."""
    built: list[TakasApplication] = []
    from bot.app import build_application as real_build

    def capture(*args: Any, **kwargs: Any) -> TakasApplication:
        application = real_build(*args, **kwargs)
        built.append(application)
        return application

    monkeypatch.setattr("bot.transports.webhook.main.build_application", capture)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(webhook.serve(settings, i18n, host="127.0.0.1", port=port,
                                             ready=ready, stop=stop, timings=timings))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiter], timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiter.cancel()
        if task.done():
            task.result()  # raises what serve() raised
        task.cancel()
        raise AssertionError("serve() did not become ready")
    # The worker's part: a web process queues its replies, a sender delivers them.
    sender = Sender.from_settings(built[0].bot_data.db, settings, idle_interval=0.05)
    sending = asyncio.create_task(sender.run(stop))
    try:
        async with aiohttp.ClientSession() as http:
            yield Running(f"http://127.0.0.1:{port}", built[0], http)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await asyncio.wait_for(sending, 15)
        await sender.close()


@pytest.fixture
def webhook_settings(make_settings: Callable[..., Settings], fake: FakeBotAPI,
                     ) -> Callable[..., tuple[Settings, int]]:
    def make(**overrides: object) -> tuple[Settings, int]:
        port = free_port()
        values: dict[str, object] = {
            "bot_token": fake.token, "bot_api_url": fake.url,
            "webhook_url": f"http://127.0.0.1:{port}/telegram", "webhook_secret": SECRET,
        }
        values.update(overrides)
        return make_settings(**values), port

    return make


@pytest.fixture
async def server(webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    settings, port = webhook_settings()
    async with serving(settings, i18n, port, monkeypatch) as running:
        yield running


async def inbox_rows(db: Database) -> list[InboxUpdate]:
    async with db.transaction() as session:
        return list((await session.scalars(
            select(InboxUpdate).order_by(InboxUpdate.update_id))).all())


# -- the HTTP endpoint ------------------------------------------------------------------------


async def test_set_webhook_is_called_with_the_secret(server: Running, fake: FakeBotAPI) -> None:
    request = await fake.wait_for_request("setWebhook")
    assert request.ok
    assert request.params["url"] == f"{server.url}/telegram"
    assert request.params["secret_token"] == SECRET
    assert "message" in request.params["allowed_updates"]
    assert "chat_member" in request.params["allowed_updates"]  # opt-in types too
    assert request.params.get("drop_pending_updates") in (None, False)
    assert fake.webhook_url == f"{server.url}/telegram"


async def test_missing_or_wrong_secret_is_forbidden(server: Running, fake: FakeBotAPI) -> None:
    update = text_update(fake, 1, "/start", language_code="en")
    for secret in (None, "", "wrong", SECRET + "x", SECRET[:-1], "ąčę"):
        response = await server.post(update, secret=secret)
        assert response.status == 403, secret
    assert await inbox_rows(server.application.bot_data.db) == []
    assert fake.messages(1) == []


async def test_oversize_bodies_are_refused(server: Running, fake: FakeBotAPI) -> None:
    big = json.dumps({"update_id": 1, "padding": "x" * (webhook.MAX_BODY + 10)})
    response = await server.post(big)  # declared by Content-Length
    assert response.status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the real size counts
        data = big.encode()
        for start in range(0, len(data), 256 * 1024):
            yield data[start:start + 256 * 1024]

    headers = {webhook.SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with server.http.post(f"{server.url}/telegram", data=chunks(),
                                headers=headers) as streamed:
        assert streamed.status == 413
    assert await inbox_rows(server.application.bot_data.db) == []
    # Just under the limit is fine (Telegram's updates are far smaller anyway).
    near = json.dumps({"update_id": 2, "padding": "x" * (webhook.MAX_BODY - 100)})
    assert (await server.post(near)).status == 200


@pytest.mark.parametrize("body", [
    "not json", "{", "[1, 2]", '"text"', "{}", '{"update_id": "7"}', '{"update_id": true}',
    '{"update_id": 1.5}', '{"update_id": -1}', '{"update_id": 99999999999999999999}', b"\xff",
])
async def test_malformed_updates_are_bad_requests(server: Running, body: str | bytes) -> None:
    response = await server.post(body)
    assert response.status == 400
    assert await inbox_rows(server.application.bot_data.db) == []


async def test_start_update_is_stored_answered_and_processed(
    server: Running, fake: FakeBotAPI
) -> None:
    update = text_update(fake, 11, "/start", first_name="Anna", language_code="en")
    response = await server.post(update)
    assert response.status == 200
    # Committed before the answer: another connection sees the row at once.
    stored = {row.update_id for row in await inbox_rows(server.application.bot_data.db)}
    assert update["update_id"] in stored
    [reply] = await fake.wait_for_messages(11, 1)
    assert reply.text.startswith("Hello, Anna! I am Takas")
    await wait_for_status(server.application.bot_data.db, update["update_id"], "done")
    assert fake.rejected == []


async def test_the_same_update_twice_is_stored_and_answered_once(
    server: Running, fake: FakeBotAPI
) -> None:
    update = text_update(fake, 12, "/start", language_code="en")
    first, second = await asyncio.gather(server.post(update), server.post(update))
    assert (first.status, second.status) == (200, 200)
    await fake.wait_for_messages(12, 1)
    await wait_for_status(server.application.bot_data.db, update["update_id"], "done")
    assert (await server.post(update)).status == 200  # after processing too
    await fake.wait_idle(quiet=0.3)
    assert len(fake.messages(12)) == 1
    rows = await inbox_rows(server.application.bot_data.db)
    assert [(row.update_id, row.status, row.attempts) for row in rows] == [
        (update["update_id"], "done", 1)]


async def test_updates_of_one_chat_are_processed_in_order(
    server: Running, fake: FakeBotAPI
) -> None:
    updates = [text_update(fake, 13, command, language_code="en")
               for command in ("/start", "/help")]
    for update in updates:
        assert (await server.post(update)).status == 200
    first, second = await fake.wait_for_messages(13, 2)
    assert first.text.startswith("Hello")
    assert not second.text.startswith("Hello")


async def test_the_sender_is_recorded_even_when_nothing_else_touches_the_database(
    server: Running, fake: FakeBotAPI
) -> None:
    """Recording the sender is put off to the update's next transaction; an update whose
    handling opens none (an edited message) records them where it is marked done."""
    update = text_update(fake, 14, "Keramika", first_name="Rūta", language_code="lt")
    message = update.pop("message")
    update["edited_message"] = {**message, "edit_date": message["date"] + 5}
    assert (await server.post(update)).status == 200
    db = server.application.bot_data.db
    await wait_for_status(db, update["update_id"], "done")
    async with db.transaction() as session:
        user = await session.get(User, 14)
    assert user is not None
    assert (user.first_name, user.telegram_language) == ("Rūta", "lt")


async def test_a_language_chosen_just_before_is_the_next_messages_language(
    server: Running, fake: FakeBotAPI
) -> None:
    """A sender is read ahead of their update only when no other update of theirs is
    being handled: here the language switch and the next message come together."""
    english = text_update(fake, 15, "/help", language_code="en")
    assert (await server.post(english)).status == 200
    [help_in_english] = await fake.wait_for_messages(15, 1)
    assert (await server.post(text_update(fake, 15, "/language", language_code="en"))
            ).status == 200
    _help, keyboard = await fake.wait_for_messages(15, 2)
    press = fake.press_button(fake.user(15), keyboard, "lang:de").update
    fake.updates.drop_all()
    again = text_update(fake, 15, "/help", language_code="en")
    answers = await asyncio.gather(server.post(press), server.post(again))
    assert [answer.status for answer in answers] == [200, 200]
    *_earlier, help_again = await fake.wait_for_messages(15, 3)
    assert help_again.text != help_in_english.text  # in German, as chosen just before


async def test_an_update_that_cannot_be_processed_fails_after_three_attempts(
    server: Running,
) -> None:
    broken = {"update_id": 777, "message": 42}  # valid JSON, not a valid Update
    assert (await server.post(broken)).status == 200
    db = server.application.bot_data.db
    await wait_for_status(db, 777, "failed")
    [row] = await inbox_rows(db)
    assert row.attempts == inbox.MAX_ATTEMPTS
    assert row.error
    _status, text = await server.get_text("/metrics")
    assert 'takas_update_errors_total{type="message"} ' in text
    assert 'takas_inbox_updates{status="failed"} 1.0' in text


async def test_healthz_reports_the_database(server: Running) -> None:
    status, report = await server.get_json("/healthz")
    assert status == 200
    progress = report.pop("inbox_last_progress_age_s")
    assert isinstance(progress, float)
    assert progress >= 0
    assert report == {"database": "ok", "last_feed_sync_age_s": None,
                      "outbox_backlog": 0, "inbox_backlog": 0,
                      "inbox_oldest_waiting_age_s": None, "inbox_processor": "ok"}


async def test_healthz_is_503_while_the_inbox_processor_is_stuck(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    settings, port = webhook_settings()
    timings = dataclasses.replace(FAST, concurrency=1, stuck_after=0.5)
    async with serving(settings, i18n, port, monkeypatch, timings) as server:
        release = asyncio.Event()
        real_process_update = server.application.process_update

        async def hanging(update: object) -> None:  # a handler that never returns
            await release.wait()
            await real_process_update(update)

        monkeypatch.setattr(server.application, "process_update", hanging)
        first, second = (text_update(fake, 16, "/start", language_code="en"),
                         text_update(fake, 17, "/start", language_code="en"))
        assert (await server.post(first)).status == 200
        assert (await server.post(second)).status == 200  # waits: the only slot is taken
        for _attempt in range(200):
            status, report = await server.get_json("/healthz")
            if status == 503:
                break
            await asyncio.sleep(0.05)
        assert status == 503
        assert report["database"] == "ok"
        assert report["inbox_processor"] == "stuck"
        assert report["inbox_oldest_waiting_age_s"] >= 0.5
        assert report["inbox_last_progress_age_s"] >= 0.5
        _status, text = await server.get_text("/metrics")
        assert "takas_inbox_oldest_waiting_seconds 0.0" not in text
        assert "takas_inbox_since_progress_seconds" in text
        release.set()  # unstuck: both are answered and the check is healthy again
        await fake.wait_for_messages(16, 1)
        await fake.wait_for_messages(17, 1)
        status, report = await server.get_json("/healthz")
        assert (status, report["inbox_processor"]) == (200, "ok")
        assert report["inbox_oldest_waiting_age_s"] is None


async def test_healthz_is_503_while_the_database_is_gone_and_recovers(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    folder = tmp_path / "db"
    settings, port = webhook_settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'takas.sqlite3'}")
    async with serving(settings, i18n, port, monkeypatch) as server:
        assert (await server.get_json("/healthz"))[0] == 200
        # The database goes away: its folder is moved (new connections fail) and pooled
        # connections turn out dead when taken, as after a PostgreSQL restart (the pool
        # closes them and tries to reconnect).
        gone = True

        def dead_on_checkout(*_args: object) -> None:
            if gone:
                raise DisconnectionError("the database went away")

        engine = server.application.bot_data.db.engine.sync_engine
        event.listen(engine, "checkout", dead_on_checkout)
        folder.rename(tmp_path / "db-away")
        status, report = await server.get_json("/healthz")
        assert status == 503
        assert report["database"] == "error"
        update = text_update(fake, 14, "/start", language_code="en")
        assert (await server.post(update)).status == 503  # Telegram will retry
        metrics_status, text = await server.get_text("/metrics")
        assert metrics_status == 200
        assert "takas_database_up 0.0" in text
        # It comes back: healthy again, nothing cached.
        (tmp_path / "db-away").rename(folder)
        gone = False
        status, report = await server.get_json("/healthz")
        assert (status, report["database"]) == (200, "ok")
        assert (await server.post(update)).status == 200
        await fake.wait_for_messages(14, 1)


async def test_healthz_reports_backlogs_and_sync_age(server: Running) -> None:
    db = server.application.bot_data.db
    async with db.transaction() as session:
        session.add(Feed(name="f", url="file:x.csv", last_success_at=utcnow() - timedelta(
            seconds=120)))
        session.add(InboxUpdate(update_id=10**9, payload={"update_id": 10**9},
                                status="processing", claimed_at=utcnow(), attempts=1))
    status, report = await server.get_json("/healthz")
    assert status == 200
    assert 119 <= report["last_feed_sync_age_s"] < 200
    assert report["inbox_backlog"] == 1


async def test_metrics_count_handled_updates(server: Running, fake: FakeBotAPI) -> None:
    update = text_update(fake, 15, "/start", language_code="en")
    assert (await server.post(update)).status == 200
    await wait_for_status(server.application.bot_data.db, update["update_id"], "done")
    await fake.wait_for_messages(15, 1)  # the reply, queued with the update, was sent
    for _attempt in range(50):  # the sender marks it sent just after Telegram's answer
        status, text = await server.get_text("/metrics")
        if 'takas_outbox_messages{status="sent"} 1.0' in text:
            break
        await asyncio.sleep(0.1)
    assert status == 200
    assert 'takas_updates_total{type="message"}' in text
    assert 'takas_handler_seconds_count{type="message"}' in text
    assert 'takas_outbox_messages{status="sent"} 1.0' in text
    assert "takas_inbox_backlog 0.0" in text
    assert 'takas_webhook_requests_total{code="200"}' in text
    assert "takas_database_up 1.0" in text


async def test_stopping_keeps_the_webhook(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    settings, port = webhook_settings()
    async with serving(settings, i18n, port, monkeypatch):
        pass
    assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram"
    assert not [r for r in fake.requests if r.method == "deleteWebhook"]


async def test_set_webhook_failure_is_not_fatal(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    from telegram.error import BadRequest
    from telegram.ext import ExtBot

    async def refuse(*args: object, **kwargs: object) -> bool:
        raise BadRequest("bad webhook: HTTPS url must be provided for webhook")

    settings, port = webhook_settings()
    monkeypatch.setattr(ExtBot, "set_webhook", refuse)
    async with serving(settings, i18n, port, monkeypatch) as server:
        assert (await server.get_json("/healthz"))[0] == 200


async def test_a_stale_update_of_a_dead_process_is_processed_at_start_up(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    settings, port = webhook_settings()
    update = text_update(fake, 16, "/start", language_code="en")
    db = Database(settings.database_url)
    await db.migrate()
    async with db.transaction() as session:
        session.add(InboxUpdate(update_id=update["update_id"], payload=update,
                                status="processing", attempts=1,
                                claimed_at=utcnow() - timedelta(minutes=5)))
    await db.close()
    async with serving(settings, i18n, port, monkeypatch) as server:
        await fake.wait_for_messages(16, 1)
        await wait_for_status(server.application.bot_data.db, update["update_id"], "done")


def test_webhook_config(make_settings: Callable[..., Settings]) -> None:
    config = webhook.webhook_config(make_settings(
        webhook_url="https://bot.example/hooks/takas/", webhook_secret="abc"))
    assert (config.url, config.path) == ("https://bot.example/hooks/takas", "/hooks/takas")
    config = webhook.webhook_config(make_settings(
        webhook_url="https://bot.example", webhook_secret="abc"))
    assert (config.url, config.path) == ("https://bot.example/telegram", "/telegram")
    config = webhook.webhook_config(make_settings(
        webhook_url="https://bot.example/x", webhook_secret="abc"), path="/in")
    assert (config.url, config.path) == ("https://bot.example/x", "/in")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        webhook.webhook_config(make_settings(webhook_url="https://bot.example"))
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        webhook.webhook_config(make_settings(webhook_url="https://bot.example",
                                             webhook_secret="has space"))
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        webhook.webhook_config(make_settings(webhook_secret="abc"))


async def wait_for_status(db: Database, update_id: int, status: str,
                          timeout: float = 10) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with db.transaction() as session:
            row = await session.get(InboxUpdate, update_id)
            if row is not None and row.status == status:
                return
        assert loop.time() < deadline, f"update {update_id} never became {status}"
        await asyncio.sleep(0.02)


# -- the inbox rules --------------------------------------------------------------------------


def payload(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": 1, "date": 0, "text": "hi",
                                                "chat": {"id": 1, "type": "private"}}}


async def test_store_is_insert_or_ignore(db: Database) -> None:
    async with db.transaction() as session:
        assert await inbox.store(session, payload(1))
        assert not await inbox.store(session, payload(1) | {"other": True})
    rows = await inbox_rows(db)
    assert [(r.update_id, r.status, r.payload) for r in rows] == [(1, "new", payload(1))]


async def test_claim_takes_oldest_first_and_each_row_once(db: Database) -> None:
    async with db.transaction() as session:
        for update_id in range(1, 31):
            await inbox.store(session, payload(update_id))

    async def claimer() -> list[int]:
        taken: list[int] = []
        while True:
            async with db.transaction() as session:
                rows = await inbox.claim(session, 4, utcnow())
            if not rows:
                return taken
            taken += [row.update_id for row in rows]
            await asyncio.sleep(0)

    results = await asyncio.gather(*(claimer() for _ in range(4)))
    everything = sorted(uid for taken in results for uid in taken)
    assert everything == list(range(1, 31))  # every row, none twice
    for taken in results:
        assert taken == sorted(taken)
    rows = await inbox_rows(db)
    assert {(r.status, r.attempts) for r in rows} == {("processing", 1)}


async def test_finish_retries_then_fails(db: Database) -> None:
    async with db.transaction() as session:
        await inbox.store(session, payload(5))
    statuses = []
    for _ in range(3):
        async with db.transaction() as session:
            [row] = await inbox.claim(session, 10, utcnow())
            statuses.append(await inbox.finish(session, row.update_id, utcnow(), "Boom: x"))
    assert statuses == ["new", "new", "failed"]
    async with db.transaction() as session:
        assert await inbox.claim(session, 10, utcnow()) == []
        assert await inbox.backlog(session) == 0
        assert (await inbox.counts(session))["failed"] == 1
    [row] = await inbox_rows(db)
    assert (row.attempts, row.error) == (3, "Boom: x")


async def test_requeue_stale_release_and_prune(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as session:
        for update_id in (1, 2, 3):
            await inbox.store(session, payload(update_id))
        old = await inbox.claim(session, 2, now - timedelta(minutes=5))
        assert [row.update_id for row in old] == [1, 2]
        assert await inbox.touch(session, [2], now) == {2}  # 2's process is alive
        [fresh] = await inbox.claim(session, 5, now)
        assert await inbox.requeue_stale(session, now - timedelta(seconds=60)) == 1
        assert await inbox.release(session, [fresh.update_id]) == 1
        assert await inbox.finish(session, 2, now - timedelta(days=5)) == "done"
    rows = {row.update_id: row for row in await inbox_rows(db)}
    assert (rows[1].status, rows[1].attempts) == ("new", 1)
    assert rows[2].status == "done"
    assert (rows[3].status, rows[3].attempts) == ("new", 0)
    async with db.transaction() as session:
        assert await inbox.prune(session, utcnow() - timedelta(days=3)) == 1
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 2


async def test_requeue_stale_fails_a_row_that_kills_its_process(db: Database) -> None:
    long_ago = utcnow() - timedelta(hours=1)
    async with db.transaction() as session:
        await inbox.store(session, payload(9))
    for _ in range(inbox.MAX_ATTEMPTS):
        async with db.transaction() as session:
            assert await inbox.claim(session, 1, long_ago)
            await inbox.requeue_stale(session, utcnow())
    [row] = await inbox_rows(db)
    assert row.status == "failed"


# -- the catalog watcher ----------------------------------------------------------------------


class CountingSearch:
    def __init__(self) -> None:
        self.refreshed = asyncio.Event()

    async def refresh(self) -> None:
        self.refreshed.set()


async def test_catalog_changes_elsewhere_refresh_the_index(db: Database) -> None:
    search, stop = CountingSearch(), asyncio.Event()
    watcher = asyncio.create_task(webhook.watch_catalog(search, db, stop, interval=0.05))
    await asyncio.sleep(0.15)
    assert not search.refreshed.is_set()  # nothing changed yet
    async with db.transaction() as session:
        feed = Feed(name="other-process", url="file:x.csv")
        session.add(feed)
        await session.flush()
        session.add(Opportunity(feed_id=feed.id, source_id="1", kind="course", title="T",
                                content_hash="h"))
    await asyncio.wait_for(search.refreshed.wait(), 5)
    stop.set()
    await asyncio.wait_for(watcher, 5)


# -- PostgreSQL -------------------------------------------------------------------------------

PG_URL = os.environ.get("TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="needs a PostgreSQL server: set TEST_POSTGRES_URL="
    "postgresql://USER:PASSWORD@127.0.0.1/DB (a throwaway database) to test SKIP LOCKED")


@needs_postgres
async def test_postgres_claims_each_row_once_across_processes() -> None:
    assert PG_URL is not None
    url = "postgresql+asyncpg://" + PG_URL.removeprefix("postgresql://")
    databases = [Database(url) for _ in range(4)]  # one engine per simulated process
    base = random.randrange(10**12, 10**15)
    ids = list(range(base, base + 200))
    try:
        await databases[0].migrate()
        async with databases[0].transaction() as session:
            for update_id in ids:
                assert await inbox.store(session, payload(update_id))
            assert not await inbox.store(session, payload(ids[0]))

        # While one process's claim is not committed yet, another skips its rows
        # instead of waiting for them or taking them too.
        async with databases[0].transaction() as first:
            held = {row.update_id for row in await inbox.claim(first, 5, utcnow())}
            async with asyncio.timeout(5), databases[1].transaction() as second:
                other = {row.update_id for row in await inbox.claim(second, 5, utcnow())}
            # The LIMIT holds even when the planner has no statistics yet (see claim()).
            assert len(held) == 5
            assert len(other) == 5
            assert not held & other

        async def claimer(db: Database) -> list[int]:
            taken: list[int] = []
            while True:
                async with db.transaction() as session:
                    rows = await inbox.claim(session, 7, utcnow())
                if not rows:
                    return taken
                taken += [row.update_id for row in rows if row.update_id in set(ids)]
                await asyncio.sleep(0)

        results = await asyncio.gather(*(claimer(db) for db in databases))
        ours = {*held, *other} & set(ids)  # rows left by other runs may have come first
        assert sorted([*ours, *(uid for taken in results for uid in taken)]) == ids
        async with databases[0].transaction() as session:
            assert await inbox.finish(session, ids[0], utcnow()) == "done"
            assert await inbox.finish(session, ids[1], utcnow(), "Boom") == "new"
    finally:
        async with databases[0].transaction() as session:
            await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids)))
        for db in databases:
            await db.close()


@needs_postgres
async def test_postgres_webhook_round_trip(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch, fake: FakeBotAPI,
) -> None:
    assert PG_URL is not None
    settings, port = webhook_settings(database_url=PG_URL)
    db = Database(settings.database_url)
    await db.migrate()
    await db.close()
    user_id = random.randrange(10**6, 10**9)
    update = text_update(fake, user_id, "/start", language_code="en")
    update["update_id"] = random.randrange(10**12, 10**15)
    async with serving(settings, i18n, port, monkeypatch) as server:
        try:
            assert (await server.post(update)).status == 200
            assert (await server.post(update)).status == 200
            await fake.wait_for_messages(user_id, 1)
            await wait_for_status(server.application.bot_data.db, update["update_id"], "done")
            status, report = await server.get_json("/healthz")
            assert (status, report["database"]) == (200, "ok")
            assert len(fake.messages(user_id)) == 1
        finally:
            async with server.application.bot_data.db.transaction() as session:
                await session.execute(delete(InboxUpdate).where(
                    InboxUpdate.update_id == update["update_id"]))


async def test_handled_updates_are_kept_as_long_as_the_retention_setting_says(
    webhook_settings: Callable[..., tuple[Settings, int]], i18n: I18n,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The web process prunes handled updates after RETENTION_DAYS, not a fixed time."""
    settings, port = webhook_settings(retention_days=10)
    db = Database(settings.database_url)
    await db.migrate()
    now = utcnow()
    async with db.transaction() as session:
        for update_id, days in ((901, 5), (902, 11)):
            session.add(InboxUpdate(update_id=update_id, payload=payload(update_id),
                                    status="done", attempts=1,
                                    processed_at=now - timedelta(days=days)))
    await db.close()
    async with serving(settings, i18n, port, monkeypatch) as server:
        served = server.application.bot_data.db
        for _ in range(600):  # the processor prunes once as it starts
            if [row.update_id for row in await inbox_rows(served)] == [901]:
                break
            await asyncio.sleep(0.05)
        assert [row.update_id for row in await inbox_rows(served)] == [901]
