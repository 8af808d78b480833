"""/log end to end over the fake Bot API: the photo a pupil gives as evidence reaches the
organizers; dates in words and in every language; each answer checked at its own step;
Edit from the confirmation; Back at every step."""

from __future__ import annotations

from tests.fakes import FakeBotAPI
from tests.test_e2e_hours import ORGANIZER, PUPIL, button, entries, press, school  # noqa: F401


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

    # /pending shows the evidence too.
    organizer = fake.user(ORGANIZER, language_code="en")
    before = len(fake.messages(ORGANIZER))
    fake.send_text(organizer, "/pending")
    await fake.wait_idle()
    listed = fake.messages(ORGANIZER)[before:]
    assert [m.photo.content for m in listed if m.photo] == [b"\xff\xd8\xff\xe0oaks"]
    assert "photo" in listed[-1].text.lower()
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
