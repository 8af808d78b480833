"""How many database transactions a typed search costs through the webhook, end to end.

Usage:
    .venv/bin/python -m benchmarks.count_search_transactions [--updates 200] [--postgres URL]

Runs a webhook process's stack in this process (`bot.transports.webhook.serve`: the POST,
the durable inbox, the handlers, the captured reply) with the bundled demo catalog, posts
`--updates` typed searches from new users and as many from the same users again, one at
a time (each handled before the next is posted, so no claim is shared), then lets a sender
(as the worker runs it) deliver the round's replies. Counts `Database.transaction()` blocks
by the place that opened them, per search: the web process's part exactly, the sender's as
it is when replies wait together (bench_webhook's 32 at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from benchmarks.bench_webhook import SECRET, chat_queries, fresh_postgres, prepare
from benchmarks.common import count_transactions, free_port, opened_at
from bot.config import load_settings
from bot.delivery import Sender
from bot.i18n import I18n
from bot.storage.db import Database
from bot.transports import webhook
from tests.fakes import FakeBotAPI

PLACES: Counter[str] = Counter()
FIRST_USER = 700_000


def _place() -> None:
    """Count the transaction by the innermost function of our code that opened it."""
    ours = opened_at()
    PLACES[f"{Path(ours[-1].filename).name}:{ours[-1].name}" if ours else "?"] += 1


async def run(url: str, updates: int) -> None:
    titles = await prepare(url)
    texts = chat_queries(titles, updates, random.Random(5))
    port = free_port()
    async with FakeBotAPI() as fake:
        settings = load_settings(
            _env_file=None, database_url=url, bot_token=fake.token, bot_api_url=fake.url,
            webhook_url=f"http://127.0.0.1:{port}/telegram", webhook_secret=SECRET,
            feed_sync_interval=0, paid_broadcast=True, paid_send_rate=1000)
        ready, stop = asyncio.Event(), asyncio.Event()
        serving = asyncio.create_task(webhook.serve(
            settings, I18n.load(), host="127.0.0.1", port=port, ready=ready, stop=stop,
            timings=webhook.Timings()))
        await asyncio.wait_for(ready.wait(), 60)
        users = [fake.user(FIRST_USER + n, language_code="en") for n in range(updates)]
        checker, handled = create_async_engine(url), 0  # not counted: not Database's
        async with aiohttp.ClientSession() as http:
            for label in ("new users", "the same users again"):
                PLACES.clear()
                for user, text in zip(users, texts, strict=True):
                    update = fake.send_text(user, text).update
                    fake.updates.drop_all()
                    async with http.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                         headers={webhook.SECRET_HEADER: SECRET}) as answer:
                        assert answer.status == 200
                    handled += 1
                    await _handled(checker, handled)  # its reply queued: the next one
                db = Database(url)
                async with Sender.from_settings(db, settings) as sender:
                    await sender.drain(timeout=120)
                await db.close()
                shown = dict(PLACES)
                total = sum(shown.values())
                print(f"{updates} typed searches from {label}: {total / updates:.2f} "
                      f"transactions per search")
                for place, count in sorted(shown.items(), key=lambda item: -item[1]):
                    print(f"  {count / updates:5.2f}  {place}")
        stop.set()
        await serving
        await checker.dispose()


async def _handled(engine: AsyncEngine, count: int) -> None:
    """Until `count` stored updates are done."""
    for _ in range(3000):
        async with engine.connect() as connection:
            done = await connection.scalar(text(
                "SELECT count(*) FROM inbox_updates WHERE status = 'done'"))
        if done >= count:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("an update was not handled within 30 s")


async def main(updates: int, postgres: str | None) -> None:
    count_transactions(_place)
    folder = Path(tempfile.mkdtemp(prefix="takas-count-search-"))
    await run(f"sqlite+aiosqlite:///{folder / 'count.sqlite3'}", updates)
    if postgres:
        print("PostgreSQL:")
        await run(await fresh_postgres(postgres, "takas_count_search"), updates)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.updates, arguments.postgres)))
