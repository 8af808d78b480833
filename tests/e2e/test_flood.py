"""Per-user flood control end to end: one user's flood is slowed down politely, in their
language, and does not hold up anyone else."""

from __future__ import annotations

import time

from bot.flood import FloodGuard, Verdict
from tests.fakes import FakeBotAPI

LITHUANIAN_NOTICE = "Siunčiate žinutes greičiau"


async def _latencies(fake: FakeBotAPI, chat_id: int, sent: list[float], before: int) -> list[float]:
    """Seconds from each send to its reply, replies being counted from `before` on."""
    latencies = []
    for n, at in enumerate(sent, start=1):
        await fake.wait_for_messages(chat_id, before + n, timeout=60)
        latencies.append(time.monotonic() - at)
    return latencies


async def test_a_flooding_user_is_slowed_down_and_others_are_not(fake: FakeBotAPI, bot) -> None:
    guard: FloodGuard = bot.bot_data.flood
    flooder = fake.user(1, first_name="Ona", language_code="lt")
    other = fake.user(2, first_name="Anna", language_code="en")

    # Baseline: the other user alone.
    sent = []
    for _n in range(5):
        sent.append(time.monotonic())
        fake.send_text(other, "/help")
    alone = await _latencies(fake, other.id, sent, 0)

    # 100 messages from one user within a second, the other user's 5 among them.
    started = time.monotonic()
    sent = []
    for n in range(100):
        fake.send_text(flooder, "/help")
        if n % 20 == 10:
            sent.append(time.monotonic())
            fake.send_text(other, "/help")
    during = await _latencies(fake, other.id, sent, 5)
    await fake.wait_idle()
    elapsed = time.monotonic() - started
    print(f"\nother user's reply latency, alone: {[round(x * 1000) for x in alone]} ms; "
          f"during the flood: {[round(x * 1000) for x in during]} ms "
          f"(flood of 100 messages, {elapsed:.2f} s)")

    replies = [m.text or "" for m in fake.messages(flooder.id)]
    notices = [t for t in replies if t.startswith(LITHUANIAN_NOTICE)]
    answered = [t for t in replies if t.startswith("Ką moku")]
    assert len(notices) == 1  # one notice per episode, not one per dropped message
    allowed = guard.burst + guard.rate * elapsed + 1
    assert 1 <= len(answered) <= allowed
    assert guard.dropped >= 100 - allowed
    # The other user got every reply, none of them a notice.
    other_replies = [m.text or "" for m in fake.messages(other.id)]
    assert len(other_replies) == 10
    assert all(t.startswith("What I can do") for t in other_replies)
    assert fake.rejected == []


async def test_button_presses_over_the_limit_get_a_short_alert(fake: FakeBotAPI, bot) -> None:
    tapper = fake.user(3, language_code="en")
    fake.send_text(tapper, "/language")
    [menu] = await fake.wait_for_messages(tapper.id, 1)
    queries = [fake.press_button(tapper, menu, "lang:en", forge=True).query_id
               for _n in range(40)]
    await fake.wait_idle()
    answers = {a.query_id: a for a in fake.callback_answers}
    assert set(queries) <= set(answers)  # every press is answered (no endless spinner)
    alerts = [a for a in answers.values()
              if a.text == "Too many taps at once. Please wait a few seconds."]
    assert alerts
    assert all(a.show_alert for a in alerts)
    # The notice for messages is for messages: button presses never add chat messages.
    assert len(fake.messages(tapper.id)) == 1


def test_the_bucket_allows_a_burst_then_the_rate_and_notifies_once() -> None:
    now = [0.0]
    guard = FloodGuard(burst=3, rate=0.5, notice_interval=60, clock=lambda: now[0])
    assert [guard.check(1) for _n in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(1) is Verdict.DROP_AND_NOTIFY
    assert guard.check(1) is Verdict.DROP
    assert guard.check(2) is Verdict.ALLOW  # others have their own bucket
    assert guard.wait(1) == 2.0
    now[0] = 2.0
    assert guard.check(1) is Verdict.ALLOW  # one token refilled after 1 / rate seconds
    assert guard.check(1) is Verdict.DROP  # told at t=0: not again within the interval
    now[0] = 61.0
    assert [guard.check(1) for _n in range(3)] == [Verdict.ALLOW] * 3  # full again
    assert guard.check(1) is Verdict.DROP_AND_NOTIFY


def test_memory_is_bounded_by_forgetting_full_buckets() -> None:
    now = [0.0]
    guard = FloodGuard(burst=2, rate=1, clock=lambda: now[0], max_users=10)
    for user_id in range(10):
        guard.check(user_id)
    now[0] = 5.0  # everyone has refilled
    guard.check(99)
    assert guard.language(0) is None
    assert len(guard._buckets) == 1
