"""Small talk over the fake Bot API: a greeting, thanks or "what can you do?" is answered with
example searches as buttons, never with "nothing found"; pressing an example lists results."""

from __future__ import annotations

import pytest

from bot.i18n import I18n
from catalog.search.engine import search
from handlers.smalltalk import examples
from tests.e2e.test_search import search_bot  # noqa: F401 - the synced demo-catalog bot
from tests.fakes import FakeBotAPI

LANGUAGES = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")


@pytest.mark.parametrize(("user_id", "language", "text", "greeting", "example", "found"), [
    (41, "lt", "labas", "Sveiki! Savais žodžiais", "muziejų naktis",
     "Muziejų naktis Kauno senamiestyje"),
    (42, "ru", "привет", "Здравствуйте! Напишите", "ночь музеев", "Ночь музеев в Даугавпилсе"),
])
async def test_a_greeting_gets_examples_that_run_a_search(
        fake: FakeBotAPI, search_bot, user_id: int, language: str, text: str,  # noqa: F811
        greeting: str, example: str, found: str) -> None:
    person = fake.user(user_id, language_code=language)
    fake.send_text(person, text)
    [reply] = await fake.wait_for_messages(user_id, 1)
    assert reply.text.startswith(greeting)
    labels = [label for label, _data in reply.buttons]
    assert len(labels) == 3
    assert f"🔎 {example}" in labels
    data = dict(reply.buttons)[f"🔎 {example}"]
    assert data is not None
    assert len(data.encode()) <= 64
    fake.press_button(person, reply, data)
    await fake.wait_idle()
    results = fake.messages(user_id)[0]
    assert results.edited
    assert example in results.text.split("\n")[0]
    assert " 1. " in results.text  # a numbered list of results
    assert found in results.text
    assert fake.rejected == []


async def test_help_and_thanks_in_english(fake: FakeBotAPI, search_bot) -> None:  # noqa: F811
    person = fake.user(43, language_code="en")
    fake.send_text(person, "Hello, can you help me?")
    [helped] = await fake.wait_for_messages(43, 1)
    assert "I find courses, workshops" in helped.text
    assert "Nothing found" not in helped.text
    assert len(helped.buttons) == 3
    fake.send_text(person, "thanks!")
    replies = await fake.wait_for_messages(43, 2)
    assert replies[-1].text.startswith("You are welcome!")
    fake.send_text(person, "hello, ceramics for beginners")  # a greeting, then a search
    replies = await fake.wait_for_messages(43, 3)
    assert "Keramik" in replies[-1].text
    assert fake.rejected == []


async def test_a_greeting_in_inline_mode_offers_nothing(fake: FakeBotAPI,
                                                        search_bot) -> None:  # noqa: F811
    fake.send_inline_query(fake.user(44, language_code="en"), "hi")
    answer = await fake.wait_for_request("answerInlineQuery")
    assert answer.params["results"] == []


async def test_every_languages_examples_find_something(search_bot, i18n: I18n) -> None:  # noqa: F811
    index = search_bot.bot_data.search.index
    for language in LANGUAGES:
        with i18n.use(language):
            for example in examples():
                assert search(index, example, language=language).hits, (language, example)


async def test_a_greeting_in_a_group_gets_the_introduction(fake: FakeBotAPI,
                                                           search_bot) -> None:  # noqa: F811
    group = fake.group(-1005, "Readers")
    anna = fake.user(45, language_code="en")
    fake.send_text(anna, "@takas_test_bot hello!", chat=group)
    fake.send_text(anna, "@takas_test_bot thanks", chat=group)
    first, second = await fake.wait_for_messages(-1005, 2)
    assert first.text.startswith("Hello, everyone! I am Takas")
    assert second.text.startswith("You are welcome!")
    assert fake.rejected == []
