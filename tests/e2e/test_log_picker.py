"""The organisation picker of /log in a city of organisations: the pupil's own school and
recent organisations come first, any other is found by its name, misspelt or without
diacritics, instead of a list of all of them."""

from __future__ import annotations

from bot.storage.models import Organisation, Pupil, User
from tests.e2e.test_hours import button
from tests.fakes import FakeBotAPI

PUPIL = 905
CITY = ("Vilniaus licėjus", "Kauno technologijos mokykla", "Utenos Vyturio gimnazija",
        "Molėtų progimnazija", "Anykščių biblioteka", "Zarasų kultūros centras",
        "Ignalinos jaunimo centras", "Visagino menų mokykla")


async def test_own_school_first_then_a_misspelt_name_finds_the_organisation(
        fake: FakeBotAPI, bot) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/start")
    await fake.wait_idle()
    async with bot.bot_data.db.transaction() as session:
        organisations = [Organisation(name=name) for name in CITY]
        session.add_all(organisations)
        await session.flush()
        assert await session.get(User, PUPIL) is not None
        session.add(Pupil(organisation_id=organisations[3].id, user_id=PUPIL,
                          full_name="Ona Jonaitytė"))

    fake.send_text(pupil, "/log 2 Sorting books")
    await fake.wait_idle()
    question = fake.messages(PUPIL)[-1]
    assert question.text.startswith("Which organisation should verify it?")
    assert "Not in the list? Write its name" in question.text
    offered = [label for label, data in question.buttons if data and data.startswith("lg:o:")]
    assert offered == ["Molėtų progimnazija"]  # the pupil's own school, not all eight

    fake.send_text(pupil, "utenos vyturio gimnazja")  # no diacritics, a letter missing
    await fake.wait_idle()
    found = fake.messages(PUPIL)[-1]
    assert found.text.startswith("Organisations like «utenos vyturio gimnazja»")
    matches = [label for label, data in found.buttons if data and data.startswith("lg:o:")]
    assert matches[0] == "Utenos Vyturio gimnazija"
    fake.press_button(pupil, found, button(found, "Utenos Vyturio gimnazija"))
    await fake.wait_idle()
    summary = fake.messages(PUPIL)[-1]
    assert "Organisation: Utenos Vyturio gimnazija" in summary.text

    fake.press_button(pupil, summary, button(summary, "✏ Organisation"))
    await fake.wait_idle()
    fake.send_text(pupil, "Šiaulių universitetas")
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith(
        "No organisation is called like «Šiaulių universitetas».")
    assert fake.rejected == []
