"""Messages to other people go through the outbox as a kind and a reference, rendered when
sent (bot/delivery/kinds.py): a verification request queued while the Bot API fails is
delivered once it recovers, in the language its organizer chose meanwhile; the pupil's
outcome arrives in the pupil's language of the moment."""

from __future__ import annotations

from tests.e2e.test_hours import ORGANIZER, PUPIL, button, press, school  # noqa: F401
from tests.fakes import FakeBotAPI


async def log_two_hours(fake: FakeBotAPI) -> None:
    """The pupil logs 2 hours of reading for Utenos gimnazija, up to the confirmation."""
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log 2 Reading to children")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")


async def test_a_request_queued_while_telegram_fails_arrives_later_in_the_new_language(
        fake: FakeBotAPI, school) -> None:  # noqa: F811
    await log_two_hours(fake)
    before = len(fake.messages(ORGANIZER))
    fake.inject_error("sendMessage", status=502, times=1)
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    flow = fake.messages(PUPIL)[-1]
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    # The sender's first try of the request meets the failing API ...
    await fake.wait_for_request("sendMessage", lambda r: r.status == 502
                                and str(r.params.get("chat_id")) == str(ORGANIZER))
    assert len(fake.messages(ORGANIZER)) == before
    # ... and before it tries again, the organizer switches to German.
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/language")
    await fake.wait_for_messages(ORGANIZER, before + 1)
    await press(fake, organizer, ORGANIZER, "🇩🇪")
    request = (await fake.wait_for_messages(ORGANIZER, before + 2, timeout=30))[-1]
    assert "Stunden zur Bestätigung" in request.text, request.text
    assert "Ona: Reading to children" in request.text
    assert button(request, "✔")

    # The pupil switched to Lithuanian before the organizer decided: the outcome is
    # rendered when sent, in Lithuanian.
    fake.send_text(pupil, "/language")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "🇱🇹")
    fake.press_button(organizer, request, button(request, "✔"))
    await fake.wait_idle()
    outcome = fake.messages(PUPIL)[-1]
    assert "patvirtint" in outcome.text, outcome.text
    assert fake.rejected == []
