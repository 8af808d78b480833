"""Webhook throughput end to end: Telegram's POST to the reply arriving at the Bot API.

Usage:
    .venv/bin/python -m benchmarks.bench_webhook [--updates 600] [--postgres URL [--postgres-only]]
        [--rounds 1]

For each database (a fresh SQLite file; PostgreSQL when `--postgres` or TEST_POSTGRES_URL
names a server) it migrates, loads the bundled demo catalog, and runs two bots on the same
stack, as deployed: one web process (`tests.webhook_main`: webhook, durable inbox, captured
replies, outbox) and one worker (its sender posts the replies) against the fake Bot API in
this process:

- `echo`: Takas's stack with a handler that echoes the text (the ceiling);
- `search`: Takas itself answering chat queries (typos, no diacritics, several languages)
  built from the catalog's titles.

Each run posts `--updates` updates from as many users, 32 at a time, and prints updates per
second (first POST to last reply) and the latency of each update (its POST to its reply).
Target (issue 16): search at >= 60 % of the echo rate on each database.

Telegram lets a bot send about 30 messages a second (more with paid broadcasts): the worker
here sends with `PAID_BROADCAST` at up to 1,000/s, so the numbers measure this stack, not
Telegram's limit; in production the sender's rate is the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from benchmarks.common import free_port
from bot.storage.catalog_tables import Opportunity
from bot.storage.db import Database
from catalog.service import Catalog
from tests.conftest import subprocess_env
from tests.fakes import FakeBotAPI
from tests.processes import Child

SECRET = "bench-webhook-secret"  # noqa: S105 -- a throwaway for the local fake
CONCURRENCY = 32
TARGET = 0.60  # search's rate as a share of the echo bot's
FIRST_USER = 500_000


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


def chat_queries(titles: list[str], count: int, rng: random.Random) -> list[str]:
    """Queries as people type them: two or three words of a title, lower case, often
    without diacritics, sometimes with a typo."""
    queries = []
    for _ in range(count):
        words = [w for w in rng.choice(titles).lower().split() if len(w) > 2] or ["kursai"]
        start = rng.randrange(max(1, len(words) - 1))
        query = " ".join(words[start:start + rng.choice((2, 3))])
        if rng.random() < 0.5:
            query = fold(query)
        if rng.random() < 0.4 and len(query) > 4:
            i = rng.randrange(1, len(query) - 1)
            query = query[:i] + query[i + 1] + query[i] + query[i + 2:]  # swapped letters
        queries.append(query)
    return queries


async def prepare(url: str) -> list[str]:
    """Migrate, load the demo catalog; the catalog's titles."""
    db = Database(url)
    await db.migrate()
    catalog = Catalog(db, None)
    await catalog.open()
    await catalog.register_file_feeds()
    failed = [r.line() for r in await catalog.sync() if not r.ok]
    await catalog.close()
    async with db.transaction() as session:
        titles = list((await session.scalars(select(Opportunity.title))).all())
    await db.close()
    if failed or not titles:
        raise SystemExit("the demo catalog did not load: " + "; ".join(failed))
    return titles


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far (user + system) by this process (the bench and the fake Bot
    API) and by every other process, by pid (Linux's /proc; only the bench elsewhere).
    PostgreSQL's processes are keyed `database:<pid>`; `used_by_database` sums them."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[str, float] = {"bench": sum(os.times()[:2])}
    proc = Path("/proc")
    if not proc.is_dir():
        return used
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        used[f"database:{entry.name}" if command.startswith("postgres") else entry.name] = \
            seconds
    return used


def used_by_database(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU seconds the database server's processes used between two `cpu_seconds()`: a
    backend that started meanwhile counts from 0, one that ended is left out (so this
    is a lower bound); a remote server counts 0. Other databases' sessions on the same
    server count too: the bench assumes a server of its own."""
    return sum(seconds - before.get(key, 0.0) for key, seconds in after.items()
               if key.startswith("database:") and seconds >= before.get(key, 0.0))


async def fresh_postgres(server: str, name: str) -> str:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(server).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def run(fake: FakeBotAPI, db_url: str, texts: list[str], echo: bool,
              first_user: int) -> dict[str, float]:
    """One bot on one database: the rate and latencies over `texts`."""
    port = free_port()
    env = subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                         WEBHOOK_SECRET=SECRET, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                         FEED_SYNC_INTERVAL="0", LOG_LEVEL="WARNING", PAID_BROADCAST="1",
                         PAID_SEND_RATE="1000")
    args = ["--port", str(port), *(["--echo"] if echo else [])]
    web = await Child.start("web", "tests.webhook_main", *args, env=env)
    worker = await Child.start("worker", "tests.worker_main", "--poll", "0.5", env=env)
    try:
        await asyncio.gather(web.wait_for("READY", 60), worker.wait_for("ACTIVE", 60))
        users = [fake.user(first_user + n, language_code="en") for n in range(len(texts))]
        updates = [fake.send_text(user, text).update for user, text in zip(users, texts,
                                                                           strict=True)]
        fake.updates.drop_all()
        posted: dict[int, float] = {}
        limit = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession() as http:

            async def post(update: dict[str, Any]) -> None:
                async with limit:
                    posted[update["message"]["chat"]["id"]] = time.monotonic()
                    async with http.post(
                            f"http://127.0.0.1:{port}/telegram", json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                        if response.status != 200:
                            raise SystemExit(f"the webhook answered {response.status}")

            started = time.monotonic()
            before = cpu_seconds()
            await asyncio.gather(*(post(update) for update in updates))
            chats = {user.id for user in users}

            def answered() -> bool | None:
                return True if all(fake.messages(chat) for chat in chats) else None

            await fake._wait_until(answered, 300, lambda: "every reply")
            after = cpu_seconds()
        replies: dict[int, float] = {}
        for request in fake.calls("sendMessage"):
            chat = int(request.params.get("chat_id", 0))
            if chat in chats and request.ok:
                replies.setdefault(chat, request.at)
        elapsed = max(replies.values()) - started
        latencies = sorted(replies[chat] - posted[chat] for chat in chats)
        def used(key: str) -> float:
            return (after.get(key, 0.0) - before.get(key, 0.0)) * 1000 / len(texts)

        return {
            "web_cpu": used(str(web.process.pid)),
            "worker_cpu": used(str(worker.process.pid)),
            "database_cpu": used_by_database(before, after) * 1000 / len(texts),
            "bench_cpu": used("bench"),
            "rate": len(texts) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        }
    finally:
        for child in (web, worker):
            child.process.terminate()
        await asyncio.gather(*(child.close() for child in (web, worker)))


async def main(updates: int, postgres: str | None, *, sqlite: bool = True,
               rounds: int = 1) -> int:
    databases: list[tuple[str, str]] = []
    if sqlite:
        folder = Path(tempfile.mkdtemp(prefix="takas-bench-webhook-"))
        databases.append(("SQLite", f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"))
    if postgres:
        databases.append(("PostgreSQL", await fresh_postgres(postgres, "takas_bench_webhook")))
    else:
        print("PostgreSQL: skipped (pass --postgres URL or set TEST_POSTGRES_URL)")
    rng = random.Random(5)
    results: list[tuple[str, str, dict[str, float]]] = []
    async with FakeBotAPI() as fake:
        user = FIRST_USER
        for name, url in databases:
            titles = await prepare(url)
            for bot in ("echo", "search") * rounds:  # alternating: a slow spell hits both
                texts = chat_queries(titles, updates, rng)
                if bot == "echo":
                    texts = [f"echo {n}: {text}" for n, text in enumerate(texts)]
                results.append((name, bot, await run(fake, url, texts, bot == "echo", user)))
                user += updates
                row = results[-1][2]
                print(f"{name:<10} {bot:<6} {row['rate']:7.1f} updates/s   "
                      f"p50 {row['p50']:6.0f} ms   p95 {row['p95']:6.0f} ms   CPU ms per "
                      f"update: web {row['web_cpu']:.1f}, worker {row['worker_cpu']:.1f}, "
                      f"database {row['database_cpu']:.1f}, bench and fake "
                      f"{row['bench_cpu']:.1f}", flush=True)
        rejected = len(fake.rejected)
    ok = rejected == 0
    print(f"\n{updates} updates per run, {CONCURRENCY} posted at a time; "
          f"requests the fake rejected: {rejected}")
    if rounds > 1:
        print(f"{rounds} rounds of each, alternating; the medians:")
    for name, _url in databases:
        rates = {bot: statistics.median(row["rate"] for db, b, row in results
                                        if db == name and b == bot)
                 for bot in ("echo", "search")}
        if rounds > 1:
            print(f"{name}: echo {rates['echo']:.1f} updates/s, search "
                  f"{rates['search']:.1f} updates/s")
        share = rates["search"] / rates["echo"]
        meets = share >= TARGET
        ok = ok and meets
        print(f"{name}: search at {share:.0%} of the echo rate (target >= {TARGET:.0%}): "
              f"{'met' if meets else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--postgres-only", action="store_true",
                        help="skip the SQLite runs (needs --postgres)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run echo and search this many times each, alternating, and "
                             "compare the median rates (a shared machine's noise)")
    arguments = parser.parse_args()
    if arguments.rounds < 1 or arguments.updates < 1:
        parser.error("--rounds and --updates take a positive number")
    if arguments.postgres_only and not arguments.postgres:
        parser.error("--postgres-only needs --postgres URL (or TEST_POSTGRES_URL)")
    sys.exit(asyncio.run(main(arguments.updates, arguments.postgres,
                              sqlite=not arguments.postgres_only, rounds=arguments.rounds)))
