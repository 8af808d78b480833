"""Group commit for the sender: the outcomes of sends that finish close together are stored in
one transaction instead of one each.

Usage:

    settler = Settler(db)
    erased = await settler.settle(lambda session: outbox.mark(session, row_id, ...))

`settle` returns once its write is committed, so a sender that waits for it before taking
its next row keeps what a crash can repeat to the sends in flight: every other send's
outcome is stored. Writes that arrive while a transaction is being committed go into the
next one. When a shared transaction fails, each of its writes is tried again alone, so a
write the database refuses fails only its own caller (and all of them fail when the
database is away). A caller that is cancelled does not take its write back: the message
was sent, and that is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Database

Write = Callable[[AsyncSession], Awaitable[Any]]


class Settler:
    """Stores sends' outcomes, several per transaction when they come together."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[Write, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self.transactions = 0  # how many this settler committed (for benchmarks)

    async def settle(self, write: Write) -> Any:
        """Run `write` in the next shared transaction; its result once committed."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox-settler")
        return await asyncio.shield(future)

    async def idle(self) -> None:
        """Until every write handed in so far is stored (or failed)."""
        while self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with self.db.transaction() as session:
                    results = [await write(session) for write, _future in batch]
            except Exception as exc:
                if len(batch) == 1:
                    _fail(batch[0][1], exc)
                else:
                    await self._one_by_one(batch)
                continue
            self.transactions += 1
            for (_write, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, batch: list[tuple[Write, asyncio.Future[Any]]]) -> None:
        for write, future in batch:
            try:
                async with self.db.transaction() as session:
                    result = await write(session)
            except Exception as exc:
                _fail(future, exc)
                continue
            self.transactions += 1
            if not future.done():
                future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: Exception) -> None:
    if not future.done():
        future.set_exception(exc)
        future.add_done_callback(_retrieve)  # a caller that left must not log "never retrieved"


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
