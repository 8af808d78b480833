"""Small helpers over SQLAlchemy that hide the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


def insert_for(session: AsyncSession) -> Any:
    """The dialect's `insert` (both have `on_conflict_do_update/_nothing`)."""
    bind = session.get_bind()
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def rowcount(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched (typed access to `CursorResult.rowcount`)."""
    return int(result.rowcount or 0)


def clip(text: str | None, limit: int) -> str | None:
    """`text` cut to fit a column of `limit` characters (with '…'), None kept."""
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def lock_row(session: AsyncSession, key: InstrumentedAttribute[Any], value: Any,
                   touch: InstrumentedAttribute[Any]) -> None:
    """Hold the row whose `key` is `value` until the transaction ends, so that a check
    and the write it allows (a cap, a limit) run as one across processes.

    PostgreSQL: `SELECT ... FOR UPDATE`; a second transaction waits here, and under READ
    COMMITTED its next statements see what the first committed. SQLite: the driver opens
    a transaction only at the first write, so the reads before it see each moment's data
    and lock nothing (`FOR UPDATE` does not exist there); a write that changes nothing
    (`touch` set to itself) opens the transaction now and takes the database's single
    write lock until commit, so the reads that follow are current and no other writer can
    commit in between. `touch` is a plain column, not the key: rewriting a key would make
    SQLite check every foreign key pointing at it."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(key).where(key == value).with_for_update())
    else:
        await session.execute(update(key.class_).where(key == value)
                              .values({touch.key: touch})
                              .execution_options(synchronize_session=False))
