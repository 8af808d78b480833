"""A forged button whose id no table can hold (a malicious or broken client) is answered
politely and refused before any query: on PostgreSQL such an id used to reach the database,
fail on the INTEGER column and be logged at ERROR with an apology."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import event

from tests.fakes import FakeBotAPI

USER = 971
HUGE = "99999999999999"


@pytest.mark.parametrize("data", [
    f"va:{HUGE}", f"vr:{HUGE}", f"vb:{HUGE}", f"vx:{HUGE}:absent", f"vd:ask:{HUGE}",
    f"vd:yes:{HUGE}", f"vd:no:{HUGE}", "va:2147483648", "va:007",
])
async def test_a_forged_huge_id_gets_a_polite_answer_and_no_query(
        fake: FakeBotAPI, bot: Any, caplog: pytest.LogCaptureFixture, data: str) -> None:
    user = fake.user(USER, language_code="en")
    fake.send_text(user, "/start")
    await fake.wait_for_messages(USER, 1)
    await fake.wait_idle()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = bot.bot_data.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with caplog.at_level(logging.INFO):
            press = fake.press_button(user, fake.messages(USER)[-1], data, forge=True)
            await fake.wait_idle()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    [answer] = [a for a in fake.callback_answers if a.query_id == press.query_id]
    assert answer.text == "This button has expired."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    touched = [s for s in statements if "hour_entries" in s or "verification_digests" in s]
    assert touched == []
