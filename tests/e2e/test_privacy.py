"""/forgetme end to end over the fake Bot API: afterwards the database holds nothing that
names the person, neither in its tables nor in bytes SQLite keeps on disk (deleted rows,
the write-ahead log), nor in any PostgreSQL table; /mydata lists certificates; finished
inbox and outbox rows go after the retention period."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from bot.storage.inbox import InboxStatus
from bot.storage.models import InboxUpdate, OutboxMessage, OutboxStatus, utcnow
from tests.e2e.test_hours import ORGANIZER, button, export, press
from tests.e2e.test_hours import school as school  # the fixture: the bot and a school
from tests.fakes import FakeBotAPI

# Someone nobody else resembles: a long id, a rare name, a search no one else makes.
PUPIL = 7_350_018_246
NAME = "Zyxwendolyn"
SEARCH = "quokka marzipan origami"


async def stored_text(application) -> bytes:
    """Everything the database keeps, as bytes: the SQLite file and its write-ahead log
    (after a checkpoint that copies the log into the file but leaves the log's bytes), or
    every row of every PostgreSQL table as text."""
    db = application.bot_data.db
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        return await asyncio.to_thread(sqlite_bytes, Path(url.database or ""))
    rows: list[str] = []
    async with db.transaction() as session:
        tables = (await session.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).all()
        for table in tables:
            rows += [str(row) for row in (await session.scalars(
                text(f'SELECT t::text FROM "{table}" AS t'))).all()]  # noqa: S608
    return "\n".join(rows).encode()


def sqlite_bytes(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def traces(data: bytes) -> list[str]:
    """Which of the person's name, id (as digits or as SQLite stores the integer) and
    search phrase `data` still holds."""
    lowered = data.lower()
    found = [needle for needle in (NAME, str(PUPIL), SEARCH)
             if needle.lower().encode() in lowered]
    if PUPIL.to_bytes(6, "big") in data:  # a 48-bit integer in a SQLite record
        found.append("the id as an integer")
    return found


async def test_forgetme_leaves_nothing_that_names_the_person(fake: FakeBotAPI, school) -> None:
    pupil = fake.user(PUPIL, first_name=NAME, language_code="en")
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(pupil, SEARCH)
    fake.send_text(pupil, f"/follow {SEARCH}")
    await fake.wait_idle()
    # The activity stays in the organisation's reports (anonymised): not the search words.
    fake.send_text(pupil, "/log 2 Reading to children")
    await fake.wait_for_messages(PUPIL, 3)
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "✔ Confirm")
    to_verify = fake.messages(ORGANIZER)[-1]
    assert f"{NAME}: Reading to children" in to_verify.text
    fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"))
    await fake.wait_idle()
    await export(fake, pupil)
    caption = next(m.caption for m in fake.messages(PUPIL)
                   if m.document and m.document.filename.endswith(".pdf"))
    code = caption.split("code ")[1].rstrip(").")
    fake.send_text(pupil, "/mydata")
    await fake.wait_idle()
    data = json.loads(fake.messages(PUPIL)[-1].document.content)
    assert data["certificates"] == [{
        "code": code, "learner": NAME, "approved_minutes": 120,
        "issued_on": data["certificates"][0]["issued_on"]}]
    assert traces(await stored_text(school)) != []  # the scan does find the person

    fake.send_text(pupil, "/forgetme")
    await fake.wait_idle()
    fake.press_button(pupil, fake.messages(PUPIL)[-1], "fm:yes")
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith("Done: your data is erased")

    fake.send_text(organizer, f"/verify {code}")
    await fake.wait_idle()
    checked = fake.messages(ORGANIZER)[-1].text
    assert checked.startswith(f"✔ Valid certificate {code}: 2 hours approved in the school year ")
    assert checked.endswith("The learner has since erased their data from Takas.")
    assert traces(await stored_text(school)) == []
    assert fake.rejected == []


async def test_finished_inbox_and_outbox_rows_go_after_the_retention_period(
    fake: FakeBotAPI, school
) -> None:
    """The periodic job prunes what is settled and older than RETENTION_DAYS, in every
    deployment that runs background work (polling, console, worker)."""
    from bot.app import retention_job

    pupil = fake.user(PUPIL, first_name=NAME, language_code="en")
    fake.send_text(pupil, SEARCH)
    await fake.wait_idle()
    db = school.bot_data.db
    old = utcnow() - timedelta(days=school.bot_data.settings.retention_days, hours=1)
    async with db.transaction() as session:
        for key, status in (("sent-old", OutboxStatus.SENT), ("failed-old", OutboxStatus.FAILED),
                            ("queued-old", OutboxStatus.QUEUED)):
            session.add(OutboxMessage(dedupe_key=key, chat_id=PUPIL, kind="alert", text=SEARCH,
                                      status=status.value, created_at=old, not_before=old,
                                      sent_at=old if status is OutboxStatus.SENT else None))
        session.add(OutboxMessage(dedupe_key="sent-new", chat_id=PUPIL, kind="alert",
                                  text=SEARCH, status=OutboxStatus.SENT.value,
                                  sent_at=utcnow()))
        await session.execute(update(InboxUpdate).values(processed_at=old, received_at=old))
        stored = (await session.scalars(select(InboxUpdate.status))).all()
    assert set(stored) == {InboxStatus.DONE.value}

    [job] = school.job_queue.get_jobs_by_name("retention")
    assert job.callback is retention_job
    await job.run(school)
    async with db.transaction() as session:
        left = set((await session.scalars(select(OutboxMessage.dedupe_key))).all())
        inbox_left = (await session.scalars(select(InboxUpdate.update_id))).all()
    assert {"queued-old", "sent-new"} <= left
    assert not {"sent-old", "failed-old"} & left
    assert inbox_left == []


async def test_forgetme_over_the_webhook_leaves_nothing_either(
    fake: FakeBotAPI, make_settings, i18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind the webhook every reply is an outbox row (the /mydata file holds everything
    about the person) and every update an inbox row, the /forgetme press included: after
    the erasure and its reply are sent, none of them names the person."""
    from tests.e2e.test_webhook import SECRET, free_port, serving

    port = free_port()
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, webhook_secret=SECRET,
                             webhook_url=f"http://127.0.0.1:{port}/telegram")
    async with serving(settings, i18n, port, monkeypatch) as server:
        pupil = fake.user(PUPIL, first_name=NAME, language_code="en")

        async def send(injected) -> None:
            fake.updates.drop_all()  # nobody polls: the webhook gets them
            assert (await server.post(injected.update)).status == 200

        for count, words in enumerate((SEARCH, f"/follow {SEARCH}", "/mydata", "/forgetme"),
                                      start=1):
            await send(fake.send_text(pupil, words))
            await fake.wait_for_messages(PUPIL, count)
        assert NAME in fake.messages(PUPIL)[2].document.content.decode()
        assert traces(await stored_text(server.application)) != []
        await send(fake.press_button(pupil, fake.messages(PUPIL)[-1], "fm:yes"))
        await fake.wait_for_request("editMessageText", lambda r: r.ok, timeout=15)
        assert fake.messages(PUPIL)[-1].text.startswith("Done: your data is erased")
        db = server.application.bot_data.db
        for _attempt in range(100):  # the sender deletes the reply once it is settled
            async with db.transaction() as session:
                left = (await session.scalars(select(OutboxMessage.id).where(
                    OutboxMessage.chat_id == PUPIL))).all()
            if not left:
                break
            await asyncio.sleep(0.05)
        assert left == []
        assert traces(await stored_text(server.application)) == []
        assert fake.rejected == []
