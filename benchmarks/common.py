"""Helpers shared by the benchmarks: the shared tools folder, a static HTTP server."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from bot.storage.db import Database
from catalog.service import Catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def require_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"{path} is missing: the shared folder must sit beside the repository "
                 "(../shared) for this benchmark")
    return path


def make_feeds(*args: str) -> None:
    tool = require_shared("tools", "make_feeds.py")
    subprocess.run([sys.executable, str(tool), *args], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def static_server(folder: Path, port: int) -> Iterator[str]:
    """`python -m http.server` in its own process (its memory is not ours); it answers
    If-Modified-Since with 304, like a partner's ordinary web server."""
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(5)


async def synced_database(folder: Path, *make_feeds_args: str) -> Database:
    """make_feeds.py into `folder`/feeds, served on 127.0.0.1, synced into a fresh SQLite
    database in `folder`; returns the open database (the caller closes it)."""
    port = free_port()
    make_feeds(*make_feeds_args, str(folder / "feeds"), "--base-url", f"http://127.0.0.1:{port}")
    with static_server(folder / "feeds", port):
        db = Database(f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}")
        await db.migrate()
        catalog = Catalog(db, folder / "feeds" / "feeds.toml")
        await catalog.open()
        await catalog.register_file_feeds()
        failed = [r.line() for r in await catalog.sync() if not r.ok]
        await catalog.close()
    if failed:
        raise SystemExit("sync failed: " + "; ".join(failed))
    return db


def opened_at() -> traceback.StackSummary:
    """The stack of the code that is opening a transaction (from `count_transactions`'s
    callback), innermost last, without the standard library's and dependencies' frames
    and the benchmark's own."""
    return traceback.StackSummary.from_list(
        [frame for frame in traceback.extract_stack(limit=44)
         if "/site-packages/" not in frame.filename and "contextlib" not in frame.filename
         and "benchmarks/" not in frame.filename])


def count_transactions(opening: Callable[[], None]) -> Callable[[], None]:
    """Patch `Database.transaction` so that `opening()` runs as each transaction opens
    (it may look at `opened_at()`); the function returned undoes the patch."""
    original = Database.transaction

    @contextlib.asynccontextmanager
    async def counted(self: Database) -> AsyncIterator[Any]:
        opening()
        async with original(self) as session:
            yield session

    Database.transaction = counted  # type: ignore[method-assign]

    def restore() -> None:
        Database.transaction = original  # type: ignore[method-assign]

    return restore
