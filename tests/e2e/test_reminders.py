"""Monthly target reminders over the fake Bot API, queued by the real daily job: a pupil
behind their grade's target gets one (not in the quiet hours, not twice in a month), with
a button for activities near them; none after turning them off in /profile, and again
after turning them back on; a pupil who passed hears nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import running
from bot.services.hours import school_year, today
from bot.transports.polling import build_polling_application
from bot.usecases import reminders as usecase
from handlers import reminders
from tests.e2e.test_e2e_schools import (
    JONAS,
    ONA,
    TEACHER,
    join,
    open_organisation,
    press,
    say,
    start_payload,
)
from tests.fakes import FakeBotAPI

REMINDER = ("🎯 A friendly reminder about your yearly target of 10 hours: 0 hours approved "
            "so far, 0 hours waiting for verification, 10 hours to go.")


class Clock:
    """The reminders' clock, set by the test: November of the current school year."""

    def __init__(self) -> None:
        first = school_year(today())[0]
        self.now = datetime(first.year, 11, 16, 15, 0, tzinfo=UTC)  # 17:00 in Vilnius

    def __call__(self) -> datetime:
        return self.now


def reminders_to(fake: FakeBotAPI, user_id: int) -> list[str]:
    return [m.text for m in fake.messages(user_id) if m.text and m.text.startswith("🎯")]


async def run_job(fake: FakeBotAPI, application) -> None:
    """The daily job, run now by the application's own job queue; then what it queued is
    sent."""
    done = asyncio.Event()

    async def job(context) -> None:
        try:
            await reminders.reminders_job(context)
        finally:
            done.set()

    application.job_queue.run_once(job, 0)
    await asyncio.wait_for(done.wait(), timeout=10)
    await fake.wait_idle()


async def test_one_reminder_a_month_while_behind_and_only_if_wanted(
        fake: FakeBotAPI, bot_settings, i18n, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(usecase, "utcnow", clock)
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        await open_organisation(fake, "Utenos gimnazija", TEACHER)
        class_payload = start_payload(await say(fake, TEACHER, "/classes new 8B"), "cl_")
        await join(fake, ONA, class_payload, "Ona Onaitė")
        await join(fake, JONAS, class_payload, "Jonas Jonaitis")
        await say(fake, TEACHER, "/attendance 10 Park clean-up")  # Jonas passes at once
        await press(fake, TEACHER, "Class 8B")
        await press(fake, TEACHER, "☐ Jonas Jonaitis")
        await press(fake, TEACHER, "✔ Save (1)")

        clock.now = clock.now.replace(hour=20)  # 22:00 in Vilnius: quiet hours
        await run_job(fake, application)
        assert reminders_to(fake, ONA) == []

        clock.now = clock.now.replace(hour=15)  # 17:00
        before = len(fake.messages(ONA))
        await run_job(fake, application)
        await fake.wait_for_messages(ONA, before + 1)
        assert reminders_to(fake, ONA) == [REMINDER + "\n\nFind an activity near you with the "
                                           "button below, and record what you did with /log. "
                                           "/hours shows your progress."]
        reminder = fake.messages(ONA)[-1]
        assert [label for label, _data in reminder.buttons] == ["📍 Activities near me",
                                                                "🔕 No more reminders"]
        assert reminders_to(fake, JONAS) == []  # passed

        # The button asks for the location with Telegram's own button.
        asked = await press(fake, ONA, "📍 Activities near me")
        assert asked.text.startswith("Share your location with the button below")
        assert [label for label, _data in asked.buttons] == ["📍 Share my location"]

        await run_job(fake, application)  # the same day again
        clock.now += timedelta(days=29)  # and within the month
        await run_job(fake, application)
        assert len(reminders_to(fake, ONA)) == 1

        profile = await say(fake, ONA, "/profile")
        assert ("🔔 A reminder once a month while you are behind your yearly target: on"
                in profile)
        off = await press(fake, ONA, "🔕 Turn reminders off")
        assert "behind your yearly target: off" in off.text
        clock.now += timedelta(days=2)  # a month later: none, they are off
        await run_job(fake, application)
        assert len(reminders_to(fake, ONA)) == 1

        await say(fake, ONA, "/profile")
        on = await press(fake, ONA, "🔔 Turn reminders on")
        assert "behind your yearly target: on" in on.text
        before = len(fake.messages(ONA))
        await run_job(fake, application)
        await fake.wait_for_messages(ONA, before + 1)
        assert len(reminders_to(fake, ONA)) == 2
        assert reminders_to(fake, JONAS) == []
        assert fake.rejected == []

