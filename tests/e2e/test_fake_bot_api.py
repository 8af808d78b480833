"""Tests of the fake Telegram Bot API (tests/fakes), driven by a real PTB Bot/Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.error import Conflict as TgConflict
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes import FakeBotAPI, TelegramHTMLError, html_error, parse_html, utf16_len
from tests.fakes.limits import FloodControl

USER_ID = 42


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(
        fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot"
    ) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


# -- the HTML validator, unit level ----------------------------------------------------


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>bold <i>both</i></b> plain", "bold both plain"),
        ("<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>",
         "abcdefg"),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ('<pre><code class="language-python">print(1 &lt; 2)</code></pre>', "print(1 < 2)"),
        ("<code>x</code> <pre>y</pre>", "x y"),
        ("<blockquote>q</blockquote><blockquote expandable>long</blockquote>", "qlong"),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42;", '<tag> & "q" AB'),
        ("<B>upper-case tags</B>", "upper-case tags"),
        ("a > b", "a > b"),
        ("<b>x</>", "x"),
    ],
)
def test_html_validator_accepts(html: str, plain: str) -> None:
    assert html_error(html) is None
    assert parse_html(html).text == plain


def test_html_entities_use_utf16_offsets() -> None:
    parsed = parse_html('👍 <b>Labas</b> <a href="https://x.lt">čia</a> <pre><code '
                        'class="language-py">1</code></pre>')
    assert parsed.text == "👍 Labas čia 1"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "text_link", "url": "https://x.lt", "offset": 9, "length": 3},
        {"type": "pre", "language": "py", "offset": 13, "length": 1},
    ]
    assert utf16_len("👍") == 2


PREFIX = "Bad Request: can't parse entities: "


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("Hello world <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 12'),
        ("ą <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>",
         'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ends with <", "Unclosed start tag at byte offset 10"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_html_validator_refuses(html: str, error: str) -> None:
    assert html_error(html) == PREFIX + error
    with pytest.raises(TelegramHTMLError):
        parse_html(html)


@pytest.mark.parametrize("html", ["Tom & Jerry", "&nbsp;", "&amp without semicolon", "&#;"])
def test_html_validator_refuses_bare_ampersand(html: str) -> None:
    error = html_error(html)
    assert error is not None
    assert error.startswith(PREFIX + 'Unescaped "&" at byte offset')
    # tdlib itself keeps such an ampersand literally; the lenient mode matches it.
    assert html_error(html, strict_ampersand=False) is None


# -- basic calls through a real telegram.Bot ----------------------------------------------


async def test_get_me(bot: Bot, fake: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, fake.bot_username, True)
    assert bot.username == "takas_test_bot"


async def test_send_message_round_trip(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID)
    fake.send_text(user, "hi")  # takes message id 1 in the chat
    sent = await bot.send_message(
        USER_ID, "<b>Labas</b>, Ona &amp; co", parse_mode="HTML", reply_markup=keyboard("a", "b")
    )
    assert sent.message_id == 2
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.id == fake.bot_id
    assert sent.text == "Labas, Ona & co"
    assert sent.text_html == "<b>Labas</b>, Ona &amp; co"
    [stored] = fake.messages(USER_ID)
    assert (stored.message_id, stored.text, stored.parse_mode) == (2, "Labas, Ona & co", "HTML")
    assert stored.source == "<b>Labas</b>, Ona &amp; co"
    assert stored.buttons == [("a", "a"), ("b", "b")]
    second = await bot.send_message(USER_ID, "again")
    assert second.message_id == 3
    assert fake.delivered(USER_ID) == ["Labas, Ona & co", "again"]
    request = fake.calls("sendMessage")[0]
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.params["chat_id"] == USER_ID
    assert request.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert fake.rejected == []


async def test_string_params_stay_strings(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    sent = await bot.send_message(USER_ID, "123")
    assert sent.text == "123"
    assert fake.calls("sendMessage")[0].params["text"] == "123"


async def test_json_body_and_case_insensitive_method(fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    async with aiohttp.ClientSession() as session:
        url = f"{fake.url}/bot{fake.token}/SENDMESSAGE"
        async with session.post(url, json={"chat_id": USER_ID, "text": "json"}) as response:
            body = await response.json()
        async with session.post(f"{fake.url}/bot{fake.token}/noSuchMethod") as response:
            missing = await response.json()
    assert body["ok"] is True
    assert body["result"]["text"] == "json"
    assert fake.requests[0].method == "sendMessage"
    assert missing == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_unknown_method_and_chat(bot: Bot, fake: FakeBotAPI) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")
    assert [r.description for r in fake.rejected] == [
        "Not Found: method not found", "Bad Request: chat not found"
    ]


async def test_wrong_token_gives_invalid_token(fake: FakeBotAPI) -> None:
    wrong = Bot("999:WRONG", base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    assert fake.requests[-1].status == 401


# -- text validation through the API -------------------------------------------------------


async def test_invalid_html_is_refused(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER_ID, "Hello world <foo>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(USER_ID, "<b>oops", parse_mode="HTML")
    # Without parse_mode the same text is fine.
    await bot.send_message(USER_ID, "Hello world <foo>")
    assert fake.rejected[0].description == PREFIX + 'Unsupported start tag "foo" at byte offset 12'


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 4096, True),
        ("a" * 4097, False),
        ("😀" * 2048, True),
        ("😀" * 2049, False),  # 4098 UTF-16 code units
        ("ą" * 4096, True),  # 8192 UTF-8 bytes, but 4096 UTF-16 units
    ],
)
async def test_message_length_limit_in_utf16(
    bot: Bot, fake: FakeBotAPI, text: str, ok: bool
) -> None:
    fake.user(USER_ID)
    if ok:
        await bot.send_message(USER_ID, text)
    else:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(USER_ID, text)


async def test_length_counts_visible_text_and_empty_text(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    await bot.send_message(USER_ID, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(USER_ID, "&amp;" * 4096, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(USER_ID, b"jpeg", caption="c" * 1025)


# -- keyboards -----------------------------------------------------------------------------


async def test_callback_data_limit_is_64_utf8_bytes(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    await bot.send_message(USER_ID, "ok", reply_markup=keyboard("x" * 64))
    await bot.send_message(USER_ID, "ok", reply_markup=keyboard("ą" * 32))
    for data in ("x" * 65, "ą" * 33):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(USER_ID, "no", reply_markup=keyboard(data))
    assert fake.rejected[-1].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_too_many_buttons(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    rows = [[InlineKeyboardButton(f"{r}{c}", callback_data=f"{r}:{c}") for c in range(10)]
            for r in range(10)]
    await bot.send_message(USER_ID, "100 buttons", reply_markup=InlineKeyboardMarkup(rows))
    rows[-1].append(InlineKeyboardButton("one more", callback_data="extra"))
    with pytest.raises(BadRequest, match="Too many buttons"):
        await bot.send_message(USER_ID, "101", reply_markup=InlineKeyboardMarkup(rows))
    reply_rows = [[KeyboardButton(str(i))] for i in range(101)]
    with pytest.raises(BadRequest, match="Too many buttons"):
        await bot.send_message(USER_ID, "101", reply_markup=ReplyKeyboardMarkup(reply_rows))


async def test_button_without_action_is_refused(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            USER_ID, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("bare")]])
        )


# -- getUpdates ------------------------------------------------------------------------------


async def test_get_updates_offset_semantics(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID)
    ids = [fake.send_text(user, f"m{i}").update_id for i in range(4)]
    first = await bot.get_updates()
    assert [u.update_id for u in first] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
    # ids[0] and ids[1] are confirmed: gone forever, even without an offset.
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[2:3]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert await bot.get_updates(offset=ids[3] + 1) == ()
    assert fake.updates.unconfirmed == 0


async def test_long_poll_wakes_on_injection(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID)
    # A long poll of a minute: only a wake-up can end it within the 30 s waited here.
    poll = asyncio.create_task(bot.get_updates(timeout=60, read_timeout=90))
    await fake.wait_for_long_poll(timeout=10)
    fake.send_text(user, "wake up")
    updates = await asyncio.wait_for(poll, 30)
    assert updates[0].message is not None
    assert updates[0].message.text == "wake up"


async def test_long_poll_times_out_empty(bot: Bot, fake: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=0.3)))
    await fake.wait_for_long_poll(timeout=10)  # it was held open, not answered at once
    assert await poll == ()
    assert not fake.updates.waiting


async def test_webhook_blocks_get_updates(bot: Bot, fake: FakeBotAPI) -> None:
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(TgConflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_injected_user_actions_parse_in_ptb(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID, first_name="Jonas", username="jonas")
    group = fake.group(-1001, "Kursai", type="supergroup")
    fake.send_text(user, "👍 /help@takas_test_bot now", chat=group)
    typed = fake.send_text(user, "typo")
    fake.edit_text(user, typed.message_id or 0, "fixed")
    fake.send_location(user, 54.68, 25.28)
    fake.send_photo(user, caption="look")
    inline = fake.send_inline_query(user, "python")
    fake.inject_update({"my_chat_member": {
        "chat": group.to_dict(), "from": user.to_dict(), "date": 0,
        "old_chat_member": {"status": "left", "user": fake.bot_user()},
        "new_chat_member": {"status": "member", "user": fake.bot_user()}}})
    updates = await bot.get_updates()
    assert len(updates) == 7
    command = updates[0].message
    assert command is not None
    assert command.chat.type == "supergroup"
    assert command.parse_entities() == {command.entities[0]: "/help@takas_test_bot"}
    assert command.entities[0].offset == 3  # the emoji is two UTF-16 code units
    assert updates[2].edited_message is not None
    assert updates[2].edited_message.text == "fixed"
    assert updates[3].message is not None
    assert updates[3].message.location is not None
    photo_message = updates[4].message
    assert photo_message is not None
    assert photo_message.caption == "look"
    photo_file = await photo_message.photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()).startswith(b"\xff\xd8")
    assert updates[5].inline_query is not None
    assert updates[5].inline_query.id == inline.query_id
    assert updates[6].my_chat_member is not None


# -- a full Application ------------------------------------------------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_user is not None
    await update.effective_message.reply_text(
        f"Labas, <b>{update.effective_user.first_name}</b>!",
        parse_mode="HTML",
        reply_markup=keyboard("lang:lt", "lang:en"),
    )


async def _pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer(f"Chosen {query.data}")
    await query.edit_message_text(f"Language: {query.data.split(':')[1]}")


@pytest.fixture
async def app(fake: FakeBotAPI) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        Application.builder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_pick, pattern=r"^lang:"))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0)
        await application.start()
        yield application
        await application.updater.stop()
        await application.stop()


async def test_application_replies_to_start(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeBotAPI
) -> None:
    user = fake.user(USER_ID, first_name="Ona")
    fake.send_text(user, "/start")
    [reply] = await fake.wait_for_messages(USER_ID, 1, timeout=5)
    assert reply.text == "Labas, Ona!"
    assert reply.entities == [{"type": "bold", "offset": 7, "length": 3}]
    group = fake.group(-500, "Studijos")
    fake.send_text(user, "/start@takas_test_bot", chat=group)
    await fake.wait_for_messages(-500, 1, timeout=5)
    await fake.wait_idle(quiet=0.05, timeout=5)
    assert fake.updates.unconfirmed == 0
    assert fake.rejected == []


async def test_button_press_flow(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeBotAPI
) -> None:
    user = fake.user(USER_ID)
    fake.send_text(user, "/start")
    [menu] = await fake.wait_for_messages(USER_ID, 1, timeout=5)
    pressed = fake.press_button(user, menu, "lang:en")
    await fake.wait_for_request("editMessageText", timeout=5)
    await fake.wait_idle(quiet=0.05, timeout=5)
    [answer] = fake.callback_answers
    assert (answer.query_id, answer.text, answer.show_alert) == (
        pressed.query_id, "Chosen lang:en", False
    )
    [menu] = fake.messages(USER_ID)
    assert menu.edited
    assert menu.text == "Language: en"
    assert menu.buttons == []  # editing without reply_markup removed the keyboard
    with pytest.raises(AssertionError, match="no button"):
        fake.press_button(user, menu, "lang:lt")
    assert fake.rejected == []


async def test_callback_answer_checks(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID)
    sent = await bot.send_message(USER_ID, "menu", reply_markup=keyboard("go"))
    query_id = fake.press_button(user, fake.messages(USER_ID)[0], "go").query_id
    assert query_id is not None
    assert sent.message_id == 1
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, "x" * 201)
    assert await bot.answer_callback_query(query_id, "x" * 200)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    forged = fake.press_button(user, 1, "never-offered", forge=True)
    assert forged.update["callback_query"]["data"] == "never-offered"


# -- errors a bot must handle -----------------------------------------------------------------


async def test_flood_limit_gives_retry_after(
    bot: Bot, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on int retry_after otherwise
    now = [1000.0]
    fake.flood = FloodControl(clock=lambda: now[0])
    fake.enforce_flood = True
    fake.user(USER_ID)
    await bot.send_message(USER_ID, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "two")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert [(r.chat_id, r.retry_after) for r in fake.flood_rejections] == [(USER_ID, 1)]
    now[0] += 1.0  # the window slides
    await bot.send_message(USER_ID, "two")
    group = fake.group(-7, "Group")
    for i in range(20):
        await bot.send_message(-7, f"g{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-7, "g20")
    assert caught.value.retry_after == dtm.timedelta(seconds=60)
    assert group.type == "group"
    assert fake.rejected == []  # flood 429s are listed in flood_rejections instead
    assert fake.delivered(USER_ID) == ["one", "two"]


async def test_global_flood_limit(
    bot: Bot, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.flood = FloodControl(clock=lambda: 5.0)
    fake.enforce_flood = True
    for user_id in range(1, 32):
        fake.user(user_id)
    for user_id in range(1, 31):
        await bot.send_message(user_id, "broadcast")
    with pytest.raises(RetryAfter):
        await bot.send_message(31, "broadcast")


async def test_injected_failures(
    bot: Bot, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.user(USER_ID)
    fake.inject_429("sendMessage", retry_after=3)
    fake.inject_error("sendmessage", status=502, times=2)
    with pytest.raises(RetryAfter, match="Retry in 0:00:03"):
        await bot.send_message(USER_ID, "x")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER_ID, "x")
    await bot.send_message(USER_ID, "x")
    assert [r.status for r in fake.requests if r.method == "sendMessage"] == [429, 502, 502, 200]
    assert fake.rejected == []
    assert fake.delivered(USER_ID) == ["x"]


async def test_blocked_and_deactivated_users(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(1)
    fake.user(2)
    fake.block(1)
    fake.deactivate(2)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1, "hi")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_document(2, b"doc", filename="a.txt")
    assert [r.status for r in fake.errors] == [403, 403]
    assert fake.rejected == []


async def test_edit_message_errors(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    sent = await bot.send_message(USER_ID, "<b>x</b>", parse_mode="HTML",
                                  reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>x</b>", USER_ID, sent.message_id, parse_mode="HTML",
                                    reply_markup=keyboard("a"))
    assert fake.rejected[-1].description == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    edited = await bot.edit_message_text("x", USER_ID, sent.message_id, reply_markup=keyboard("a"))
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=keyboard("b"))
    assert fake.messages(USER_ID)[0].buttons == [("b", "b")]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("y", USER_ID, 999)
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert fake.messages(USER_ID) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)


async def test_send_document_multipart(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    content = b"kursas;miestas\nPython;Vilnius\n"
    message = await bot.send_document(USER_ID, content, filename="kursai.csv", caption="Sąrašas")
    assert message.document is not None
    assert message.document.file_name == "kursai.csv"
    [request] = fake.calls("sendDocument")
    assert request.content_type == "multipart/form-data"
    upload = request.params["document"]
    assert (upload.filename, upload.content, upload.mime) == ("kursai.csv", content, "text/csv")
    assert request.params["chat_id"] == USER_ID
    assert request.params["caption"] == "Sąrašas"
    [stored] = fake.messages(USER_ID)
    assert stored.document is not None
    assert stored.document.content == content
    assert stored.caption == "Sąrašas"
    assert stored.text is None
    resent = await bot.send_document(USER_ID, message.document.file_id)  # by file_id
    assert resent.document is not None
    assert resent.document.file_id == message.document.file_id
    photo = await bot.send_photo(USER_ID, b"\x89PNG fake", caption="<i>pic</i>", parse_mode="HTML")
    assert photo.caption == "pic"
    assert photo.photo


# -- other methods ---------------------------------------------------------------------------


async def test_commands_and_descriptions(bot: Bot, fake: FakeBotAPI) -> None:
    commands = [BotCommand("start", "Pradėti"), BotCommand("help", "Pagalba")]
    await bot.set_my_commands(commands)
    await bot.set_my_commands([BotCommand("kursai", "Kursai")],
                              scope=BotCommandScopeAllPrivateChats(), language_code="lt")
    assert fake.command_names() == ["start", "help"]
    assert fake.command_names("all_private_chats", "lt") == ["kursai"]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    for bad in (BotCommand("Start", "x"), BotCommand("with-dash", "x"), BotCommand("a" * 33, "x")):
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([bad])
    with pytest.raises(BadRequest, match="Command description must be non-empty"):
        await bot.set_my_commands([BotCommand("ok", "")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("ok", "d" * 257)])
    with pytest.raises(BadRequest, match="Too many commands"):
        await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    await bot.set_my_description("Mokymosi asistentas", language_code="lt")
    await bot.set_my_short_description("Takas")
    assert fake.descriptions == {"lt": "Mokymosi asistentas"}
    assert (await bot.get_my_description("lt")).description == "Mokymosi asistentas"
    assert fake.short_descriptions == {"": "Takas"}


async def test_inline_query_answers(bot: Bot, fake: FakeBotAPI) -> None:
    user = fake.user(USER_ID)
    query_id = fake.send_inline_query(user, "py").query_id
    assert query_id is not None

    def article(i: int) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(str(i), f"Kursas {i}", InputTextMessageContent(f"#{i}"))

    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query_id, [article(i) for i in range(51)])
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article(1), article(1)])
    await bot.answer_inline_query(query_id, [article(i) for i in range(50)], cache_time=0)
    [answer] = fake.inline_answers
    assert answer.query_id == query_id
    assert len(answer.results) == 50
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [])


async def test_chat_action_and_misc(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(USER_ID)
    await bot.send_chat_action(USER_ID, "typing")
    assert fake.chat_actions == [(USER_ID, "typing")]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")
    assert await bot.log_out()
    assert await bot.close()
    fake.register_method("setChatMenuButton", lambda params: True)
    assert await bot.set_chat_menu_button()


async def test_duplicates_and_waiting_helpers(bot: Bot, fake: FakeBotAPI) -> None:
    fake.user(1)
    fake.user(2)
    for chat_id, text in ((1, "news"), (2, "news"), (1, "news"), (1, "other")):
        await bot.send_message(chat_id, text)
    assert fake.delivered(1) == ["news", "news", "other"]
    assert fake.duplicates() == [(1, "news")]
    request = await fake.wait_for_request("sendmessage", lambda r: r.params["chat_id"] == 2)
    assert request.params["text"] == "news"
    with pytest.raises(AssertionError, match=r"(?s)timed out.*sendMessage"):
        await fake.wait_for_messages(2, count=2, timeout=0.05)
    await fake.wait_idle(quiet=0.01, timeout=1)


async def test_ptb_rate_limiter_retries_after_429(
    fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.user(USER_ID)
    fake.inject_429("sendMessage", retry_after=1)
    application = (
        Application.builder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .rate_limiter(AIORateLimiter(max_retries=1))
        .build()
    )
    async with application:
        await application.bot.send_message(USER_ID, "after retry")  # waits retry_after (1 s)
    assert [r.status for r in fake.calls("sendMessage")] == [429, 200]
    assert fake.delivered(USER_ID) == ["after retry"]
