"""Feed sync at scale: a 100,000-item synthetic catalog into SQLite.

Usage:
    .venv/bin/python -m benchmarks.bench_sync [--items 100000] [--feeds 10]

Prints the first sync's items per second, the process's peak memory, and the time of an
unchanged re-sync twice: once answered 304 (validators kept) and once as 200 with the same
content (validators dropped, so the body is downloaded and recognised by its digest).
Targets (issue 3): >= 5,000 items/s, peak memory < 500 MB, unchanged re-sync < 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, update

from benchmarks.common import free_port, make_feeds, static_server
from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from catalog.service import Catalog


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(items: int, feeds: int, folder: Path) -> None:
    port = free_port()
    make_feeds("--synthetic", str(items), str(folder / "feeds"), "--feeds", str(feeds),
               "--base-url", f"http://127.0.0.1:{port}")
    with static_server(folder / "feeds", port):
        db = Database(f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}")
        await db.migrate()
        catalog = Catalog(db, folder / "feeds" / "feeds.toml")
        await catalog.open()
        await catalog.register_file_feeds()
        base = peak_mb()
        started = time.perf_counter()
        reports = await catalog.sync()
        first = time.perf_counter() - started
        failed = [r.line() for r in reports if not r.ok]
        async with db.transaction() as session:
            stored = await session.scalar(select(func.count()).select_from(Opportunity)) or 0
        print(f"first sync:         {stored} items in {first:.2f} s = {stored / first:,.0f} items/s"
              f"{'  FAILED: ' + '; '.join(failed) if failed else ''}")
        print(f"peak memory:        {peak_mb():.0f} MB (before the sync: {base:.0f} MB)")

        started = time.perf_counter()
        reports = await catalog.sync()
        statuses = sorted({r.status for r in reports})
        print(f"re-sync, 304:       {time.perf_counter() - started:.3f} s ({', '.join(statuses)})")

        async with db.transaction() as session:
            await session.execute(update(Feed).values(etag=None, last_modified=None))
        started = time.perf_counter()
        reports = await catalog.sync()
        statuses = sorted({r.status for r in reports})
        print(f"re-sync, same body: {time.perf_counter() - started:.3f} s ({', '.join(statuses)})")
        await catalog.close()
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takas-bench-sync-") as folder:
        asyncio.run(run(args.items, args.feeds, Path(folder)))


if __name__ == "__main__":
    main()
