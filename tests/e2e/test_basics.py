"""End to end over HTTP: the real Application long-polls the fake Bot API server."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.services.users import get_user
from tests.fakes import FakeBotAPI


async def test_start_greets_in_english_and_lithuanian(fake: FakeBotAPI, bot) -> None:
    fake.send_text(fake.user(1, first_name="Anna", language_code="en"), "/start")
    fake.send_text(fake.user(2, first_name="Ona", language_code="lt-LT"), "/start")
    [english] = await fake.wait_for_messages(1, 1)
    [lithuanian] = await fake.wait_for_messages(2, 1)
    assert english.text.startswith("Hello, Anna! I am Takas")
    assert lithuanian.text.startswith("Sveiki, Ona! Aš – Takas")
    assert fake.rejected == []


async def test_language_button_changes_the_stored_language(fake: FakeBotAPI, bot) -> None:
    ona = fake.user(3, first_name="Ona", language_code="en")
    fake.send_text(ona, "/language")
    [menu] = await fake.wait_for_messages(3, 1)
    labels = [text for text, _data in menu.buttons]
    assert "🇱🇹 Lietuvių" in labels
    assert "✓ 🇬🇧 English" in labels
    fake.press_button(ona, menu, "lang:lt")
    await fake.wait_idle()
    assert fake.messages(3)[0].text == "Gerai, nuo šiol rašysiu lietuviškai."
    assert fake.callback_answers
    async with bot.bot_data.db.transaction() as session:
        user = await get_user(session, 3)
    assert user is not None
    assert user.language == "lt"
    # The stored choice wins over Telegram's language_code from now on.
    fake.send_text(ona, "/help")
    messages = await fake.wait_for_messages(3, 2)
    assert messages[-1].text.startswith("Ką moku")
    assert fake.rejected == []


async def test_forged_language_is_refused_politely(fake: FakeBotAPI, bot) -> None:
    jonas = fake.user(4, language_code="en")
    fake.send_text(jonas, "/language")
    [menu] = await fake.wait_for_messages(4, 1)
    fake.press_button(jonas, menu, "lang:xx", forge=True)
    await fake.wait_idle()
    assert fake.callback_answers[-1].text == "This language is not available."
    assert fake.rejected == []


async def test_unknown_command_is_answered_politely(fake: FakeBotAPI, bot) -> None:
    fake.send_text(fake.user(5, language_code="lt"), "/nesamone<b>")
    [reply] = await fake.wait_for_messages(5, 1)
    assert reply.text == "Nežinau komandos /nesamone<b>. /help parodys, ką moku."
    assert "&lt;b&gt;" in reply.source
    assert fake.rejected == []


async def test_a_5000_character_message_gets_a_reply_within_limits(fake: FakeBotAPI, bot) -> None:
    fake.send_text(fake.user(6, language_code="en"), "ą" * 5000)
    [reply] = await fake.wait_for_messages(6, 1)
    assert len(reply.text) < 4096
    assert reply.text.startswith("Nothing found for «ąąą")
    assert fake.rejected == []


async def test_hostile_markup_is_quoted_back_safely(fake: FakeBotAPI, bot) -> None:
    hostile = "<b>bold</b> & </i> <script>alert(1)</script> &amp;"
    fake.send_text(fake.user(7, language_code="en"), hostile)
    [reply] = await fake.wait_for_messages(7, 1)
    assert f"«{hostile}»" in reply.text  # the user sees exactly what they typed
    assert "<b>" not in reply.source
    assert "&lt;b&gt;" in reply.source
    assert fake.rejected == []


async def test_an_error_is_logged_with_the_update_id_and_explained(
    fake: FakeBotAPI, bot, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(update: Update, context: object) -> None:
        raise RuntimeError("kaboom")

    bot.add_handler(CommandHandler("boom", boom), group=-1)  # after the middleware
    injected = fake.send_text(fake.user(8, language_code="lt"), "/boom")
    with caplog.at_level(logging.ERROR):
        [reply] = await fake.wait_for_messages(8, 1)
        await fake.wait_idle()
    assert reply.text == "Atsiprašau, man kažkas nepavyko. Pabandykite dar kartą po akimirkos."
    record = next(r for r in caplog.records if r.name == "handlers.errors")
    assert str(injected.update_id) in record.getMessage()
    assert record.exc_info is not None
    assert "kaboom" in str(record.exc_info[1])


async def test_command_menu_is_published_per_language(fake: FakeBotAPI, bot) -> None:
    assert fake.command_names() == ["start", "help", "log", "hours", "export", "badges",
                                    "following", "playlists", "profile", "claim",
                                    "language", "mydata", "verify", "forgetme"]
    lithuanian = {c["command"]: c["description"] for c in fake.commands[("default", "lt")]}
    assert lithuanian["language"] == "Pakeisti kalbą"
    # The profile texts too, per language, within Telegram's limits (the fake checks them).
    assert fake.descriptions[""].startswith("Takas finds courses")
    assert fake.short_descriptions["lt"] != fake.short_descriptions[""]


async def test_non_text_message_gets_a_hint(fake: FakeBotAPI, bot) -> None:
    fake.send_photo(fake.user(9, language_code="en"))
    [reply] = await fake.wait_for_messages(9, 1)
    assert reply.text == "I read text messages and commands. /help lists what I can do."
