"""In groups the bot answers only when called, keeps personal data private, and paces its
replies to Telegram's group limit (the fake answers 429 to a bot that sends too fast)."""

from __future__ import annotations

import pytest
from telegram.ext import AIORateLimiter

from bot import app as app_module
from tests.fakes import FakeBotAPI
from tests.fakes import limits as fake_limits

GROUP = -1001234


def group_texts(fake: FakeBotAPI, chat_id: int = GROUP) -> list[str]:
    return [m.text or "" for m in fake.messages(chat_id)]


def first_url(message) -> str:
    markup = message.reply_markup or {}
    return str(markup["inline_keyboard"][0][0]["url"])


def only_url_buttons(fake: FakeBotAPI, chat_id: int = GROUP) -> bool:
    return all(not m.callback_data for m in fake.messages(chat_id))


async def test_added_to_a_group_it_greets_in_the_adders_language(fake: FakeBotAPI, bot) -> None:
    ona = fake.user(1, first_name="Ona", language_code="lt")
    group = fake.group(GROUP, "Klasė 9B", type="supergroup")
    fake.add_bot_to_group(ona, group)
    [greeting] = await fake.wait_for_messages(GROUP, 1)
    assert greeting.text.startswith("Labas visiems!")
    assert "@takas_test_bot" in greeting.text
    [(label, _data)] = greeting.buttons
    assert first_url(greeting).startswith("https://t.me/takas_test_bot?start=")
    assert label
    assert fake.rejected == []


async def test_only_messages_addressed_to_the_bot_are_answered(fake: FakeBotAPI, bot) -> None:
    anna = fake.user(2, first_name="Anna", language_code="en")
    group = fake.group(GROUP, "Readers")
    for text in ("english course vilnius", "/start@other_bot", "/weather", "hello all",
                 "/hours@other_bot", "ask @someone_else about volunteering"):
        fake.send_text(anna, text, chat=group)
    await fake.wait_idle()
    assert fake.messages(GROUP) == []  # group chatter is never a search
    assert fake.messages(anna.id) == []

    fake.send_text(anna, "@takas_test_bot english course", chat=group)
    [results] = await fake.wait_for_messages(GROUP, 1)
    assert "english course" in results.text.lower()
    fake.send_text(anna, "volunteering animals", chat=group, reply_to=results)
    await fake.wait_for_messages(GROUP, 2)
    fake.send_text(anna, "/help@takas_test_bot", chat=group)
    fake.send_text(anna, "/nonsense@takas_test_bot", chat=group)
    messages = await fake.wait_for_messages(GROUP, 4)
    assert messages[2].text.startswith("Hello, everyone!")
    assert messages[3].text.startswith("I don't know the command /nonsense")
    assert only_url_buttons(fake)  # nothing in the group acts for one person
    assert fake.rejected == []


@pytest.mark.parametrize("command", ["/hours", "/export@takas_test_bot", "/mydata",
                                     "/forgetme", "/profile", "/log 2 Reading", "/following",
                                     "/pending", "/broadcast", "/follow Vilnius"])
async def test_personal_commands_in_a_group_point_to_the_private_chat(
    fake: FakeBotAPI, bot, command: str
) -> None:
    pupil = fake.user(3, first_name="Gabija", language_code="en", username="gabija_k")
    group = fake.group(GROUP, "Klasė 9B")
    fake.send_text(pupil, "/start")  # she uses the bot privately too: it knows her
    await fake.wait_for_messages(pupil.id, 1)
    fake.send_text(pupil, command, chat=group)
    [note] = await fake.wait_for_messages(GROUP, 1)
    await fake.wait_idle()
    name = command.split()[0].split("@")[0]
    assert note.text == (f"This is personal, so I answer it only in a private chat with me: "
                         f"open it and send {name} there.")
    assert first_url(note).startswith("https://t.me/takas_test_bot")
    group_requests = [r for r in fake.requests if str(r.params.get("chat_id")) == str(GROUP)]
    assert [r.method.lower() for r in group_requests] == ["sendmessage"]  # no file, no data
    assert not any("Gabija" in t or "gabija" in t or t == "3" for t in group_texts(fake))
    assert len(fake.messages(pupil.id)) == 1  # nor did anything go to her private chat


async def test_replies_to_a_group_respect_the_group_limit(
    monkeypatch: pytest.MonkeyPatch, bot_settings, i18n
) -> None:
    """25 people call the bot in one group at once. Telegram allows 20 messages a minute per
    group; here time is scaled: the fake allows 20 per 2.5 s and the bot's limiter drains 20x
    faster than in production. Every reply arrives and the fake never has to refuse one."""
    from bot.app import build_application, running

    monkeypatch.setattr(fake_limits, "GROUP_LIMIT", (20, 2.5))
    monkeypatch.setattr(app_module, "GROUP_RATE", (app_module.GROUP_RATE[0],
                                                   app_module.GROUP_RATE[1] / 20))
    async with FakeBotAPI(token=bot_settings.bot_token.get_secret_value(),
                          enforce_flood=True) as fake:
        settings = bot_settings.model_copy(update={"bot_api_url": fake.url})
        application = build_application(settings, i18n)
        limiter: object = application.bot.rate_limiter  # ExtBot[None] types it as None
        assert isinstance(limiter, AIORateLimiter)
        group = fake.group(GROUP, "Big group")
        async with running(application, polling=True):
            for n in range(25):
                fake.send_text(fake.user(100 + n, language_code="en"), "/help@takas_test_bot",
                               chat=group)
            await fake.wait_for_messages(GROUP, 25, timeout=30)
        assert fake.flood_rejections == []
        assert fake.rejected == []
