"""Leadership: only one worker process is active at a time, the others wait as hot standbys.

A worker runs the scheduled jobs and the outbox sender; two at once would send alerts and
digests twice. So every `python -m bot worker` first takes a lock that only one process can
hold, and that the operating system or the database server frees when its holder dies, so a
standby takes over within `poll` seconds of a crash (SIGKILL, OOM, a lost machine):

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock(WORKER_LOCK_KEY)`) on a
  connection of its own, held open while active; it dies with the connection. The server is
  asked to probe the client with TCP keepalives, so a vanished host frees the lock within
  about half a minute too. (Behind PgBouncer in transaction mode session locks do not work:
  point DATABASE_URL of the worker at the server or a session-mode pool.)
- SQLite: an exclusive `flock` on `<database file>.worker.lock`, held while active; the kernel
  releases it when the process dies. (Local file systems only: not NFS.)
- An in-memory SQLite database belongs to its process alone: that process always leads.

Usage:

    leadership = leadership_for(settings.database_url, poll=2.0)
    if await leadership.acquire(stop):      # False: `stop` was set while waiting
        try:
            lost = await leadership.wait_lost(stop)  # True: the lock was lost (rare)
        finally:
            await leadership.release()

or `async with leadership:` (waits without a stop event). Nothing here blocks the event loop:
file and lock calls run in a thread, database calls are async.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# pg_try_advisory_lock takes a bigint; this one reads "takaswrk" in ASCII. Every worker of
# one database uses it; advisory locks are per database, so other databases are unaffected.
WORKER_LOCK_KEY = 0x74616B6173_77726B
DEFAULT_POLL = 2.0  # s between a standby's attempts, and between an active one's checks
LOCK_SUFFIX = ".worker.lock"
CHECK_TIMEOUT = 10.0  # s; a lock check (a database round trip) slower than this counts as lost
# Server-side TCP keepalives on the lock's connection: a vanished client is detected (and its
# lock freed) after about idle + interval * count seconds.
PG_KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
                 "tcp_keepalives_count": "3"}


class Leadership(ABC):
    """One process's claim to be the active worker: acquire, watch, release.

    Subclasses implement one attempt (`try_acquire`), the check that the lock is still ours
    (`still_held`) and `release`; waiting and watching are shared."""

    def __init__(self, *, poll: float = DEFAULT_POLL) -> None:
        if poll <= 0:
            raise ValueError("poll must be positive")
        self.poll = poll

    @property
    @abstractmethod
    def held(self) -> bool:
        """Whether this object holds the lock (as far as it knows without asking)."""

    @abstractmethod
    async def try_acquire(self) -> bool:
        """One attempt; True if the lock is now ours (or already was)."""

    @abstractmethod
    async def still_held(self) -> bool:
        """Whether the lock we took is still ours (asks the file system or the server)."""

    @abstractmethod
    async def release(self) -> None:
        """Give the lock up; harmless when not held."""

    @abstractmethod
    def describe(self) -> str:
        """What the lock is, for log lines (no secrets)."""

    async def acquire(self, stop: asyncio.Event | None = None) -> bool:
        """Wait until the lock is ours, trying every `poll` seconds; False if `stop` is set
        first (also when it is set already)."""
        while True:
            if stop is not None and stop.is_set():
                return False
            if await self.try_acquire():
                return True
            if not await _sleep(self.poll, stop):
                return False

    async def wait_lost(self, stop: asyncio.Event | None = None) -> bool:
        """Watch the held lock every `poll` seconds: True once it is lost, False when `stop`
        is set first."""
        while True:
            if not await _sleep(self.poll, stop):
                return False
            try:
                still = await asyncio.wait_for(self.still_held(), CHECK_TIMEOUT)
            except TimeoutError:
                log.warning("checking the worker lock (%s) timed out", self.describe())
                still = False
            if not still:
                return True

    async def __aenter__(self) -> Leadership:
        await self.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()


async def _sleep(seconds: float, stop: asyncio.Event | None) -> bool:
    """Sleep `seconds`; False if `stop` was set meanwhile (the sleep then ends early)."""
    if stop is None:
        await asyncio.sleep(seconds)
        return True
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return not stop.is_set()


# -- SQLite: a file lock -----------------------------------------------------------------


class FileLeadership(Leadership):
    """An exclusive `flock` on a lock file; the kernel frees it when the process dies.

    The lock belongs to the open file, so two `FileLeadership` objects exclude each other
    even inside one process (which is what the tests use). The file is never deleted (that
    would race with a waiting process); it holds the holder's pid, for people."""

    def __init__(self, path: Path | str, *, poll: float = DEFAULT_POLL) -> None:
        super().__init__(poll=poll)
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def describe(self) -> str:
        return f"file lock {self.path}"

    async def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = await asyncio.to_thread(self._lock)
        self._fd = fd
        return fd is not None

    def _lock(self) -> int | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        # The file may have been replaced between open() and flock(): then we locked an
        # orphan that nobody else would ever look at.
        if not _same_file(fd, self.path):
            os.close(fd)  # closing frees the lock
            return None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    async def still_held(self) -> bool:
        fd = self._fd
        if fd is None:
            return False
        return await asyncio.to_thread(_same_file, fd, self.path)

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            await asyncio.to_thread(_unlock, fd)


def _same_file(fd: int, path: Path) -> bool:
    """Whether `fd` is still the file at `path` (not deleted or replaced since)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class SoleLeadership(Leadership):
    """For a database that only this process can see (in-memory SQLite): always ours."""

    def __init__(self, *, poll: float = DEFAULT_POLL) -> None:
        super().__init__(poll=poll)
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def describe(self) -> str:
        return "no lock (in-memory database)"

    async def try_acquire(self) -> bool:
        self._held = True
        return True

    async def still_held(self) -> bool:
        return self._held

    async def release(self) -> None:
        self._held = False


# -- PostgreSQL: an advisory lock ---------------------------------------------------------


class AdvisoryLeadership(Leadership):
    """A session-level PostgreSQL advisory lock on a connection of its own.

    The connection stays open while standing by (each attempt is one query) and while
    active (the lock lives exactly as long as it). It is in autocommit mode, so it never sits
    "idle in transaction" and no idle-transaction timeout closes it. Any database error
    drops the connection: the attempt fails, or the lock counts as lost."""

    def __init__(
        self, database_url: str | URL, *, key: int = WORKER_LOCK_KEY, poll: float = DEFAULT_POLL
    ) -> None:
        super().__init__(poll=poll)
        if not -(2**63) <= key < 2**63:
            raise ValueError("an advisory lock key is a signed 64-bit integer")
        url = make_url(database_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError("advisory locks need a postgresql:// DATABASE_URL")
        self.url = url.set(drivername="postgresql+asyncpg")
        self.key = key
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def describe(self) -> str:
        where = f"{self.url.host or 'localhost'}/{self.url.database or ''}"
        return f"PostgreSQL advisory lock {self.key} on {where}"

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            if self._engine is None:
                self._engine = create_async_engine(
                    self.url, poolclass=NullPool, hide_parameters=True,
                    connect_args={"server_settings": dict(PG_KEEPALIVES), "timeout": 10},
                )
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def try_acquire(self) -> bool:
        if self._held:
            return True
        try:
            connection = await self._connect()
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                          {"key": self.key})
        except (SQLAlchemyError, OSError) as exc:
            log.warning("could not try the worker lock (%s): %s", self.describe(), exc)
            await self._disconnect()
            return False
        self._held = bool(got)
        return self._held

    async def still_held(self) -> bool:
        if not self._held or self._connection is None:
            return False
        # The lock as the server sees it: a bigint key is split into classid (high 32 bits)
        # and objid (low 32 bits), with objsubid 1.
        query = text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = pg_backend_pid() AND classid = :high AND objid = :low"
            " AND objsubid = 1)"
        )
        unsigned = self.key & 0xFFFF_FFFF_FFFF_FFFF
        try:
            held = bool(await self._connection.scalar(
                query, {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF}))
        except (SQLAlchemyError, OSError) as exc:
            log.warning("the worker lock's connection failed (%s): %s", self.describe(), exc)
            held = False
        if not held:
            self._held = False
            await self._disconnect()
        return held

    async def release(self) -> None:
        if self._held and self._connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError, TimeoutError):
                await asyncio.wait_for(
                    self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                             {"key": self.key}), CHECK_TIMEOUT)
        self._held = False
        await self._disconnect()  # closing alone would free the lock too
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT)
            except (SQLAlchemyError, OSError, TimeoutError) as exc:
                log.debug("closing the worker lock's connection failed: %s", exc)
                with contextlib.suppress(SQLAlchemyError, OSError):
                    await connection.invalidate()


# -- choosing ----------------------------------------------------------------------------


def lock_path(database_url: str) -> Path | None:
    """The lock file of a file-based SQLite database (`<file>.worker.lock`); None for an
    in-memory one. ValueError for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise ValueError(f"{url.get_backend_name()} databases have no lock file")
    database = url.database or ""
    if database in ("", ":memory:") or (database.startswith("file:") and "memory" in database):
        return None
    if database.startswith("file:"):  # a URI filename: file:path?options
        database = database.removeprefix("file:").split("?", 1)[0]
    path = Path(database).expanduser().resolve()
    return path.with_name(path.name + LOCK_SUFFIX)


def leadership_for(
    database_url: str, *, poll: float = DEFAULT_POLL, key: int = WORKER_LOCK_KEY
) -> Leadership:
    """The right lock for the database the workers share."""
    backend = make_url(database_url).get_backend_name()
    if backend == "postgresql":
        return AdvisoryLeadership(database_url, key=key, poll=poll)
    if backend == "sqlite":
        path = lock_path(database_url)
        return SoleLeadership(poll=poll) if path is None else FileLeadership(path, poll=poll)
    raise ValueError(f"no worker lock for {backend} databases")
