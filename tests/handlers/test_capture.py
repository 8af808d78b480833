"""Replies captured while a web process handles an update: nothing leaves the process, the
outbox gets the calls once, and the sender posts them to Telegram as they were made."""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from bot.delivery import Sender, build_bot
from bot.delivery.capture import CapturingRequest, capturing
from bot.storage import outbox
from bot.storage.db import Database
from tests.fakes import FakeBotAPI

USER = 4242
CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def capturing_bot(fake: FakeBotAPI) -> Bot:
    return Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot",
               request=CapturingRequest(HTTPXRequest()))


async def deliver(db: Database, fake: FakeBotAPI, **options: Any) -> Sender:
    sender = Sender(db, build_bot(fake.token, fake.url), rate=25, **options)
    async with sender:
        await sender.drain(timeout=20)
    return sender


async def test_replies_leave_only_through_the_outbox(fake: FakeBotAPI, db: Database) -> None:
    fake.user(USER, language_code="en")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More »", callback_data="more:1")]])
    async with capturing_bot(fake) as bot:  # getMe is read-only: it passes through
        with capturing() as captured:
            waiting = await bot.send_message(USER, "Searching…")
            await waiting.edit_text("<b>3</b> results", parse_mode="HTML", reply_markup=markup)
            await bot.send_document(USER, document=CALENDAR, filename="event.ics")
        assert fake.calls("sendMessage") == []
        assert fake.calls("sendDocument") == []
        assert waiting.message_id < 0  # the handler was answered without Telegram
        # The edit of a message not sent yet changed what will be sent: two calls, not three.
        assert [call.method for call in captured.calls] == ["sendMessage", "sendDocument"]

    async with db.transaction() as session:
        assert await outbox.enqueue_calls(session, 77, captured.calls, USER) == 2
    async with db.transaction() as session:  # settling the same update again adds nothing
        assert await outbox.enqueue_calls(session, 77, captured.calls, USER) == 0
    await deliver(db, fake)

    text, document = fake.messages(USER)
    assert text.text == "3 results"
    assert text.source == "<b>3</b> results"
    assert text.reply_markup == markup.to_dict()
    assert document.document is not None
    assert document.document.content == CALENDAR
    assert document.document.filename == "event.ics"
    assert fake.rejected == []


async def test_outside_an_update_calls_go_straight_out(fake: FakeBotAPI) -> None:
    fake.user(USER, language_code="en")
    async with capturing_bot(fake) as bot:
        sent = await bot.send_message(USER, "Good morning")
    assert sent.message_id > 0
    assert [message.text for message in fake.messages(USER)] == ["Good morning"]


async def test_replies_go_before_a_waiting_broadcast(fake: FakeBotAPI, db: Database) -> None:
    """Someone who just wrote to the bot does not wait behind a broadcast's thousands."""
    listeners = [fake.user(5000 + n, language_code="en").id for n in range(30)]
    fake.user(USER, language_code="en")
    async with db.transaction() as session:
        for chat in listeners:
            await outbox.enqueue(session, dedupe_key=f"b:{chat}", chat_id=chat,
                                 kind="broadcast", text="News")
    async with capturing_bot(fake) as bot:
        with capturing() as captured:
            await bot.send_message(USER, "Here are your results")
    async with db.transaction() as session:
        await outbox.enqueue_calls(session, 78, captured.calls, USER)
    await deliver(db, fake)
    sent = [call.params["chat_id"] for call in fake.calls("sendMessage")]
    assert len(sent) == 31
    assert int(sent[0]) == USER


async def test_a_copied_message_is_answered_with_its_new_id(fake: FakeBotAPI) -> None:
    fake.user(USER, language_code="en")
    async with capturing_bot(fake) as bot:
        with capturing() as captured:
            copied = await bot.copy_message(USER, USER, 1)
    assert copied.message_id < 0  # a MessageId, as Telegram answers copyMessage
    assert [call.method for call in captured.calls] == ["copyMessage"]
