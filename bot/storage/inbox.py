"""The inbox: Telegram updates a webhook process stored before acknowledging them.

Every function takes an `AsyncSession` and never commits; the caller owns the transaction.
A row's life:

    (POST /telegram) --store--> new --claim--> processing --finish--> done
                                 ^                 |
                                 +--finish(error)--+   (attempts left: tried again)
                                 +--requeue_stale--+   (its process died mid-way)
                                 +--release--------+   (its process stopped before finishing)
                    processing --finish(error) / requeue_stale, attempts used up--> failed
    done --prune--> (deleted after a few days)

`store` is insert-or-ignore on Telegram's `update_id`, so an update Telegram delivers twice
(to the same process or to two processes behind a load balancer) is stored once.

Claiming takes a row for one process only. On PostgreSQL the waiting rows are locked with
`SELECT ... FOR UPDATE SKIP LOCKED` and then updated by id in the same transaction (not in
one statement: see `claim`); on SQLite one conditional UPDATE runs under the database's
single write lock and re-checks `status = 'new'`.

`attempts` counts claims; a row whose attempts are used up is settled as `failed` instead of
going back to `new`, so an update that kills its process every time (a poison pill) stops
after `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dbtools import clip, insert_for, rowcount
from bot.storage.models import InboxUpdate, utcnow
from bot.text import without_nul

ERROR_LENGTH = 300  # the width of inbox_updates.error
MAX_ATTEMPTS = 3


class InboxStatus(enum.StrEnum):
    NEW = "new"
    PROCESSING = "processing"  # claimed by a process; back to new if it dies
    DONE = "done"
    FAILED = "failed"


_NEW = InboxStatus.NEW.value
_PROCESSING = InboxStatus.PROCESSING.value
_DONE = InboxStatus.DONE.value
_FAILED = InboxStatus.FAILED.value


def _clip(error: str | None) -> str | None:
    return clip(error, ERROR_LENGTH)


def _retry_or_fail(max_attempts: int) -> Any:
    """`new` while attempts are left, else `failed` (evaluated by the database)."""
    return case((InboxUpdate.attempts >= max_attempts, _FAILED), else_=_NEW)


async def store(session: AsyncSession, payload: dict[str, Any], *,
                claimed_at: datetime | None = None) -> bool:
    """Store an update unless its `update_id` is already stored; True if added.

    `payload` is the update's JSON object as Telegram sent it; its `update_id` must be an
    integer (the webhook checks that before calling). With `claimed_at` the row is stored
    already claimed (`processing`) by the caller: the polling process, the only one.
    U+0000 is removed from every string first: the handlers then never see it, and none of
    the names, searches or notes they store can be refused for it."""
    payload = without_nul(payload)
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise ValueError("payload has no integer update_id")
    insert = insert_for(session)
    statement = (
        insert(InboxUpdate)
        .values(update_id=update_id, payload=payload, received_at=utcnow(),
                status=_NEW if claimed_at is None else _PROCESSING, claimed_at=claimed_at,
                attempts=0 if claimed_at is None else 1)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return rowcount(await session.execute(statement)) == 1


async def claim(session: AsyncSession, limit: int, now: datetime) -> list[InboxUpdate]:
    """Take up to `limit` new rows, oldest first, and mark them `processing`
    (claimed_at=now, attempts + 1). Only rows this call changed come back, however many
    processes race for them; under contention on PostgreSQL a call may return fewer rows
    than are waiting (the next call gets the rest)."""
    if limit < 1:
        return []
    waiting = (
        select(InboxUpdate.update_id)
        .where(InboxUpdate.status == _NEW)
        .order_by(InboxUpdate.received_at, InboxUpdate.update_id)
        .limit(limit)
    )
    target: Any
    if session.get_bind().dialect.name == "postgresql":
        # Two statements: lock the ids, then update them (they stay locked until commit).
        # One `UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` is not
        # safe here: when the planner expects few rows (a table not analyzed since it
        # grew) it re-runs the subquery for every outer row, each run skips the rows the
        # statement already updated, and the LIMIT is ignored: one call took all 200
        # waiting rows with limit=5 in a measurement.
        target = list((await session.scalars(waiting.with_for_update(skip_locked=True))).all())
        if not target:
            return []
    else:
        target = waiting
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(target), InboxUpdate.status == _NEW)
        .values(status=_PROCESSING, claimed_at=now, attempts=InboxUpdate.attempts + 1)
        .returning(InboxUpdate)
    )
    rows = (
        await session.scalars(statement, execution_options={"synchronize_session": False})
    ).all()
    return sorted(rows, key=lambda row: (row.received_at, row.update_id))


async def finish(
    session: AsyncSession,
    update_id: int,
    now: datetime,
    error: str | None = None,
    *,
    max_attempts: int = MAX_ATTEMPTS,
) -> str | None:
    """Settle a processed row: `done` without `error`; with one, back to `new` while
    attempts are left, `failed` after `max_attempts`. Returns the new status (None when
    the row does not exist or was settled already)."""
    if error is None:
        statement = (
            update(InboxUpdate)
            .where(InboxUpdate.update_id == update_id,
                   InboxUpdate.status.in_([_NEW, _PROCESSING]))
            .values(status=_DONE, processed_at=now, error=None)
            .returning(InboxUpdate.status)
        )
    else:
        statement = (
            update(InboxUpdate)
            .where(InboxUpdate.update_id == update_id, InboxUpdate.status == _PROCESSING)
            .values(status=_retry_or_fail(max_attempts), processed_at=now, claimed_at=None,
                    error=_clip(error))
            .returning(InboxUpdate.status)
        )
    status = await session.scalar(statement)
    return str(status) if status is not None else None


async def touch(session: AsyncSession, update_ids: Sequence[int], now: datetime) -> set[int]:
    """Refresh claimed_at of rows a live process is still working on (so they are not
    taken for stale); the ids still `processing`."""
    if not update_ids:
        return set()
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(list(update_ids)),
               InboxUpdate.status == _PROCESSING)
        .values(claimed_at=now)
        .returning(InboxUpdate.update_id)
    )
    return set((await session.scalars(statement)).all())


async def release(session: AsyncSession, update_ids: Sequence[int]) -> int:
    """Give back claimed rows this process did not finish (it is stopping), without
    counting the attempt."""
    if not update_ids:
        return 0
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(list(update_ids)),
               InboxUpdate.status == _PROCESSING)
        .values(status=_NEW, claimed_at=None,
                attempts=case((InboxUpdate.attempts > 0, InboxUpdate.attempts - 1), else_=0))
    )
    return rowcount(await session.execute(statement))


async def requeue_stale(
    session: AsyncSession, older_than: datetime, *, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Rows claimed before `older_than` and still `processing` (their process died) go back
    to `new`, or to `failed` when their attempts are used up. The dead process may have
    processed the update already: this is the one case where an update is processed twice."""
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.status == _PROCESSING, InboxUpdate.claimed_at < older_than)
        .values(status=_retry_or_fail(max_attempts), claimed_at=None,
                error="abandoned: its process stopped while processing it")
    )
    return rowcount(await session.execute(statement))


async def prune(session: AsyncSession, older_than: datetime) -> int:
    """Delete `done` rows processed before `older_than` (failed rows stay for inspection)."""
    statement = delete(InboxUpdate).where(
        InboxUpdate.status == _DONE, InboxUpdate.processed_at < older_than
    )
    return rowcount(await session.execute(statement))


async def backlog(session: AsyncSession) -> int:
    """Rows not settled yet: new plus processing."""
    statement = (
        select(func.count())
        .select_from(InboxUpdate)
        .where(InboxUpdate.status.in_([_NEW, _PROCESSING]))
    )
    return int(await session.scalar(statement) or 0)


async def oldest_waiting(session: AsyncSession) -> datetime | None:
    """When the oldest row still waiting to be claimed (`new`) was received."""
    statement = select(func.min(InboxUpdate.received_at)).where(InboxUpdate.status == _NEW)
    value = await session.scalar(statement)
    return value if isinstance(value, datetime) else None


async def counts(session: AsyncSession) -> dict[str, int]:
    """Rows by status; every status is present (0 when none)."""
    statement = select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status)
    result = {status.value: 0 for status in InboxStatus}
    for status, count in (await session.execute(statement)).all():
        result[status] = count
    return result
