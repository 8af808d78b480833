"""/log end to end over the fake Bot API: the photo a pupil gives as evidence reaches the
organizers; dates in words and in every language; each answer checked at its own step;
Edit from the confirmation; Back at every step."""

from __future__ import annotations

from datetime import timedelta

from bot.formatting import date_text
from bot.services.hours import today
from tests.e2e.test_hours import ORGANIZER, PUPIL, button, entries, press, school  # noqa: F401
from tests.fakes import FakeBotAPI


async def test_the_photo_evidence_reaches_the_organizer(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log")
    await fake.wait_idle()
    fake.send_text(pupil, "Planting trees in the park")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "Today")
    fake.send_text(pupil, "3")
    await fake.wait_idle()
    fake.send_photo(pupil, caption="We planted 12 oaks", content=b"\xff\xd8\xff\xe0oaks")
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]
    assert "Photo attached" in flow.text
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()

    received = fake.messages(ORGANIZER)[1:]
    photos = [m for m in received if m.photo is not None]
    assert len(photos) == 1, [m.text or m.caption for m in received]
    assert photos[0].photo.content == b"\xff\xd8\xff\xe0oaks"
    assert "Ona" in (photos[0].caption or "")
    request = received[-1]
    assert "Ona: Planting trees in the park" in request.text
    assert "We planted 12 oaks" in request.text
    assert "photo" in request.text.lower()
    assert button(request, "✔ Approve")

    # /pending shows the evidence too, on request.
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/pending")
    await fake.wait_idle()
    listed = fake.messages(ORGANIZER)[-1]
    assert "1. Ona\nPlanting trees in the park" in listed.text
    assert "📷" in listed.text
    fake.press_button(organizer, listed, button(listed, "📷 1"))
    await fake.wait_idle()
    assert fake.messages(ORGANIZER)[-1].photo.content == b"\xff\xd8\xff\xe0oaks"
    assert fake.rejected == []


async def test_an_entry_without_a_photo_says_nothing_of_one(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log 2 Reading to children")
    await fake.wait_idle()
    flow = await press(fake, pupil, PUPIL, "Utenos gimnazija")
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()
    received = fake.messages(ORGANIZER)[1:]
    assert [m for m in received if m.photo] == []
    assert "photo" not in received[-1].text.lower()
    assert fake.rejected == []


async def test_one_line_log_with_a_day_word_logs_that_day(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="lt")
    fake.send_text(pupil, "/log 2 Talka vakar")
    await fake.wait_idle()
    flow = await press(fake, pupil, PUPIL, "Utenos gimnazija")
    assert "Veikla: Talka\n" in flow.text
    yesterday = today() - timedelta(days=1)
    fake.press_button(pupil, flow, button(flow, "✔"))
    await fake.wait_idle()
    [entry] = await entries(school)
    assert (entry.activity, entry.day, entry.minutes) == ("Talka", yesterday, 120)

    fake.send_text(pupil, "/log 1,5 Talka parke gruodžio 1 d.")
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]
    assert "Veikla: Talka parke\n" in flow.text
    fake.press_button(pupil, flow, button(flow, "✔"))
    await fake.wait_idle()
    last = (await entries(school))[-1]
    assert last.activity == "Talka parke"
    assert (last.day.month, last.day.day) == (12, 1)


async def test_one_line_log_refuses_a_future_day_at_once(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log 2 Talka 2099-01-01")
    await fake.wait_idle()
    reply = fake.messages(PUPIL)[-1]
    assert "That day has not come yet" in reply.text
    assert reply.buttons == []  # no organisation to pick first
    fake.send_text(pupil, "/log 30 Talka")
    await fake.wait_idle()
    assert "at most 24" in fake.messages(PUPIL)[-1].text


async def start_guided(fake: FakeBotAPI, pupil) -> None:
    fake.send_text(pupil, "/log")
    await fake.wait_idle()
    fake.send_text(pupil, "Reading to children")
    await fake.wait_idle()


async def test_the_day_step_refuses_a_bad_day_there(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    await start_guided(fake, pupil)
    question = await press(fake, pupil, PUPIL, "Utenos gimnazija")
    assert "Which day?" in question.text
    for bad, says in (("2099-01-01", "That day has not come yet"),
                      ("2019-09-01", "That is too long ago"),
                      ("someday", "That is not a date I can read")):
        fake.send_text(pupil, bad)
        await fake.wait_idle()
        assert says in fake.messages(PUPIL)[-1].text
    fake.send_text(pupil, "gestern")
    await fake.wait_idle()
    assert "How many hours?" in fake.messages(PUPIL)[-1].text
    fake.send_text(pupil, "2")
    await fake.wait_idle()
    summary = await press(fake, pupil, PUPIL, "Skip")
    yesterday = date_text(today() - timedelta(days=1))
    assert f"Day: {yesterday}" in summary.text
    assert fake.rejected == []


async def test_edit_the_hours_from_the_confirmation(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log 2 Reading to children")
    await fake.wait_idle()
    summary = await press(fake, pupil, PUPIL, "Utenos gimnazija")
    assert "Hours: 2 h" in summary.text
    question = await press(fake, pupil, PUPIL, "✏ Hours")
    assert "How many hours?" in question.text
    fake.send_text(pupil, "3,5")
    await fake.wait_idle()
    summary = fake.messages(PUPIL)[-1]
    assert "Hours: 3.5 h" in summary.text
    assert "Activity: Reading to children" in summary.text
    question = await press(fake, pupil, PUPIL, "✏ Day")
    assert "Which day?" in question.text
    summary = await press(fake, pupil, PUPIL, "Yesterday")
    assert f"Day: {date_text(today() - timedelta(days=1))}" in summary.text
    fake.press_button(pupil, summary, button(summary, "✔ Confirm"))
    await fake.wait_idle()
    [entry] = await entries(school)
    assert (entry.minutes, entry.day) == (210, today() - timedelta(days=1))
    assert fake.rejected == []


async def test_back_works_at_every_step(fake: FakeBotAPI, school) -> None:  # noqa: F811
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    await start_guided(fake, pupil)
    assert "Which organisation" in fake.messages(PUPIL)[-1].text
    assert "What did you do?" in (await press(fake, pupil, PUPIL, "« Back")).text
    fake.send_text(pupil, "Reading to children")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    assert "Which organisation" in (await press(fake, pupil, PUPIL, "« Back")).text
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "Today")
    assert "Which day?" in (await press(fake, pupil, PUPIL, "« Back")).text
    await press(fake, pupil, PUPIL, "Today")
    await press(fake, pupil, PUPIL, "2 h")
    assert "How many hours?" in (await press(fake, pupil, PUPIL, "« Back")).text
    await press(fake, pupil, PUPIL, "2 h")
    summary = await press(fake, pupil, PUPIL, "Skip")
    assert "Please check and confirm" in summary.text
    assert "Add a note" in (await press(fake, pupil, PUPIL, "« Back")).text
    summary = await press(fake, pupil, PUPIL, "Skip")
    fake.press_button(pupil, summary, button(summary, "✔ Confirm"))
    await fake.wait_idle()
    [entry] = await entries(school)
    assert (entry.activity, entry.minutes) == ("Reading to children", 120)
    assert fake.rejected == []
