"""The Mini App's doors in the chat when WEBAPP_URL is set: the menu button, "Open map"
and "Open my profile" under /start, search results and /hours in a private chat, and
none in a group (the fake Bot API refuses web_app buttons there, as Telegram does)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.app import build_application, running
from tests.fakes import FakeBotAPI, SentMessage

APP = "https://takas.example/app"
USER, GROUP = 611, -100611


def web_apps(message: SentMessage) -> list[tuple[str, str]]:
    rows: list[list[dict[str, Any]]] = (message.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], b["web_app"]["url"]) for row in rows for b in row if "web_app" in b]


@pytest.fixture
async def bot(make_settings, fake: FakeBotAPI, i18n):
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, webapp_url=APP)
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        yield application


async def test_private_chat_offers_the_mini_app(fake: FakeBotAPI, bot) -> None:
    assert fake.menu_buttons[""] == {"type": "web_app", "text": "Map",
                                     "web_app": {"url": APP + "/"}}
    user = fake.user(USER, language_code="lt")
    fake.send_text(user, "/start")
    [hello] = await fake.wait_for_messages(USER, 1)
    assert web_apps(hello) == [("🗺 Atverti žemėlapį", APP + "/"),
                               ("📊 Atverti mano profilį", APP + "/profile")]
    fake.send_text(user, "keramika")
    results = (await fake.wait_for_messages(USER, 2))[-1]
    assert web_apps(results) == [("🗺 Atverti žemėlapį", APP + "/?q=keramika")]
    fake.send_text(user, "/hours")
    await fake.wait_idle()
    assert web_apps(fake.messages(USER)[-1]) == []  # no hours yet: nothing to look at
    assert fake.rejected == []


async def test_a_group_gets_no_mini_app_buttons(fake: FakeBotAPI, bot) -> None:
    user = fake.user(USER, language_code="en")
    group = fake.group(GROUP, "Readers")
    fake.add_bot_to_group(user, group)
    fake.send_text(user, "@takas_test_bot keramika", chat=group)
    fake.send_text(user, "/start@takas_test_bot", chat=group)
    await fake.wait_idle()
    assert fake.messages(GROUP)
    assert all(web_apps(message) == [] for message in fake.messages(GROUP))
    assert fake.rejected == []


async def test_the_fake_refuses_web_app_buttons_where_telegram_does(fake: FakeBotAPI,
                                                                    bot) -> None:
    user = fake.user(USER)
    group = fake.group(GROUP, "Readers")
    fake.add_bot_to_group(user, group)
    button = {"inline_keyboard": [[{"text": "Map", "web_app": {"url": APP + "/"}}]]}
    plain = {"inline_keyboard": [[{"text": "Map", "web_app": {"url": "http://x.example/"}}]]}
    telegram = bot.bot
    await telegram.send_message(USER, "ok", reply_markup=InlineKeyboardMarkup.de_json(
        button, telegram))
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await telegram.send_message(GROUP, "no", reply_markup=InlineKeyboardMarkup.de_json(
            button, telegram))
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await telegram.send_message(USER, "no", reply_markup=InlineKeyboardMarkup.de_json(
            plain, telegram))
