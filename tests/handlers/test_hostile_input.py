"""Hostile input to the handlers, end to end over the fake Bot API: digits that are not
ASCII digits ("²", "٣", "𝟗": `str.isdigit()` accepts them, `int()` then raises or reads
another number), ids too large for the database, in deep links and in forged button data.
Each gets a polite answer; nothing is logged at ERROR (where unhandled exceptions go)."""

from __future__ import annotations

import logging

import pytest

from bot.text import parse_id
from tests.fakes import FakeBotAPI

PUPIL = 4242
# Every prefix of callback data a handler listens to (handlers/*.py, `pattern=`).
PREFIXES = ("Bg", "Bc", "Bd", "Be", "Bw", "Ba", "Br", "Bv", "BY", "BP", "Bs", "bc", "mu",
            "nf", "uf", "ff", "lg", "pl", "fm", "sp", "sl", "ss", "od", "oc", "va", "vr",
            "vx", "vb", "vA")
ODD = ("²", "¹²", "٣", "𝟗", "9" * 25)


def forged(prefix: str) -> list[str]:
    """Data shaped like the prefix's real buttons, with odd digits in every position."""
    shapes = []
    for odd in ODD:
        shapes += [f"{prefix}:{odd}", f"{prefix}:{odd}:{odd}", f"{prefix}:{odd}:1",
                   f"{prefix}:1:{odd}", f"{prefix}:o:{odd}", f"{prefix}:s:{odd}",
                   f"{prefix}:h:{odd}", f"{prefix}:lg:{odd}:lt", f"{prefix}:{odd}:dup"]
    return [data for data in shapes if len(data.encode()) <= 64]


def test_parse_id_takes_ascii_digits_only() -> None:
    assert parse_id("0") == 0
    assert parse_id("123456789012345678") == 123456789012345678
    for text in ("", "²", "1²", "٣", "𝟗", "-1", "+1", " 1", "1 ", "1.0", "1_0",
                 "1234567890123456789", "x"):
        assert parse_id(text) is None, text


@pytest.mark.parametrize("payload", ["pl_²", "pl_¹²", "pl_٣", "pl_" + "9" * 18])
async def test_odd_deep_links_are_answered_politely(
        fake: FakeBotAPI, bot, caplog: pytest.LogCaptureFixture, payload: str) -> None:
    user = fake.user(PUPIL, language_code="en")
    with caplog.at_level(logging.ERROR):
        fake.send_text(user, f"/start {payload}")
        await fake.wait_idle()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    [reply] = fake.messages(PUPIL)
    assert "Something went wrong" not in reply.text
    assert fake.rejected == []


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_forged_buttons_with_odd_digits_are_answered_as_expired(
        fake: FakeBotAPI, bot, caplog: pytest.LogCaptureFixture, prefix: str) -> None:
    user = fake.user(PUPIL, language_code="en")
    fake.send_text(user, "/start")
    await fake.wait_idle()
    [welcome] = fake.messages(PUPIL)
    sent = forged(prefix)
    with caplog.at_level(logging.ERROR):
        for data in sent:
            fake.press_button(user, welcome, data, forge=True)
        await fake.wait_idle()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len(fake.callback_answers) == len(sent)  # every press answered
    for answer in fake.callback_answers:
        assert "went wrong" not in (answer.text or "")
    assert all("went wrong" not in m.text for m in fake.messages(PUPIL))
    # A second press that re-renders the same text gets "message is not modified" from
    # Telegram too; the error handler ignores it on purpose.
    assert [r for r in fake.rejected
            if "message is not modified" not in (r.description or "")] == []
