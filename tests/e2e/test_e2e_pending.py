"""The verification queue end to end over the fake Bot API (issue 17, item 5): a class
teacher's /pending lists entries of pupils by full name, class and school, pages in place,
sends a photo on request, approves and rejects single entries, approves a page with one
entry left out (the pupils hear the outcomes), answers stale and foreign presses without
deciding twice; organizers are reminded of entries waiting more than a week, once a week
and never in the quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import running
from bot.services.hours import LOCAL, today
from bot.storage.models import HourEntry
from bot.transports.polling import build_polling_application
from bot.usecases import verification
from tests.e2e.test_e2e_schools import (
    ADMIN,
    OTHER_TEACHER,
    TEACHER,
    button,
    join,
    open_organisation,
    start_payload,
)
from tests.fakes import FakeBotAPI, FakeUser, SentMessage

ONA, JONAS, EGLE, LINA = 911, 912, 913, 915
LONG_NOTE = "We sorted <books> & magazines for the library's sale. " * 18  # ~1000 chars
OAKS = b"\xff\xd8\xff\xe0oaks"
NAMES = {LINA: "Lina"}  # Telegram names; the others' do not matter (they gave full names)


def person(fake: FakeBotAPI, user_id: int) -> FakeUser:
    return fake.user(user_id, first_name=NAMES.get(user_id, "Test"), language_code="en")


async def say(fake: FakeBotAPI, user_id: int, text: str) -> str:
    fake.send_text(person(fake, user_id), text)
    await fake.wait_idle()
    return fake.messages(user_id)[-1].text or ""


async def press(fake: FakeBotAPI, user_id: int, label: str) -> SentMessage:
    """Press the button starting with `label` on the chat's latest message; the message
    as it is afterwards (the latest one)."""
    latest = fake.messages(user_id)[-1]
    fake.press_button(person(fake, user_id), latest, button(latest, label))
    await fake.wait_idle()
    return fake.messages(user_id)[-1]


async def tap(fake: FakeBotAPI, message: SentMessage, label: str) -> SentMessage:
    """The teacher presses `label` on the queue's `message`; the message afterwards."""
    fake.press_button(person(fake, TEACHER), message, button(message, label))
    await fake.wait_idle()
    return queue_message(fake, message.message_id)


async def quick_log(fake: FakeBotAPI, pupil: int, text: str) -> None:
    """`/log HOURS ACTIVITY`, the school as the organisation, Confirm."""
    await say(fake, pupil, text)
    if any(label.startswith("Utenos gimnazija") for label, _ in fake.messages(pupil)[-1].buttons):
        await press(fake, pupil, "Utenos gimnazija")
    await press(fake, pupil, "✔ Confirm")


async def guided_log(fake: FakeBotAPI, pupil: int, activity: str, hours: str, *,
                     note: str | None = None, photo: bytes | None = None) -> None:
    """/log step by step, with a typed note or a photo (its caption the note)."""
    user = person(fake, pupil)
    for text in ("/log", activity):
        fake.send_text(user, text)
        await fake.wait_idle()
    await press(fake, pupil, "Utenos gimnazija")
    await press(fake, pupil, "Today")
    fake.send_text(user, hours)
    await fake.wait_idle()
    if photo is not None:
        fake.send_photo(user, caption=note, content=photo)
    elif note is not None:
        fake.send_text(user, note)
    await fake.wait_idle()
    await press(fake, pupil, "✔ Confirm")


async def statuses(application) -> dict[str, str]:
    async with application.bot_data.db.transaction() as session:
        return {e.activity: e.status for e in await session.scalars(select(HourEntry))}


def queue_message(fake: FakeBotAPI, message_id: int) -> SentMessage:
    return next(m for m in fake.messages(TEACHER) if m.message_id == message_id)


def outcomes(fake: FakeBotAPI, pupil: int) -> list[str]:
    return [m.text for m in fake.messages(pupil) if m.text and m.text.startswith(("✔ Your",
                                                                                   "✖ Your"))]


async def forged(fake: FakeBotAPI, user_id: int, on: SentMessage, data: str) -> str:
    """Press `data` on `on` as a stale or malicious client would; the answer shown."""
    press_ = fake.press_button(person(fake, user_id), on, data, forge=True)
    await fake.wait_idle()
    return next(a.text or "" for a in fake.callback_answers if a.query_id == press_.query_id)


async def school_with_class(fake: FakeBotAPI) -> None:
    """Utenos gimnazija, its teacher, class 8B with Ona, Jonas and Eglė (full names given
    when joining; their Telegram names differ); Lina logs without a class."""
    await open_organisation(fake, "Utenos gimnazija", TEACHER)
    payload = start_payload(await say(fake, TEACHER, "/classes new 8B"), "cl_")
    for pupil, name in ((ONA, "Ona Onaitė"), (JONAS, "Jonas Jonaitis"),
                        (EGLE, "Eglė Eglaitė")):
        await join(fake, pupil, payload, name)


async def test_a_teacher_works_through_the_queue(fake: FakeBotAPI, bot_settings, i18n) -> None:
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        await school_with_class(fake)
        await quick_log(fake, ONA, "/log 8 Reading to children")
        await quick_log(fake, JONAS, "/log 3 Helping at the shelter")
        await guided_log(fake, EGLE, "Sorting books", "2", note=LONG_NOTE)
        await quick_log(fake, LINA, "/log 2 Talka")
        await guided_log(fake, ONA, "Planting trees in the park", "1", note="We planted 12 oaks",
                         photo=OAKS)
        await quick_log(fake, JONAS, "/log 1 Library help")
        await quick_log(fake, EGLE, "/log 2 Park clean-up")

        # One message, five entries a page: who (full name, class, school), what, when.
        await say(fake, TEACHER, "/pending")
        listed = fake.messages(TEACHER)[-1]
        text = listed.text or ""
        assert text.startswith("Hours to verify (Utenos gimnazija)\n7 entries wait · page 1 of 2")
        assert "1. Ona Onaitė · 8B · Utenos gimnazija\nReading to children\n" in text
        assert "2. Jonas Jonaitis · 8B · Utenos gimnazija" in text
        assert "3. Eglė Eglaitė · 8B · Utenos gimnazija\nSorting books" in text
        assert "4. Lina\nTalka\n" in text  # no roster record, no full name: the Telegram name
        assert "5. Ona Onaitė" in text
        assert "Note: We planted 12 oaks" in text
        assert "Note: We sorted <books> & magazines" in text  # escaped, shown as written
        assert len(text) < 4096
        assert "…" in text
        assert "6. " not in text
        labels = [label for label, _data in listed.buttons]
        assert labels[:2] == ["✔ 1", "✖ 1"]
        assert "📷 5" in labels
        assert "📷 1" not in labels
        assert "▶" in labels
        assert "◀" not in labels

        # Paging edits the same message.
        second = await press(fake, TEACHER, "▶")
        assert second.message_id == listed.message_id
        assert second.edited
        assert "7 entries wait · page 2 of 2" in second.text
        assert "6. Jonas Jonaitis · 8B" in second.text
        assert "7. Eglė Eglaitė" in second.text
        first = await press(fake, TEACHER, "◀")
        assert "1. Ona Onaitė" in first.text

        # The photo button sends the pupil's photo to the teacher.
        photo_data, approve_data = button(first, "📷 5"), button(first, "✔ 1")
        fake.press_button(person(fake, TEACHER), first, photo_data)
        await fake.wait_idle()
        photo = fake.messages(TEACHER)[-1]
        assert photo.photo is not None
        assert photo.photo.content == OAKS
        assert photo.caption == "📷 Photo from Ona Onaitė: Planting trees in the park"

        # Approve one: the list is drawn again in place; Ona hears the outcome.
        fake.press_button(person(fake, TEACHER), first, approve_data)
        await fake.wait_idle()
        now = queue_message(fake, listed.message_id)
        assert now.text.startswith("Hours to verify (Utenos gimnazija)\n6 entries wait")
        assert "1. Jonas Jonaitis" in now.text
        [approved] = outcomes(fake, ONA)
        assert approved.startswith("✔ Your 8 h for «Reading to children»")
        # A double tap (or a stale list) decides nothing twice, and says why.
        assert await forged(fake, TEACHER, now, approve_data) == "This entry was already approved."
        assert len(outcomes(fake, ONA)) == 1

        # Reject one, with today's reasons; « Back first returns to the list unchanged.
        reasons = await tap(fake, listed, "✖ 1")
        assert reasons.message_id == listed.message_id
        assert reasons.text.startswith("Reject this entry?\n\n1. Jonas Jonaitis · 8B")
        back = await tap(fake, listed, "« Back")
        assert "6 entries wait" in back.text
        await tap(fake, listed, "✖ 1")
        after = await tap(fake, listed, "the hours do not match")
        assert after.message_id == listed.message_id
        assert "5 entries wait" in after.text
        assert "page" not in after.text.split("\n")[1]
        [rejected] = outcomes(fake, JONAS)
        assert rejected.startswith("✖ Your 3 h for «Helping at the shelter»")
        assert rejected.endswith("were not approved: the hours do not match.")

        # "Approve these 5": leave Lina out, approve the other four.
        confirm = await tap(fake, listed, "✔ Approve these 5")
        assert confirm.message_id == listed.message_id
        assert confirm.text.startswith("Approve these entries?")
        assert "☑ 2. Lina: Talka" in confirm.text
        toggled = await tap(fake, listed, "☑ 2. Lina")
        assert "☐ 2. Lina: Talka" in toggled.text
        assert [label for label, _ in toggled.buttons][-2:] == ["✔ Approve 4", "« Back"]
        yes_data = button(toggled, "✔ Approve 4")
        done = await tap(fake, listed, "✔ Approve 4")
        assert done.message_id == listed.message_id
        assert done.text.startswith("Hours to verify (Utenos gimnazija)\n1 entry waits")
        assert "1. Lina" in done.text
        assert [a.text for a in fake.callback_answers][-1] == "Approved: 4."
        await fake.wait_idle()
        assert await statuses(application) == {
            "Reading to children": "approved", "Helping at the shelter": "rejected",
            "Sorting books": "approved", "Talka": "pending",
            "Planting trees in the park": "approved", "Library help": "approved",
            "Park clean-up": "approved"}
        assert len(outcomes(fake, ONA)) == 2
        assert len(outcomes(fake, EGLE)) == 2
        assert len(outcomes(fake, JONAS)) == 2
        assert outcomes(fake, LINA) == []
        # Confirming again approves nothing more.
        assert await forged(fake, TEACHER, done, yes_data) == \
            "These entries were already decided; the list is up to date now."
        assert len(outcomes(fake, EGLE)) == 2

        # An organizer of another school can neither see nor decide school A's entries.
        await open_organisation(fake, "Molėtų progimnazija", OTHER_TEACHER)
        assert "Nothing waits for your verification." in await say(fake, OTHER_TEACHER,
                                                                  "/pending")
        other = fake.messages(OTHER_TEACHER)[-1]
        lina_data = button(done, "✔ 1")
        assert await forged(fake, OTHER_TEACHER, other, lina_data) == \
            "Only organizers of that organisation can do that."
        assert await forged(fake, OTHER_TEACHER, other, photo_data) == \
            "Only organizers of that organisation can do that."
        assert (await statuses(application))["Talka"] == "pending"

        # The last one: an empty queue says so.
        empty = await tap(fake, listed, "✔ 1")
        assert empty.message_id == listed.message_id
        assert empty.text == "Nothing waits for your verification."
        assert empty.buttons == []
        # A stale press redraws the list as it already was: Telegram answers "message is
        # not modified", which the bot expects (handlers/errors.py).
        assert [r for r in fake.rejected
                if "message is not modified" not in (r.description or "")] == []


async def test_organizers_are_reminded_once_a_week_never_at_night(
        fake: FakeBotAPI, bot_settings, i18n, monkeypatch: pytest.MonkeyPatch) -> None:
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        assert application.job_queue is not None  # the hourly job runs; the test picks times
        for job in application.job_queue.get_jobs_by_name("verification-reminders"):
            job.schedule_removal()
        await school_with_class(fake)
        await quick_log(fake, ONA, "/log 2 Reading to children")
        await quick_log(fake, JONAS, "/log 1 Library help")
        db = application.bot_data.db
        noon = datetime.combine(today(), time(12, 0), LOCAL)
        # The reminder is rendered when sent, and not at all in the quiet hours: the clock
        # of its sending says noon, whenever the test runs.
        monkeypatch.setattr(verification, "utcnow", lambda: noon)
        assert await verification.queue_reminders(db, now=noon) == 0  # nothing waits a week
        async with db.transaction() as session:  # logged eight days ago
            await session.execute(update(HourEntry).values(
                created_at=noon - timedelta(days=8)))

        def reminders() -> list[SentMessage]:
            return [m for m in fake.messages(TEACHER) if (m.text or "").startswith("⏰")]

        assert await verification.queue_reminders(db, now=noon) == 1
        application.bot_data.sender.wake()
        await fake.wait_for_request("sendMessage", lambda r: r.ok and "⏰" in str(
            r.params.get("text")))
        await fake.wait_idle()
        [reminder] = reminders()
        assert reminder.text == "⏰ 2 entries have waited more than a week for your verification."
        # Its button opens the list.
        await press(fake, TEACHER, "Open the list")
        listed = fake.messages(TEACHER)[-1]
        assert listed.message_id != reminder.message_id
        assert listed.text.startswith("Hours to verify (Utenos gimnazija)\n2 entries wait")

        # Not again the next day, nor within the week; never in the quiet hours.
        assert await verification.queue_reminders(db, now=noon + timedelta(days=1)) == 0
        assert await verification.queue_reminders(db, now=noon + timedelta(days=6)) == 0
        late = datetime.combine(today() + timedelta(days=8), time(22, 30), LOCAL)
        early = datetime.combine(today() + timedelta(days=9), time(6, 0), LOCAL)
        assert await verification.queue_reminders(db, now=late) == 0
        assert await verification.queue_reminders(db, now=early) == 0
        # Held up in the outbox into the night, a reminder is not sent at all.
        assert await verification.reminder_view(db, TEACHER, now=late) is None
        # A week later, in the morning, once more.
        morning = datetime.combine(today() + timedelta(days=9), time(8, 30), LOCAL)
        assert await verification.queue_reminders(db, now=morning) == 1
        assert await verification.queue_reminders(db, now=morning + timedelta(hours=1)) == 0
        application.bot_data.sender.wake()
        await fake.wait_idle()
        assert len(reminders()) == 2
        # The pupils themselves are never reminded; the administrator organizes nothing here.
        assert not any((m.text or "").startswith("⏰") for m in fake.messages(ONA))
        assert not any((m.text or "").startswith("⏰") for m in fake.messages(ADMIN))
        assert fake.rejected == []
