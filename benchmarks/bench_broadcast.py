"""Broadcast pacing: one broadcast to 3,000 recipients through a fake Bot API that enforces
Telegram's flood limits (30/s overall, 1/s per chat), with blocked users and a forced 429.

Usage:
    .venv/bin/python -m benchmarks.bench_broadcast [--recipients 3000] [--blocked 0.02]

Queues the broadcast as the bot does (one outbox row per recipient that refers to the
broadcast), then runs the real `Sender` (built from settings: default SEND_RATE 30/s, four
sends in flight) with the application's renderers on a fresh SQLite file until the outbox is
drained: every announcement is rendered when sent, in its recipient's language. Prints the
sustained rate (delivered / time), the 429s (the injected one apart from those our pacing
caused), duplicates and losses as the fake counted them, whether blocked recipients were
marked unreachable, and how many transactions stored the outcomes.
Targets: >= 27 messages/s sustained, no 429 caused by our pacing, no duplicates, no
losses, every blocked recipient unreachable. It takes about recipients / 29 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from bot.app import build_application
from bot.config import load_settings
from bot.delivery import Sender, kinds
from bot.i18n import I18n
from bot.storage.db import Database
from bot.storage.models import Broadcast, Organisation, User, utcnow
from bot.storage.outbox import broadcast_counts
from bot.usecases.broadcasts import ANNOUNCEMENT
from tests.fakes import FakeBotAPI

FIRST_USER = 100_000
BROADCAST_ID = 1


def max_per_window(times: list[float], window: float) -> int:
    """The most events in any half-open window of `window` seconds (times sorted)."""
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)),
               default=0)


async def progress(fake: FakeBotAPI, total: int, every: float) -> None:
    started = time.perf_counter()
    while True:
        await asyncio.sleep(every)
        done = sum(1 for r in fake.calls("sendMessage") if r.ok)
        elapsed = time.perf_counter() - started
        print(f"  ... {done}/{total} delivered after {elapsed:.0f} s", flush=True)


async def run(recipients: int, blocked_share: float, folder: Path) -> bool:
    url = f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
    db = Database(url)
    await db.migrate()
    async with FakeBotAPI(enforce_flood=True) as fake:
        ids = [FIRST_USER + i for i in range(recipients)]
        now = utcnow()
        async with db.transaction() as session:
            await session.execute(insert(User), [
                {"id": i, "first_name": "Ona", "telegram_language": "lt", "role": "learner",
                 "created_at": now, "seen_at": now, "reachable": True} for i in ids])
        for user_id in ids:
            fake.user(user_id)
        blocked = set(random.Random(7).sample(ids, round(recipients * blocked_share)))
        for user_id in blocked:
            fake.block(user_id)

        started = time.perf_counter()
        async with db.transaction() as session:
            organisation = Organisation(name="Vilniaus biblioteka", created_at=now)
            session.add(organisation)
            await session.flush()
            session.add(Broadcast(id=BROADCAST_ID, organisation_id=organisation.id,
                                  author_id=ids[0], text="New course: Python for beginners",
                                  audience="followers", status="sending", recipients=len(ids),
                                  confirmed_at=now))
            await session.flush()
            await kinds.enqueue_to_many(session, ANNOUNCEMENT, BROADCAST_ID, ids,
                                        broadcast_id=BROADCAST_ID)
        print(f"enqueue:            {recipients} rows in {time.perf_counter() - started:.2f} s")

        fake.inject_429(retry_after=1)
        settings = load_settings(_env_file=None, database_url=url, bot_token=fake.token,
                                 bot_api_url=fake.url)
        # The application's renderers (the announcement's among them); nothing else runs.
        application = build_application(settings, I18n.load(), db=db)
        ticker = asyncio.create_task(progress(fake, recipients - len(blocked), 20))
        started = time.perf_counter()
        try:
            async with Sender.from_settings(db, settings,
                                            kinds=application.bot_data.kinds) as sender:
                await sender.drain(timeout=recipients / settings.send_rate * 2 + 60)
        finally:
            ticker.cancel()
        took = time.perf_counter() - started

        expected = [i for i in ids if i not in blocked]
        delivered = sum(len(fake.delivered(i)) for i in ids)
        losses = [i for i in expected if not fake.delivered(i)]
        duplicates = fake.duplicates()
        to_blocked = sum(len(fake.delivered(i)) for i in blocked)
        sends = fake.calls("sendMessage")
        injected = sum(1 for r in sends if r.status == 429 and r.cause == "injected")
        flood = len(fake.flood_rejections)
        ok_times = sorted(r.at for r in sends if r.ok)
        all_times = sorted(r.at for r in sends)
        steady = (len(ok_times) - 1) / (ok_times[-1] - ok_times[0]) if len(ok_times) > 1 else 0
        async with db.transaction() as session:
            unreachable = set((await session.scalars(
                select(User.id).where(User.reachable.is_(False)))).all())
            counts = await broadcast_counts(session, BROADCAST_ID)
    await db.close()

    rate = delivered / took
    print(f"recipients:         {recipients} ({len(blocked)} blocked the bot)")
    print(f"sender:             rate {settings.send_rate:g}/s, concurrency "
          f"{sender.concurrency}, batch {sender.batch_size}")
    print(f"drained in:         {took:.1f} s")
    print(f"sustained:          {rate:.2f} delivered messages/s (delivered / time); "
          f"{steady:.2f}/s first to last delivery")
    print(f"busiest second:     {max_per_window(all_times, 1.0)} requests "
          f"(Telegram allows 30)")
    pacer = sender.pacer
    print(f"send latency:       {pacer.send_seconds / max(1, pacer.sends) * 1000:.0f} ms on "
          f"average (a send counts in Telegram's 30/s until its answer came)")
    print(f"429s:               {injected} injected, {flood} caused by our pacing "
          f"(flood waits: {sender.stats.flood_waits})")
    print(f"delivered:          {delivered} of {len(expected)} expected; "
          f"{len(duplicates)} duplicates, {len(losses)} losses, {to_blocked} to blocked users")
    print(f"blocked:            {len(blocked & unreachable)} of {len(blocked)} marked "
          f"unreachable ({len(unreachable - blocked)} wrongly)")
    print(f"outbox:             {', '.join(f'{k} {v}' for k, v in counts.items() if v)}")
    print(f"outcomes stored in: {sender.settler.transactions} transactions "
          f"({recipients} rows)")

    checks = {
        ">= 27 messages/s sustained": rate >= 27,
        "no 429 caused by our pacing": flood == 0,
        "no duplicates": not duplicates,
        "no losses": not losses and to_blocked == 0,
        "blocked recipients marked unreachable": unreachable == blocked,
        "the injected 429 was waited out": injected == 1 and sender.stats.flood_waits == 1,
    }
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    return all(checks.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--blocked", type=float, default=0.02, help="share that blocked the bot")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="  %(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as folder:
        ok = asyncio.run(run(args.recipients, args.blocked, Path(folder)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
