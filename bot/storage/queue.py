"""A table used as a work queue: the one claim/touch/release/requeue algorithm that the inbox
(Telegram updates) and the outbox (messages to send) share.

A row waits in the `waiting` status; `claim` moves up to `limit` of them, best first, to
`claimed` (claimed_at=now) for one process only, however many race: on PostgreSQL the ids
are locked first (`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers take different
rows) and updated in a second statement; as a subquery of the UPDATE the SELECT may be
re-run per row and its LIMIT lost when the planner expects few rows (one call took all 200
waiting rows with limit=5 on a table not analyzed since it grew). On SQLite, with one writer
at a time, one conditional UPDATE over the subquery is atomic. The UPDATE re-checks the
status, so only rows this call changed come back.

A live holder refreshes `claimed_at` (`touch`); one that stops gives its rows back
(`release`); rows of a holder that died are taken back by `requeue_stale`. What a row
becomes then (attempts, errors, failed) is the caller's: each function takes the values.
Every function takes an `AsyncSession` and never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.dbtools import rowcount
from bot.storage.models import Base

Row = TypeVar("Row", bound=Base)


@dataclass(frozen=True)
class Queue(Generic[Row]):
    """Which table, which columns and which two statuses make the queue."""

    table: type[Row]
    key: InstrumentedAttribute[int]  # the row's id
    status: InstrumentedAttribute[str]
    claimed_at: InstrumentedAttribute[datetime | None]
    waiting: str
    claimed: str
    order: tuple[Any, ...]  # best first, as ORDER BY columns
    sort_key: Callable[[Row], Any]  # the same order, for the rows that come back

    async def claim(self, session: AsyncSession, limit: int, now: datetime,
                    *conditions: ColumnElement[bool],
                    values: Mapping[str, Any] | None = None) -> list[Row]:
        """Take up to `limit` waiting rows that meet `conditions`, best first: `claimed`,
        claimed_at=now, plus `values`. Under contention on PostgreSQL a call may return
        fewer rows than are waiting (the next call gets the rest)."""
        if limit < 1:
            return []
        due = (select(self.key).where(self.status == self.waiting, *conditions)
               .order_by(*self.order).limit(limit))
        targets: Any = due
        if session.get_bind().dialect.name == "postgresql":
            # Two statements: lock the ids, then update them (locked until commit).
            targets = list((await session.scalars(due.with_for_update(skip_locked=True))).all())
            if not targets:
                return []
        statement = (
            update(self.table)
            .where(self.key.in_(targets), self.status == self.waiting)
            .values({self.status.key: self.claimed, self.claimed_at.key: now, **(values or {})})
            .returning(self.table)
        )
        rows = (await session.scalars(
            statement, execution_options={"synchronize_session": False})).all()
        return sorted(rows, key=self.sort_key)

    async def touch(self, session: AsyncSession, keys: Sequence[int], now: datetime) -> set[int]:
        """Refresh claimed_at of rows a live holder still works on (so they are not taken
        for stale); the ids still claimed."""
        if not keys:
            return set()
        statement = (
            update(self.table)
            .where(self.key.in_(list(keys)), self.status == self.claimed)
            .values({self.claimed_at.key: now})
            .returning(self.key)
        )
        return set((await session.scalars(statement)).all())

    async def release(self, session: AsyncSession, keys: Sequence[int],
                      values: Mapping[str, Any] | None = None) -> int:
        """Give claimed rows back to `waiting` (their holder is stopping), plus `values`;
        how many."""
        if not keys:
            return 0
        statement = (
            update(self.table)
            .where(self.key.in_(list(keys)), self.status == self.claimed)
            .values({self.status.key: self.waiting, self.claimed_at.key: None, **(values or {})})
        )
        return rowcount(await session.execute(statement))

    async def requeue_stale(self, session: AsyncSession, older_than: datetime,
                            values: Mapping[str, Any] | None = None) -> int:
        """Rows claimed before `older_than` and still claimed (their holder died) go back to
        `waiting` (or what `values` says, say `failed` when attempts are used up); how many."""
        statement = (
            update(self.table)
            .where(self.status == self.claimed, self.claimed_at < older_than)
            .values({self.status.key: self.waiting, self.claimed_at.key: None, **(values or {})})
        )
        return rowcount(await session.execute(statement))
