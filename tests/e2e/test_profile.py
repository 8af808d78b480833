"""/profile as a guided flow over the fake Bot API, in Lithuanian and German: a button per
field, the typed answer saved, a wrong target refused at once, Cancel, and the English
one-line shortcut still working."""

from __future__ import annotations

import pytest

from bot.app import running
from bot.storage.models import User
from bot.transports.polling import build_polling_application
from bot.usecases import waiting as records
from tests.fakes import FakeBotAPI, SentMessage

PUPIL = 950


@pytest.fixture
async def app(bot_settings, i18n):
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        yield application


async def press(fake: FakeBotAPI, user, label: str) -> SentMessage:
    latest = fake.messages(PUPIL)[-1]
    found = [data for text, data in latest.buttons if text.startswith(label) and data]
    assert found, f"no {label!r} in {latest.text!r}: {latest.buttons}"
    fake.press_button(user, latest, found[0])
    await fake.wait_idle()
    return fake.messages(PUPIL)[-1]


async def say(fake: FakeBotAPI, user, text: str) -> SentMessage:
    count = len(fake.messages(PUPIL))
    fake.send_text(user, text)
    await fake.wait_for_messages(PUPIL, count + 1)
    await fake.wait_idle()
    return fake.messages(PUPIL)[-1]


async def stored(application) -> User:
    async with application.bot_data.db.transaction() as session:
        user: User | None = await session.get(User, PUPIL)
        assert user is not None
        return user


@pytest.mark.parametrize(("language", "words"), [
    ("lt", {"profile": "Jūsų profilis", "school": "🏫 Mokykla", "asks": "mokyklos pavadinimą",
            "target": "🎯", "grade": "🎓", "saved": "Išsaugota", "unchanged": "Niekas nepakeista.",
            "bad_target": "Metinį tikslą", "cancel": "✖"}),
    ("de", {"profile": "Ihr Profil", "school": "🏫 Schule", "asks": "Namen Ihrer Schule",
            "target": "🎯", "grade": "🎓", "saved": "Gespeichert",
            "unchanged": "Nichts wurde geändert.", "bad_target": "Jahresziel",
            "cancel": "✖"}),
])
async def test_profile_by_buttons(fake: FakeBotAPI, app, language: str,
                                  words: dict[str, str]) -> None:
    pupil = fake.user(PUPIL, first_name="Ona", language_code=language)
    shown = await say(fake, pupil, "/profile mokykla Vyturio")  # field names in Lithuanian
    assert words["profile"] in shown.text
    assert (await stored(app)).school is None  # not taken as a field name: the buttons shown
    question = await press(fake, pupil, words["school"])
    assert words["asks"] in question.text
    saved = await say(fake, pupil, "Utenos Vyturio gimnazija")
    assert saved.text.startswith(words["saved"])
    assert "Utenos Vyturio gimnazija" in saved.text
    assert (await stored(app)).school == "Utenos Vyturio gimnazija"

    await press(fake, pupil, words["target"])
    refused = await say(fake, pupil, "daug")
    assert words["bad_target"] in refused.text
    saved = await say(fake, pupil, "40")
    assert saved.text.startswith(words["saved"])
    assert (await stored(app)).yearly_target_minutes == 40 * 60

    await press(fake, pupil, words["grade"])
    cancelled = await press(fake, pupil, words["cancel"])
    assert cancelled.text == words["unchanged"]
    await say(fake, pupil, "10b")  # after Cancel, text is a search again
    user = await stored(app)
    assert user.grade is None
    assert await records.current(app.bot_data.db, PUPIL) is None  # nothing waits any more
    assert fake.rejected == []


async def test_the_english_shortcut_still_works(fake: FakeBotAPI, app) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    shown = await say(fake, pupil, "/profile grade 10b")
    assert "Grade: 10b" in shown.text
    shown = await say(fake, pupil, "/profile target 2000")
    assert "between 1 and 1000" in shown.text
    assert (await stored(app)).grade == "10b"


async def test_the_certificate_name_is_changed_in_profile(fake: FakeBotAPI, app) -> None:
    """/export promises that /profile changes the name printed on certificates."""
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    shown = await say(fake, pupil, "/profile")
    assert "Full name (on certificates): —" in shown.text
    question = await press(fake, pupil, "🪪 Full name")
    assert question.text.startswith("Write your full name (first name and surname)")
    refused = await say(fake, pupil, "O")
    assert refused.text.startswith("Write your full name")  # still asked
    saved = await say(fake, pupil, "  Ona   Jonaitytė ")
    assert "Full name (on certificates): Ona Jonaitytė" in saved.text
    assert (await stored(app)).full_name == "Ona Jonaitytė"
