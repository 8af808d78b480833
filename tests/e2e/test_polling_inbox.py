"""Long polling through the durable inbox: Telegram is told an update arrived only once it is
stored, a stored update is handled after a crash, and a redelivered one is not handled twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app import build_application, running
from bot.storage import inbox
from bot.storage.db import Database
from bot.storage.models import InboxUpdate
from tests.fakes import FakeBotAPI

USER = 5151


async def rows(db: Database) -> dict[int, str]:
    async with db.transaction() as session:
        found = (await session.execute(select(InboxUpdate.update_id, InboxUpdate.status))).all()
    return {int(update_id): str(status) for update_id, status in found}


async def test_a_polled_update_is_stored_then_marked_done(
    fake: FakeBotAPI, bot_settings, i18n, db: Database
) -> None:
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        sent = fake.send_text(fake.user(USER, language_code="en"), "/start")
        await fake.wait_for_messages(USER, 1)
        await fake.wait_idle()
    assert (await rows(db)) == {sent.update_id: "done"}


async def test_an_update_is_not_acknowledged_before_it_is_stored(
    fake: FakeBotAPI, bot_settings, i18n, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_store = inbox.store
    failures = {"left": 2}
    unconfirmed_while_failing: list[int] = []

    async def flaky_store(session: Any, payload: dict[str, Any], **options: Any) -> bool:
        if failures["left"]:
            failures["left"] -= 1
            unconfirmed_while_failing.append(fake.updates.unconfirmed)
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await real_store(session, payload, **options)

    monkeypatch.setattr("bot.transports.polling.inbox.store", flaky_store)
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        sent = fake.send_text(fake.user(USER, language_code="en"), "/help")
        await fake.wait_for_messages(USER, 1, timeout=15)
        await fake.wait_idle()
    # While the database refused it, Telegram kept the update (asked again and again).
    assert unconfirmed_while_failing == [1, 1]
    assert len(fake.messages(USER)) == 1  # handled once it could be stored, once
    assert (await rows(db)) == {sent.update_id: "done"}


async def test_an_update_stored_before_a_crash_is_handled_once_after_the_restart(
    fake: FakeBotAPI, bot_settings, i18n, db: Database
) -> None:
    # The previous run stored and acknowledged it (the fake no longer offers it), then died.
    lost = fake.send_text(fake.user(USER, language_code="en"), "/help").update
    fake.updates.drop_all()
    async with db.transaction() as session:
        await inbox.store(session, lost)
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        await fake.wait_for_messages(USER, 1)
        # Telegram delivers it again (unacknowledged when the old process died): skipped.
        fake.updates._pending.append(dict(lost))
        fake.updates.wake()
        await fake.wait_idle()
    assert len(fake.messages(USER)) == 1
    assert fake.updates.unconfirmed == 0
    assert (await rows(db)) == {lost["update_id"]: "done"}


async def test_poison_updates_do_not_stop_polling(
    fake: FakeBotAPI, bot_settings, i18n, db: Database
) -> None:
    # A chat id beyond 64 bits (no database can store it) and a name holding U+0000
    # (PostgreSQL refuses it): neither stops the answers to the people after them.
    huge = fake.send_text(fake.user(5152, language_code="en"), "/start").update
    nul = fake.send_text(fake.user(5153, language_code="en", first_name="Ona\x00"),
                         "/start\x00").update
    fake.updates.drop_all()
    huge["message"]["chat"]["id"] = 10**30
    fake.updates._pending.extend([huge, nul])
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        fake.updates.wake()
        [greeting] = await fake.wait_for_messages(5153, 1)
        fake.send_text(fake.user(USER, language_code="en"), "/start")
        await fake.wait_for_messages(USER, 1)
        await fake.wait_idle()
    assert greeting.text.startswith("Hello, Ona!")
    assert set((await rows(db)).values()) == {"done"}
    async with db.transaction() as session:
        stored = await session.get(InboxUpdate, nul["update_id"])
    assert stored is not None
    assert "\x00" not in str(stored.payload)
