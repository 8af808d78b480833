"""Badges and playlists say what happened, end to end over the fake Bot API: a badge created
when a pupil already meets its rule is awarded to them (once); finishing a learning playlist
brings a congratulation with its badge; a learner typing an organizer command hears what it
is for, in words a learner understands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.storage.models import BadgeAward
from tests.e2e.test_hours import ORGANIZER, PUPIL, STRANGER, button, school  # noqa: F401
from tests.e2e.test_playlists import LEARNER, build_playlist, data_of, press, say, town  # noqa: F401
from tests.e2e.test_playlists import ORGANIZER as PLAYLIST_ORGANIZER
from tests.fakes import FakeBotAPI, SentMessage


def pngs(fake: FakeBotAPI, chat_id: int) -> list[SentMessage]:
    return [m for m in fake.messages(chat_id)
            if m.document and m.document.filename.endswith(".png")]


async def log_and_approve(fake: FakeBotAPI, text: str) -> None:
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, text)
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]
    if any(label.startswith("Utenos gimnazija") for label, _ in flow.buttons):
        fake.press_button(pupil, flow, button(flow, "Utenos gimnazija"))
        await fake.wait_idle()
        flow = fake.messages(PUPIL)[-1]
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()
    request = fake.messages(ORGANIZER)[-1]
    fake.press_button(fake.user(ORGANIZER, language_code="en"), request,
                      button(request, "✔ Approve"))
    await fake.wait_idle()


async def awards(application) -> int:
    async with application.bot_data.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(BadgeAward)) or 0)


async def test_a_new_badge_goes_to_pupils_who_already_earned_it(fake: FakeBotAPI,
                                                                school) -> None:  # noqa: F811
    await log_and_approve(fake, "/log 3 Reading to children")
    assert pngs(fake, PUPIL) == []
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/badge new Skaitovas; Reads to children; 2 approved hours; 2")
    await fake.wait_idle()
    assert "Badge created" in fake.messages(ORGANIZER)[-1].text
    await fake.wait_for_request("sendDocument", lambda r: r.status == 200, timeout=30)
    await fake.wait_idle()
    [badge] = pngs(fake, PUPIL)
    assert "You earned the badge «Skaitovas» from Utenos gimnazija" in (badge.caption or "")
    assert "Verified hours: 3 h" in (badge.caption or "")

    await log_and_approve(fake, "/log 1 Reading to children")  # more hours: not again
    await fake.wait_idle(quiet=1.0)
    assert len(pngs(fake, PUPIL)) == 1
    assert await awards(school) == 1

    # A badge nobody has earned yet goes to nobody.
    fake.send_text(organizer, "/badge new Didysis; Many hours; 50 approved hours; 50")
    await fake.wait_idle(quiet=1.0)
    assert await awards(school) == 1
    assert fake.rejected == []


async def test_finishing_a_playlist_brings_a_congratulation_with_its_badge(
        fake: FakeBotAPI, town) -> None:  # noqa: F811
    organizer = fake.user(PLAYLIST_ORGANIZER, language_code="en")
    learner = fake.user(LEARNER, first_name="Ona", language_code="en")
    playlist_id = await build_playlist(fake, organizer, "Ceramics for beginners",
                                       "Clay and glaze.", "keramika", "Library day")
    created = await say(fake, organizer, PLAYLIST_ORGANIZER,
                        f"/badge new Keramikas; Finished the course; The playlist; "
                        f"#{playlist_id}")
    assert "Badge created" in created.text
    shown = await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    fake.press_button(learner, shown, data_of(shown, "pl:j:"))
    await fake.wait_idle()
    await say(fake, learner, LEARNER, "/log")
    await press(fake, learner, LEARNER, "lg:p:")
    await press(fake, learner, LEARNER, "lg:d:0")
    await press(fake, learner, LEARNER, "lg:h:120")
    await press(fake, learner, LEARNER, "lg:n")
    await press(fake, learner, LEARNER, "lg:c:")
    request = fake.messages(PLAYLIST_ORGANIZER)[-1]
    fake.press_button(organizer, request, data_of(request, "va:"))
    await fake.wait_for_request("sendDocument", lambda r: r.status == 200, timeout=30)
    await fake.wait_idle()
    [badge] = pngs(fake, LEARNER)
    caption = badge.caption or ""
    assert caption.startswith(
        "🎉 Congratulations: you finished the learning playlist «Ceramics for beginners»!")
    assert "You earned the badge «Keramikas» from Utenos biblioteka" in caption
    assert fake.rejected == []


FOR_ORGANIZERS = "This command is for organizers of an organisation on Takas."


@pytest.mark.parametrize("command", [
    "/pending", "/broadcast", "/badge", "/badge new X; y; z; 5", "/playlist",
    "/playlist edit", "/checkin 2 Talka", "/report", "/attendance 2 Talka", "/classes",
    "/org invite Utenos gimnazija",
    "/org target Utenos gimnazija 40"])
async def test_a_learner_typing_an_organizer_command_hears_what_it_is_for(
        fake: FakeBotAPI, school, command: str) -> None:  # noqa: F811
    learner = fake.user(STRANGER, language_code="en")
    fake.send_text(learner, command)
    [reply] = await fake.wait_for_messages(STRANGER, 1)
    assert reply.text.startswith(FOR_ORGANIZERS), reply.text
    assert "invitation link" in reply.text
    assert fake.rejected == []


async def test_the_sentence_speaks_the_learners_language(fake: FakeBotAPI,
                                                         school) -> None:  # noqa: F811
    learner = fake.user(STRANGER, language_code="lt")
    fake.send_text(learner, "/pending")
    [reply] = await fake.wait_for_messages(STRANGER, 1)
    assert "kvietimo nuorod" in reply.text
    organizer = fake.user(ORGANIZER, language_code="en")  # organizers still get the tool
    fake.send_text(organizer, "/pending")
    await fake.wait_idle()
    assert fake.messages(ORGANIZER)[-1].text == "Nothing waits for your verification."
