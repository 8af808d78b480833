"""The deployment of the README on one PostgreSQL, as real processes: two webhook processes
behind a (simulated) load balancer and workers, with processes killed by SIGKILL mid-way.

PostgreSQL only (`TEST_POSTGRES_URL`): that is what several processes share in production.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import time
from collections import Counter
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.delivery.sender import default_concurrency
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import InboxUpdate, OutboxMessage
from tests.conftest import subprocess_env
from tests.e2e.test_webhook import free_port
from tests.fakes import FakeBotAPI
from tests.processes import Child

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_POSTGRES_URL"),
    reason="needs a PostgreSQL server: set TEST_POSTGRES_URL=postgresql://USER@127.0.0.1/DB",
)

SECRET = "cluster-test-secret"
USERS, PER_USER = 100, 10  # 1,000 updates
BOTH_SHARE = 0.10  # of the updates reach both web processes
KILL_AFTER = 400  # updates posted before web process A is killed
TOKEN = re.compile(r"qqzzv (\d{4})")


def base_env(fake: FakeBotAPI, db_url: str, **extra: str) -> dict[str, str]:
    return subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                          WEBHOOK_SECRET=SECRET, FEED_SYNC_INTERVAL="0", LOG_LEVEL="INFO",
                          **extra)


async def start_web(name: str, fake: FakeBotAPI, db_url: str) -> tuple[Child, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    child = await Child.start(name, "tests.webhook_main", "--port", str(port),
                              env=base_env(fake, db_url, WEBHOOK_URL=url))
    return child, url


def build_updates(fake: FakeBotAPI) -> list[dict[str, Any]]:
    """1,000 text updates from 100 users, each a query whose answer quotes it, so every
    reply can be traced to its update; shuffled as many users' messages interleave."""
    updates = []
    for n in range(USERS * PER_USER):
        user = fake.user(700_000 + n % USERS, language_code="en")
        updates.append(fake.send_text(user, f"qqzzv {n:04d}").update)
    fake.updates.drop_all()  # nobody polls: they reach the bot through the webhook
    rng = random.Random(8)
    by_user: dict[int, list[dict[str, Any]]] = {}
    for update in updates:
        by_user.setdefault(update["message"]["from"]["id"], []).append(update)
    order: list[dict[str, Any]] = []
    while by_user:  # interleave users, keeping each user's own order (as Telegram does)
        user_id = rng.choice(sorted(by_user))
        order.append(by_user[user_id].pop(0))
        if not by_user[user_id]:
            del by_user[user_id]
    return order


class LoadBalancer:
    """Posts an update to a web process as Telegram through a load balancer would: when
    the process does not answer 200, the update goes to the next healthy one."""

    def __init__(self, http: aiohttp.ClientSession, urls: list[str]) -> None:
        self.http = http
        self.urls = urls
        self.dead: set[str] = set()
        self.failovers = 0

    async def post(self, update: dict[str, Any], first: str) -> None:
        candidates = [first, *[url for url in self.urls if url != first]]
        for url in candidates:
            if url in self.dead:
                continue
            try:
                async with self.http.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        timeout=aiohttp.ClientTimeout(total=10)) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.failovers += 1
        raise AssertionError(f"no web process took update {update['update_id']}")


def replies_by_token(fake: FakeBotAPI) -> Counter[str]:
    found: Counter[str] = Counter()
    for n in range(USERS):
        for message in fake.messages(700_000 + n):
            found.update(TOKEN.findall(message.text or ""))
    return found


async def settled(db: Database) -> tuple[dict[str, int], int]:
    async with db.transaction() as session:
        inbox = dict((await session.execute(
            select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status))).all())
        backlog = await outbox.backlog(session)
    return {str(k): int(v) for k, v in inbox.items()}, backlog


async def test_two_web_processes_and_a_worker_answer_every_update_exactly_once(
    fake: FakeBotAPI, db: Database, db_url: str
) -> None:
    updates = build_updates(fake)
    (web_a, url_a), (web_b, url_b) = await asyncio.gather(
        start_web("web A", fake, db_url), start_web("web B", fake, db_url))
    worker = await Child.start("worker", "tests.worker_main", "--poll", "0.5",
                               env=base_env(fake, db_url))
    children = [web_a, web_b, worker]

    def outputs() -> str:
        return "\n".join(child.output() for child in children)

    try:
        await asyncio.gather(web_a.wait_for("READY"), web_b.wait_for("READY"),
                             worker.wait_for("ACTIVE"))
        async with aiohttp.ClientSession() as http:
            balancer = LoadBalancer(http, [url_a, url_b])
            rng = random.Random(9)
            limit = asyncio.Semaphore(16)
            both = 0

            async def deliver(index: int, update: dict[str, Any]) -> None:
                nonlocal both
                async with limit:
                    first = url_a if index % 2 == 0 else url_b
                    if rng.random() < BOTH_SHARE:  # Telegram's retry reached the other one
                        both += 1
                        await asyncio.gather(balancer.post(update, url_a),
                                             balancer.post(update, url_b))
                    else:
                        await balancer.post(update, first)

            started = time.monotonic()
            await asyncio.gather(*(deliver(i, u) for i, u in enumerate(updates[:KILL_AFTER])))
            # Mid-way, with A's last updates being processed: SIGKILL, no goodbye.
            web_a.process.send_signal(signal.SIGKILL)
            await web_a.process.wait()
            balancer.dead.add(url_a)  # its health check fails: the balancer stops sending
            rest = updates[KILL_AFTER:]
            await asyncio.gather(*(deliver(KILL_AFTER + i, u) for i, u in enumerate(rest)))

        # Every update answered: wait for the last replies (the dead process's updates
        # are taken back after 3 s), then a little longer, for any late duplicate.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            inbox, backlog = await settled(db)
            if (inbox.get("done", 0) == len(updates) and backlog == 0
                    and len(replies_by_token(fake)) == len(updates)):
                break
            await asyncio.sleep(0.5)
        took = time.monotonic() - started
        await asyncio.sleep(4)

        replies = replies_by_token(fake)
        expected = {f"{n:04d}" for n in range(len(updates))}
        missing = sorted(expected - set(replies))
        doubled = sorted(token for token, count in replies.items() if count > 1)
        async with db.transaction() as session:
            retried = await session.scalar(
                select(func.count()).select_from(InboxUpdate).where(InboxUpdate.attempts > 1))
            reply_rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
        inbox, backlog = await settled(db)
        print(f"1,000 updates ({both} posted to both web processes, {balancer.failovers} "
              f"failed over after the SIGKILL); {retried} update(s) taken back from the dead "
              f"process and processed again; {reply_rows} replies queued; all answered in "
              f"{took:.1f} s")
        assert not missing, f"{len(missing)} updates got no reply: {missing[:20]}\n{outputs()}"
        assert not doubled, f"{len(doubled)} updates got two replies: {doubled[:20]}"
        assert inbox == {"done": len(updates)}, inbox
        assert backlog == 0
        assert fake.rejected == []
        assert web_b.process.returncode is None, outputs()
        assert worker.process.returncode is None, outputs()
        assert not any("Traceback" in line for line in web_b.lines + worker.lines), outputs()
    finally:
        await asyncio.gather(*(child.close() for child in children))


async def test_the_standby_worker_finishes_a_broadcast_after_a_sigkill(
    fake: FakeBotAPI, db: Database, db_url: str
) -> None:
    listeners = [fake.user(800_000 + n, language_code="en").id for n in range(150)]
    env = base_env(fake, db_url)
    workers = await asyncio.gather(
        Child.start("worker A", "tests.worker_main", "--poll", "0.5", env=env),
        Child.start("worker B", "tests.worker_main", "--poll", "0.5", env=env))

    def outputs() -> str:
        return "\n".join(child.output() for child in workers)

    try:
        first = asyncio.create_task(asyncio.wait(
            [asyncio.create_task(w.wait_for("ACTIVE")) for w in workers],
            return_when=asyncio.FIRST_COMPLETED))
        await asyncio.wait_for(first, 30)
        active = next(w for w in workers if w.saw("ACTIVE"))
        [standby] = [w for w in workers if w is not active]
        await standby.wait_for("worker standby")

        async with db.transaction() as session:
            for chat in listeners:
                await outbox.enqueue(session, dedupe_key=f"broadcast:1:{chat}", chat_id=chat,
                                     kind="broadcast", broadcast_id=1,
                                     text="<b>Open day</b> at the library on Saturday")
        await fake._wait_until(  # mid-broadcast
            lambda: True if sum(len(fake.messages(c)) for c in listeners) >= 40 else None,
            30, lambda: "40 messages of the broadcast")
        active.process.send_signal(signal.SIGKILL)  # mid-broadcast
        await active.process.wait()

        await standby.wait_for("ACTIVE")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(fake.messages(chat) for chat in listeners):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)  # any late duplicate
        counts = Counter(len(fake.messages(chat)) for chat in listeners)
        duplicates = sum((count - 1) * chats for count, chats in counts.items() if count > 1)
        print(f"broadcast to {len(listeners)}: messages per chat {dict(counts)}, "
              f"{duplicates} duplicate(s) after the SIGKILL")
        assert counts[0] == 0, f"{counts[0]} listeners got nothing\n{outputs()}"
        # At most the messages in flight (and not yet marked sent) when it was killed.
        assert duplicates <= default_concurrency(paid=False), outputs()
        async with db.transaction() as session:
            assert await outbox.backlog(session) == 0
        assert fake.rejected == []
    finally:
        await asyncio.gather(*(child.close() for child in workers))
