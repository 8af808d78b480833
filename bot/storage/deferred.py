"""Writes an update's handling may put off until its next transaction.

The webhook's inbox processor collects them per update (`collecting()`): a write handed to
`Database.defer` then runs at the start of the next transaction opened while the update is
handled, before anything else in it, or, when the handling opens none, in the transaction
that marks the update done (with its replies). So the write every update makes (recording
its sender) costs no transaction of its own, and still happens before any other work of the
update touches the database, and before the update counts as done: a crash before that
loses nothing, the update is processed again. Without a collector (polling, the console,
tests), `Database.defer` writes at once, in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

Write = Callable[[AsyncSession], Awaitable[object]]


class Deferred:
    """The writes one update put off, in order."""

    def __init__(self) -> None:
        self._writes: list[Write] = []

    def __bool__(self) -> bool:
        return bool(self._writes)

    def add(self, write: Write) -> None:
        self._writes.append(write)

    def take(self) -> list[Write]:
        """Every write waiting, now owned by the caller (who gives them back with
        `restore` if its transaction does not commit)."""
        taken, self._writes = self._writes, []
        return taken

    def restore(self, writes: list[Write]) -> None:
        self._writes[:0] = writes

    async def run(self, session: AsyncSession) -> None:
        """Write everything waiting in the caller's transaction."""
        for write in self.take():
            await write(session)


_collector: ContextVar[Deferred | None] = ContextVar("takas_deferred_writes", default=None)


@contextmanager
def collecting() -> Iterator[Deferred]:
    """Collect what the code run inside puts off (the inbox processor, per update)."""
    deferred = Deferred()
    token = _collector.set(deferred)
    try:
        yield deferred
    finally:
        _collector.reset(token)


def current() -> Deferred | None:
    return _collector.get()
