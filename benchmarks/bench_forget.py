"""What /forgetme and the retention job cost on a busy database.

Usage:
    .venv/bin/python -m benchmarks.bench_forget [--rows 20000] [--database-url URL]

Fills a fresh database (SQLite file by default) with `rows` processed inbox updates and
`rows` sent outbox messages of other people, plus a person with a profile, searches, hours
and updates of their own; then times `bot.usecases.profile.forget` (which blanks every
processed update and the content of every settled message, and on SQLite empties the
write-ahead log) and `retention.prune` of everything older than the retention period.
Prints the milliseconds of each. Target: a forget well under a second at 20,000 rows each
(it runs while the person waits for the answer).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot import retention
from bot.storage.catalog_tables import SearchQuery
from bot.storage.db import Database
from bot.storage.models import InboxUpdate, OutboxMessage, User, utcnow
from bot.usecases import profile as profile_usecase

PERSON = 7_000_000_001


def update_payload(update_id: int, user_id: int, text: str) -> dict[str, object]:
    person = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_765_000_000, "chat": {"id": user_id,
                                                               "type": "private"},
        "from": person, "text": text}}


async def fill(db: Database, rows: int) -> None:
    old = utcnow() - timedelta(days=4)
    async with db.transaction() as session:
        session.add(User(id=PERSON, first_name="Zyxwendolyn", language="en"))
        await session.flush()
        session.add_all(SearchQuery(user_id=PERSON, text=f"search {n}", language="en")
                        for n in range(50))
        await session.execute(insert(InboxUpdate), [
            {"update_id": n, "payload": update_payload(n, PERSON if n % 100 == 0 else 10 + n,
                                                       f"message {n}"),
             "status": "done", "received_at": old if n % 2 else utcnow(),
             "processed_at": old if n % 2 else utcnow(), "attempts": 1}
            for n in range(1, rows + 1)])
        await session.execute(insert(OutboxMessage), [
            {"dedupe_key": f"bench:{n}", "chat_id": PERSON if n % 100 == 0 else 10 + n,
             "kind": "reply", "text": f"Hello U{10 + n}, here is message {n}",
             "status": "sent", "not_before": old, "sent_at": old if n % 2 else utcnow(),
             "created_at": old} for n in range(1, rows + 1)])


async def main(rows: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        await db.migrate()
        await fill(db, rows)
        started = time.perf_counter()
        await profile_usecase.forget(db, PERSON)
        forget_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        async with db.transaction() as session:
            pruned = await retention.prune(session, utcnow() - timedelta(days=3))
        await db.checkpoint()
        prune_ms = (time.perf_counter() - started) * 1000
        await db.close()
    print(f"database: {'sqlite file' if url is None else url.split('://')[0]}, {rows} "
          f"processed updates and {rows} sent messages ({date.today().isoformat()})")
    print(f"forget: {forget_ms:.0f} ms")
    print(f"retention prune: {prune_ms:.0f} ms ({pruned[0]} updates, {pruned[1]} messages)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default=None,
                        help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    if args.rows < 100:
        sys.exit("--rows must be at least 100")
    asyncio.run(main(args.rows, args.database_url))
