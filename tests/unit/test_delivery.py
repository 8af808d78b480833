"""Delivery: the outbox rules, the pacer in virtual time, the sender against the fake Bot
API (which enforces Telegram's flood limits). Crash safety with a real process SIGKILLed in
the middle of a broadcast: tests/system/test_delivery_kill.py."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import Pacer, Sender, build_bot, retry_after_seconds
from bot.delivery.settling import Settler
from bot.services.users import SeenUser, touch_user
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, OutboxStatus, User, utcnow
from tests.fakes import ApiError, FakeBotAPI

FIRST_USER = 10_000

# PTB 22 itself warns when it builds a RetryAfter; the sender reads both forms.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def flood_fake(fake: FakeBotAPI) -> FakeBotAPI:
    fake.enforce_flood = True
    return fake


def make_sender(db: Database, fake: FakeBotAPI, rate: float = 25, **options: Any) -> Sender:
    timeout = options.pop("timeout", 10.0)
    bot = build_bot(fake.token, fake.url, timeout=timeout, pool_size=8)
    return Sender(db, bot, rate=rate, idle_interval=0.05, **options)


async def drain(sender: Sender, limit: float = 20) -> float:
    """Drain the outbox; the seconds it took."""
    started = time.monotonic()
    async with sender:
        await sender.drain(limit)
    return time.monotonic() - started


async def queue(
    db: Database, chats: list[int], *, key: str = "m", text: str | None = None, **fields: Any
) -> None:
    async with db.transaction() as session:
        for chat in chats:
            await outbox.enqueue(session, dedupe_key=f"{key}:{chat}", chat_id=chat,
                                 kind="alert", text=text or f"Hello <b>{chat}</b>", **fields)


async def add_users(db: Database, ids: list[int]) -> None:
    async with db.transaction() as session:
        for user_id in ids:
            await touch_user(session, SeenUser(user_id, "Ona", None, "lt"), is_admin=False)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
                    .all())


# -- the outbox ---------------------------------------------------------------------------


async def test_enqueue_is_idempotent_by_dedupe_key(db: Database) -> None:
    async with db.transaction() as session:
        first = await outbox.enqueue(session, dedupe_key="alert:1:42", chat_id=42,
                                     kind="alert", text="a")
        again = await outbox.enqueue(session, dedupe_key="alert:1:42", chat_id=42,
                                     kind="alert", text="a, changed")
        other = await outbox.enqueue(session, dedupe_key="alert:2:42", chat_id=42,
                                     kind="alert", text="b")
    async with db.transaction() as session:  # a later transaction (a redelivered update)
        later = await outbox.enqueue(session, dedupe_key="alert:1:42", chat_id=42,
                                     kind="alert", text="a")
    assert (first, again, other, later) == (True, False, True, False)
    stored = await rows(db)
    assert [(r.dedupe_key, r.text, r.status) for r in stored] == [
        ("alert:1:42", "a", "queued"), ("alert:2:42", "b", "queued")]


async def test_concurrent_claims_never_take_a_row_twice(db: Database, db_url: str) -> None:
    await queue(db, list(range(1, 61)))
    async with db.transaction() as session:  # not due yet: never claimed
        await outbox.enqueue(session, dedupe_key="later", chat_id=99, kind="alert", text="x",
                             not_before=utcnow() + timedelta(hours=1))
    other = Database(db_url)  # a second engine, as a second process would have

    async def claim_with(database: Database) -> list[int]:
        async with database.transaction() as session:
            return [row.id for row in await outbox.claim(session, 20, utcnow())]

    try:
        batches = await asyncio.gather(*(claim_with(d) for d in (db, other, db, other)))
    finally:
        await other.close()
    claimed = [row_id for batch in batches for row_id in batch]
    assert len(claimed) == len(set(claimed)) == 60
    assert sorted(len(batch) for batch in batches) == [0, 20, 20, 20]
    stored = await rows(db)
    assert {r.status for r in stored if r.dedupe_key != "later"} == {"sending"}
    assert all(r.claimed_at is not None for r in stored if r.status == "sending")
    async with db.transaction() as session:
        assert await outbox.claim(session, 20, utcnow()) == []


async def test_claim_takes_the_oldest_due_rows_first(db: Database) -> None:
    await queue(db, [5, 3, 8])
    async with db.transaction() as session:
        claimed = await outbox.claim(session, 2, utcnow())
    assert [row.chat_id for row in claimed] == [5, 3]


async def test_requeue_stale_returns_claims_of_a_dead_sender(db: Database) -> None:
    await queue(db, [1, 2, 3])
    claimed_at = utcnow()
    first = (await rows(db))[0].id
    async with db.transaction() as session:
        assert len(await outbox.claim(session, 10, claimed_at)) == 3
        await outbox.mark(session, first, OutboxStatus.SENT, now=claimed_at)
    async with db.transaction() as session:
        assert await outbox.requeue_stale(session, claimed_at - timedelta(seconds=1)) == 0
        assert await outbox.requeue_stale(session, claimed_at + timedelta(seconds=1)) == 2
    assert [r.status for r in await rows(db)] == ["sent", "queued", "queued"]
    async with db.transaction() as session:
        assert len(await outbox.claim(session, 10, utcnow())) == 2


async def test_cancel_broadcast_counts_and_backlog(db: Database) -> None:
    async with db.transaction() as session:
        for chat in range(1, 6):
            await outbox.enqueue(session, dedupe_key=f"b7:{chat}", chat_id=chat,
                                 kind="broadcast", text="news", broadcast_id=7)
        await outbox.enqueue(session, dedupe_key="a:1", chat_id=1, kind="alert", text="a")
        await outbox.claim(session, 2, utcnow())
        assert await outbox.cancel_broadcast(session, 7) == 3
        counts = await outbox.broadcast_counts(session, 7)
        assert await outbox.backlog(session) == 3  # 2 sending + the alert
    assert counts == {"queued": 0, "sending": 2, "sent": 0, "failed": 0, "blocked": 0,
                      "cancelled": 3}


# -- the pacer, in virtual time -----------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def pacer(rate: float = 25) -> tuple[Pacer, FakeClock]:
    clock = FakeClock()
    return Pacer(rate, clock=clock, sleep=clock.sleep), clock


async def slot_times(p: Pacer, clock: FakeClock, chats: list[int]) -> list[float]:
    times = []
    for chat in chats:
        async with p.slot(chat):
            times.append(clock.now)
    return times


def max_in_window(times: list[float], window: float) -> int:
    """The most events in any half-open window of `window` seconds."""
    eps = 1e-9
    return max(sum(1 for t in times if start <= t < start + window - eps) for start in times)


async def test_pacer_keeps_the_overall_rate_without_bursts() -> None:
    p, clock = pacer(25)
    times = await slot_times(p, clock, list(range(1, 101)))
    # 100 slots at 25/s: the 100th opens 99/25 s after the first, the next free one at 4 s.
    assert times[-1] >= 99 / 25 - 1e-9
    assert p.paused_until >= 4.0 - 1e-9
    assert max_in_window(times, 1.0) == 25
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 25 - 1e-9  # smooth: never two slots closer than 1/rate
    # An idle pacer does not save up slots for a burst.
    clock.now += 10
    later = await slot_times(p, clock, [500, 501, 502])
    assert later[1] - later[0] >= 1 / 25 - 1e-9
    assert later[2] - later[1] >= 1 / 25 - 1e-9


async def test_pacer_sends_one_message_per_second_to_a_user() -> None:
    p, clock = pacer(25)
    times = await slot_times(p, clock, [42, 43, 42, 42, 44])
    assert times[1] < 0.1
    assert times[4] - times[3] < 0.1
    assert times[2] - times[0] >= 1.0
    assert times[3] - times[2] >= 1.0
    # With slot(), the next send counts from when the previous one finished.
    async with p.slot(7):
        start = clock.now
        clock.now += 0.5  # a slow request
    async with p.slot(7):
        assert clock.now - start >= 1.5


async def test_pacer_sends_twenty_messages_per_minute_to_a_group() -> None:
    p, clock = pacer(25)
    times = await slot_times(p, clock, [-100] * 45)
    assert times[19] < 1.0  # the first 20 go at the overall rate
    assert times[20] - times[0] >= 60.0
    assert max_in_window(times, 60.0) == 20


async def test_pacer_pause_holds_every_chat() -> None:
    p, clock = pacer(25)
    await p.wait(1)
    p.pause(3)
    await p.wait(2)
    assert clock.now >= 3.0


class VirtualTime:
    """A clock for concurrent tasks that only sleep: when every task waits, time jumps to
    the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def run(self, *jobs: Awaitable[None]) -> None:
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            for _ in range(50):
                await asyncio.sleep(0)  # every task runs until it sleeps again
            if self._sleepers:
                at, _order, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                future.set_result(None)
        for task in tasks:
            task.result()


async def test_pacer_never_lets_telegram_count_31_in_a_second_whatever_the_latency() -> None:
    """Eight sends in flight at 30/s, each answered after up to 300 ms and counted by
    Telegram at any moment in between: no second ever holds more than 30."""
    clock, rng = VirtualTime(), random.Random(3)
    p = Pacer(30, limit=30, clock=clock, sleep=clock.sleep)
    chats = iter(range(1, 401))
    arrivals: list[float] = []

    async def sender() -> None:
        for chat in chats:
            async with p.slot(chat):
                took = rng.choice([0.001, 0.02, 0.3]) * rng.random()
                arrivals.append(clock.now + rng.uniform(0, took))
                await clock.sleep(took)

    await clock.run(*(sender() for _ in range(8)))
    arrivals.sort()
    assert len(arrivals) == 400
    assert max_in_window(arrivals, 1.0) <= 30
    assert arrivals[-1] < 400 / 30 * 1.2  # and still about the rate


async def test_a_429_holds_back_slots_booked_before_it() -> None:
    clock = VirtualTime()
    p = Pacer(30, clock=clock, sleep=clock.sleep)
    started: list[float] = []

    async def send(chat: int) -> None:
        async with p.slot(chat):
            started.append(clock.now)

    booked = [send(chat) for chat in range(1, 5)]
    p.reserve(99)  # a send that got a 429 ...
    p.pause(2.0)  # ... and its retry_after
    await clock.run(*booked)
    assert min(started) >= 2.0


async def test_outcomes_that_come_together_share_a_transaction(db: Database) -> None:
    await queue(db, [FIRST_USER + i for i in range(5)])
    ids = [row.id for row in await rows(db)]
    settler = Settler(db)

    def sent(row_id: int) -> Any:
        async def write(session: Any) -> int:
            await outbox.mark(session, row_id, OutboxStatus.SENT, now=utcnow())
            return row_id
        return write

    async def refused(session: Any) -> None:
        raise ValueError("a value the database refuses")

    results = await asyncio.gather(*(settler.settle(sent(row_id)) for row_id in ids[:4]),
                                   settler.settle(refused), return_exceptions=True)
    assert results[:4] == ids[:4]  # stored, although one write of their batch failed
    assert isinstance(results[4], ValueError)
    assert {r.id: r.status for r in await rows(db)} == {
        **dict.fromkeys(ids[:4], "sent"), ids[4]: "queued"}
    # Five writes at once: one shared transaction that failed, then one each.
    assert settler.transactions == 4
    await asyncio.gather(*(settler.settle(sent(ids[4])) for _ in range(3)))
    assert settler.transactions == 5  # three that came together: one transaction


def test_retry_after_in_both_forms() -> None:
    from telegram.error import RetryAfter

    assert retry_after_seconds(RetryAfter(3)) == 3.0
    assert retry_after_seconds(RetryAfter(timedelta(seconds=2.5))) == 2.5


# -- the sender against the fake Bot API --------------------------------------------------


async def test_a_broadcast_of_200_arrives_once_each_without_flood_errors(
    db: Database, flood_fake: FakeBotAPI
) -> None:
    chats = [FIRST_USER + i for i in range(200)]
    for chat in chats:
        flood_fake.user(chat)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="o:1")]])
    async with db.transaction() as session:
        for chat in chats:
            await outbox.enqueue(session, dedupe_key=f"b1:{chat}", chat_id=chat,
                                 kind="broadcast", broadcast_id=1, text="New: <b>Python</b>",
                                 reply_markup=markup.to_dict())
    sender = make_sender(db, flood_fake, rate=25)
    took = await drain(sender)
    assert all(flood_fake.delivered(chat) == ["New: Python"] for chat in chats)
    assert flood_fake.duplicates() == []
    assert flood_fake.flood_rejections == []
    assert flood_fake.rejected == []
    assert took >= 199 / 25
    async with db.transaction() as session:
        counts = await outbox.broadcast_counts(session, 1)
    assert counts["sent"] == 200
    assert flood_fake.messages(chats[0])[0].callback_data == ["o:1"]
    params = flood_fake.calls("sendMessage")[0].params
    assert params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}
    assert "allow_paid_broadcast" not in params


async def test_a_429_is_waited_out_and_the_same_message_retried(
    db: Database, flood_fake: FakeBotAPI
) -> None:
    chats = [FIRST_USER + i for i in range(3)]
    for chat in chats:
        flood_fake.user(chat)
    await queue(db, chats)
    flood_fake.inject_429(retry_after=1)
    sender = make_sender(db, flood_fake)
    took = await drain(sender)
    calls = flood_fake.calls("sendMessage")
    assert calls[0].status == 429
    assert calls[1].ok
    assert calls[0].params["chat_id"] == calls[1].params["chat_id"] == chats[0]
    assert calls[1].at - calls[0].at >= 1.0
    assert all(len(flood_fake.delivered(chat)) == 1 for chat in chats)
    assert sender.stats.flood_waits == 1
    assert took >= 1.0
    assert [(r.status, r.attempts) for r in await rows(db)] == [("sent", 0)] * 3
    assert flood_fake.flood_rejections == []


async def test_blocked_and_deactivated_users_become_unreachable(
    db: Database, fake: FakeBotAPI
) -> None:
    ok, blocked, gone = FIRST_USER, FIRST_USER + 1, FIRST_USER + 2
    await add_users(db, [ok, blocked, gone])
    for chat in (ok, blocked, gone):
        fake.user(chat)
    fake.block(blocked)
    fake.deactivate(gone)
    await queue(db, [ok, blocked, gone])
    await queue(db, [blocked], key="second")
    await drain(make_sender(db, fake))
    by_chat = {(r.chat_id, r.dedupe_key): r for r in await rows(db)}
    assert by_chat[(ok, f"m:{ok}")].status == "sent"
    assert by_chat[(blocked, f"m:{blocked}")].status == "blocked"
    assert by_chat[(blocked, f"second:{blocked}")].status == "blocked"  # never tried
    assert by_chat[(gone, f"m:{gone}")].error == "Forbidden: user is deactivated"
    assert len([c for c in fake.calls("sendMessage") if c.params["chat_id"] == blocked]) == 1
    async with db.transaction() as session:
        reachable = {user.id: user.reachable for user in await session.scalars(select(User))}
    assert reachable == {ok: True, blocked: False, gone: False}


async def test_chat_not_found_and_bad_html_fail_with_the_reason(
    db: Database, fake: FakeBotAPI
) -> None:
    fake.user(FIRST_USER)
    await queue(db, [FIRST_USER + 1])  # a chat Telegram does not know
    await queue(db, [FIRST_USER], key="html", text="<b>unclosed")
    await drain(make_sender(db, fake))
    failed = {r.chat_id: r for r in await rows(db)}
    assert failed[FIRST_USER + 1].status == "failed"
    assert failed[FIRST_USER + 1].error == "Chat not found"
    assert failed[FIRST_USER].status == "failed"
    assert "parse" in (failed[FIRST_USER].error or "").lower()


async def test_server_errors_are_retried_then_given_up(db: Database, fake: FakeBotAPI) -> None:
    lucky, doomed = FIRST_USER, FIRST_USER + 1
    fake.user(lucky)
    fake.user(doomed)
    await queue(db, [doomed, lucky])
    # Five 5xx answers in a row: the calls go doomed, lucky, doomed, lucky, doomed.
    fake.inject_error("sendMessage", 502, times=5)
    sender = make_sender(db, fake, retry_delay=0.1, max_attempts=3)
    await drain(sender)
    first, second = await rows(db)
    assert (first.status, first.attempts, first.error) == ("failed", 3, "Bad Gateway")
    assert (second.status, second.attempts) == ("sent", 2)
    assert fake.delivered(lucky) == [f"Hello {lucky}"]
    assert fake.delivered(doomed) == []
    assert sender.stats.retried == 4


async def test_a_timeout_is_retried_at_once_then_later(db: Database, fake: FakeBotAPI) -> None:
    fake.user(FIRST_USER)
    fake.user(FIRST_USER + 1)
    original = fake._handlers["sendMessage"]
    slow = {FIRST_USER: 1, FIRST_USER + 1: 2}  # how many calls hang

    async def hanging(params: dict[str, Any]) -> Any:
        chat = int(params["chat_id"])
        if slow.get(chat, 0) > 0:
            slow[chat] -= 1
            await asyncio.sleep(0.8)
            raise ApiError(500, "Internal Server Error")  # the client gave up long ago
        return original(params)

    fake.register_method("sendMessage", hanging)
    await queue(db, [FIRST_USER, FIRST_USER + 1])
    sender = make_sender(db, fake, timeout=0.3, retry_delay=0.1)
    await drain(sender)
    first, second = await rows(db)
    assert (first.status, first.attempts) == ("sent", 1)
    # Two timeouts in a row: the API is unwell, so the row waits and is tried again (a lost
    # message would be worse than the duplicate a timeout may cause).
    assert (second.status, second.attempts) == ("sent", 2)
    assert fake.delivered(FIRST_USER + 1) == [f"Hello {FIRST_USER + 1}"]
    assert sender.stats.timeouts == 3
    assert sender.stats.retried == 1


class MigratedError(ApiError):
    """What Telegram answers when a group was upgraded to a supergroup."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(400, "Bad Request: group chat was upgraded to a supergroup chat")
        self.new_chat_id = new_chat_id

    def to_json(self) -> dict[str, Any]:
        return super().to_json() | {"parameters": {"migrate_to_chat_id": self.new_chat_id}}


async def test_a_migrated_group_gets_its_messages_at_the_new_id(
    db: Database, fake: FakeBotAPI
) -> None:
    old, new = -200, -1_000_000_000_200
    fake.group(old)
    fake.group(new, type="supergroup")
    original = fake._handlers["sendMessage"]

    def send(params: dict[str, Any]) -> Any:
        if int(params["chat_id"]) == old:
            raise MigratedError(new)
        return original(params)

    fake.register_method("sendMessage", send)
    await queue(db, [old])
    await queue(db, [old], key="second")
    await drain(make_sender(db, fake))
    assert fake.delivered(new) == [f"Hello {old}"] * 2
    assert {(r.chat_id, r.status) for r in await rows(db)} == {(new, "sent")}


async def test_photos_go_with_a_caption_and_paid_broadcasts_say_so(
    db: Database, fake: FakeBotAPI
) -> None:
    user = fake.user(FIRST_USER)
    photo = fake.send_photo(user).update["message"]["photo"][-1]["file_id"]
    await queue(db, [FIRST_USER], text="<i>Poster</i>", photo_file_id=photo)
    await drain(make_sender(db, fake, rate=100, paid=True))
    [message] = fake.messages(FIRST_USER)
    assert message.caption == "Poster"
    assert message.photo is not None
    params = fake.calls("sendPhoto")[0].params
    assert params["allow_paid_broadcast"] is True
    assert params["parse_mode"] == "HTML"
    with pytest.raises(ValueError, match="paid"):
        make_sender(db, fake, rate=100)


async def test_concurrent_sends_share_one_pace(db: Database, flood_fake: FakeBotAPI) -> None:
    chats = [FIRST_USER + i for i in range(40)]
    for chat in chats:
        flood_fake.user(chat)
    await queue(db, chats)
    await queue(db, chats[:5], key="again", text="Again")  # a second one: 1/s per chat
    await drain(make_sender(db, flood_fake, rate=25, concurrency=4))
    assert all(len(flood_fake.delivered(chat)) == (2 if chat in chats[:5] else 1)
               for chat in chats)
    assert flood_fake.flood_rejections == []
    assert flood_fake.duplicates() == []


async def test_stopping_hands_untried_rows_back(db: Database, fake: FakeBotAPI) -> None:
    chats = [FIRST_USER + i for i in range(30)]
    for chat in chats:
        fake.user(chat)
    await queue(db, chats)
    stop = asyncio.Event()
    sender = make_sender(db, fake, rate=10)
    async with sender:
        task = asyncio.create_task(sender.run(stop))
        await fake.wait_for_messages(chats[2])
        stop.set()
        await asyncio.wait_for(task, 5)
    statuses = [r.status for r in await rows(db)]
    assert "sending" not in statuses
    assert 3 <= statuses.count("sent") < 30
    assert statuses.count("sent") + statuses.count("queued") == 30


async def test_drain_gives_up_at_its_deadline(db: Database, fake: FakeBotAPI) -> None:
    chats = [FIRST_USER + i for i in range(30)]
    for chat in chats:
        fake.user(chat)
    await queue(db, chats)
    with pytest.raises(TimeoutError):
        await drain(make_sender(db, fake, rate=10), limit=0.5)
    statuses = [r.status for r in await rows(db)]
    assert "sending" not in statuses
    assert 0 < statuses.count("sent") < 30


# -- crash safety ------------------------------------------------------------------------




WAITING_CHAT = 6060


async def test_the_sender_starts_while_the_database_is_away_and_sends_once_it_is_back(
    tmp_path, fake: FakeBotAPI
) -> None:
    """A worker may start before its database: the sender keeps trying instead of dying."""
    folder = tmp_path / "db"
    folder.mkdir()
    db = Database(f"sqlite+aiosqlite:///{folder / 'takas.sqlite3'}")
    await db.migrate()
    fake.user(WAITING_CHAT)
    async with db.transaction() as session:
        await outbox.enqueue(session, dedupe_key="k", chat_id=WAITING_CHAT, kind="alert", text="Hi")
    await db.engine.dispose()
    folder.rename(tmp_path / "away")
    sender = Sender(db, build_bot(fake.token, fake.url), rate=25, idle_interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.3)
    assert not task.done()  # still trying, not dead
    (tmp_path / "away").rename(folder)
    await fake.wait_for_messages(WAITING_CHAT, 1, timeout=15)
    stop.set()
    await asyncio.wait_for(task, 10)
    await sender.close()
    await db.close()
    assert fake.delivered(WAITING_CHAT) == ["Hi"]
