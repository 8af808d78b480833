"""The database: engine, sessions and migrations.

One `Database` per process, opened at start-up and disposed at shutdown. Services take an
`AsyncSession` and never commit; the caller owns the unit of work through `transaction()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage import deferred

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; busy_timeout waits for the writer
    # instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten rows are zeroed on disk, not left in free space: what
    # /forgetme erases must not stay readable in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_savepoint(connection: Connection, _name: str) -> None:
    # The driver begins a transaction at its first write, which takes the write lock at
    # once (waiting in busy_timeout); reads before it see the latest commit. A SAVEPOINT
    # outside a transaction would instead open a deferred one: it reads, another
    # connection commits, and its first write then fails at once with "database is
    # locked" (SQLite cannot move a snapshot forward, and does not wait). So a savepoint
    # that opens the transaction begins it IMMEDIATE, holding the write lock.
    dbapi: Any = connection.connection.dbapi_connection  # aiosqlite's, adapted
    if not getattr(dbapi, "_connection", dbapi).in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url`; for SQLite the file's folder is created and pragmas set.

    `hide_parameters`: an error's text never carries the statement's values (people's names,
    ids, messages), so logging it cannot leak them. Every engine of the project is made here
    (the migrations' too), except the worker lock's, which sets the same."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _sqlite_savepoint)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=10,
                               hide_parameters=True)


# What a database that is down, restarting, unreachable or out of disk space raises: the
# request was fine and will work again later. (Integrity and programming errors are not.)
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    exc.OperationalError,  # SQLite "unable to open", "disk is full"; connection lost
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.TimeoutError,  # no pooled connection came free in time
    ConnectionError,  # refused or reset, from asyncpg before SQLAlchemy wraps anything
    TimeoutError,
)


def unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the database could not be reached or
    could not write, rather than that the request itself was wrong."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _UNAVAILABLE) or (type(error).__module__.startswith(
                "asyncpg.exceptions") and _asyncpg_unavailable(error)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _asyncpg_unavailable(error: BaseException) -> bool:
    # Class 08 (connection exception), 53 (insufficient resources: disk full, too many
    # connections), 57P (shutdown, cannot connect now), 55000 (database not accepting
    # connections).
    import asyncpg

    if isinstance(error, asyncpg.exceptions.InterfaceError | asyncpg.PostgresConnectionError):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith(("08", "53", "57P")) or state == "55000"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "bot:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


# Set while a transaction of this context is open: one opened inside it (nested) does not
# wait for its turn, which would be its own.
_inside: ContextVar[bool] = ContextVar("takas_in_transaction", default=False)


class Database:
    """The engine and the session factory of this process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turns: asyncio.Lock | None = None

    def take_turns(self) -> None:
        """SQLite only (nothing on PostgreSQL): this process's transactions take turns.

        SQLite lets one transaction write at a time; others wait in its busy handler,
        which sleeps 1, 2, 5 ... up to 100 ms between looks. A web process runs dozens of
        short transactions at once (stored updates, claims, handlers, settled outcomes):
        they only made each other sleep, and each wait kept an update's slot busy. Taking
        turns here, each starts the moment the previous one ends. For processes whose
        transactions are all short (the webhook's); a transaction opened inside another
        one does not wait."""
        if self.engine.dialect.name == "sqlite":
            self._turns = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back when it raises.
        Writes the current update put off (`defer`) go first in it."""
        turns = self._turns if self._turns is not None and not _inside.get() else None
        if turns is not None:
            await turns.acquire()
        inside = _inside.set(True)
        pending = deferred.current()
        taken = pending.take() if pending is not None else []
        try:
            async with self.sessionmaker() as session, session.begin():
                for write in taken:
                    await write(session)
                yield session
        except BaseException:
            if pending is not None and taken:
                pending.restore(taken)  # not written: the next transaction tries again
            raise
        finally:
            _inside.reset(inside)
            if turns is not None:
                turns.release()

    async def defer(self, write: deferred.Write) -> None:
        """Put `write` off to the current update's next transaction (bot/storage/
        deferred.py); without an update collecting, write it at once."""
        pending = deferred.current()
        if pending is not None:
            pending.add(write)
            return
        async with self.transaction() as session:
            await write(session)

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (Alembic, inside one transaction)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade, revision)

    async def downgrade(self, revision: str) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_downgrade, revision)

    async def checkpoint(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and empty the log, whose
        bytes would otherwise keep earlier versions of erased rows until it is reused.
        Waits (busy_timeout) for readers of older snapshots; True when the log was
        emptied. Nothing to do on PostgreSQL (True)."""
        if self.engine.dialect.name != "sqlite":
            return True
        async with self.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = result.scalar()
        return busy == 0

    async def close(self) -> None:
        await self.engine.dispose()
