"""The one dispatcher of typed answers: a registered flow that waits gets the user's text
(with its state) and the search does not; a flow that steps aside, or no flow at all, lets
the text be searched; the record survives a restart."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.app import build_application, running
from bot.context import TakasContext
from bot.usecases import waiting as records
from handlers import waiting
from tests.fakes import FakeBotAPI

USER = 961
FLOW = "zz-echo"


async def echo(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    message = update.effective_message
    assert message is not None
    if (message.text or "") == "pass":
        return False  # step aside: the text goes on to the search
    await message.reply_text(f"echo {state['tag']}: {message.text}")
    await waiting.clear(context)
    return True


waiting.register(FLOW, echo)


async def say(fake: FakeBotAPI, text: str) -> str:
    count = len(fake.messages(USER))
    fake.send_text(fake.user(USER, language_code="en"), text)
    await fake.wait_for_messages(USER, count + 1)
    await fake.wait_idle()
    return "\n".join(m.text or "" for m in fake.messages(USER)[count:])


async def test_the_waiting_flow_takes_the_text_even_after_a_restart(
        fake: FakeBotAPI, bot_settings, i18n) -> None:
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        await say(fake, "/start")
        await records.expect(application.bot_data.db, USER, FLOW, {"tag": "t1"})
    # A restart: a new application on the same database still knows who waits.
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        assert await say(fake, "pass") != "echo t1: pass"  # stepped aside: searched
        assert await say(fake, "robotika") == "echo t1: robotika"
        assert await records.current(application.bot_data.db, USER) is None
        assert not (await say(fake, "robotika")).startswith("echo")  # cleared: a search


async def test_a_flow_this_version_does_not_know_steps_aside(fake: FakeBotAPI, bot) -> None:
    await say(fake, "/start")
    await records.expect(bot.bot_data.db, USER, "zz-gone", {})
    assert not (await say(fake, "robotika")).startswith("echo")


def test_a_flow_name_is_registered_once() -> None:
    waiting.register(FLOW, echo)  # the same callback again: harmless

    async def other(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
        return False

    try:
        waiting.register(FLOW, other)
    except ValueError:
        pass
    else:
        raise AssertionError("a second callback for one flow must be refused")
