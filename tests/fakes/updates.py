"""The pending-update queue behind ``getUpdates``, with Telegram's offset semantics.

Telegram keeps every update until the bot *confirms* it by calling getUpdates
with an ``offset`` greater than its ``update_id``; returned-but-unconfirmed
updates are returned again. A negative offset keeps only the last ``-offset``
updates. ``timeout`` turns the call into a long poll that returns as soon as an
update arrives. The fake wakes waiting polls immediately on injection instead
of polling on a timer, so tests stay fast.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

# Update types Telegram only sends when asked for explicitly in allowed_updates.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    """Unconfirmed updates in arrival order plus long-poll wake-ups."""

    def __init__(
        self, first_update_id: int = 1, on_change: Callable[[], None] | None = None
    ) -> None:
        self._on_change = on_change  # told when updates get confirmed or a poll waits
        self._pending: list[dict[str, Any]] = []
        self._next_id = first_update_id
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._allowed: list[str] = []
        self.closed = False
        self.superseded_polls = 0
        self.waiting = 0  # long polls currently waiting for an update

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here) and wake long polls."""
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, **update})
        self.wake()
        return update_id

    def wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def close(self) -> None:
        """Release every waiting poll (server shutdown)."""
        self.closed = True
        self.wake()

    @property
    def unconfirmed(self) -> int:
        return len(self._pending)

    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def drop_all(self) -> None:
        """deleteWebhook/setWebhook with drop_pending_updates=True."""
        self._pending.clear()

    def confirm(self, offset: int) -> None:
        before = len(self._pending)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            # "updates starting from -offset update from the end of the queue";
            # everything before is forgotten.
            self._pending = self._pending[offset:]
        if len(self._pending) != before and self._on_change is not None:
            self._on_change()

    def _visible(self) -> list[dict[str, Any]]:
        allowed = set(self._allowed)
        # Updates of types the bot did not subscribe to are never delivered; drop them
        # so they do not block confirmation of later updates.
        self._pending = [
            u
            for u in self._pending
            if (update_type(u) in allowed)
            or (not allowed and update_type(u) not in _OPT_IN_TYPES)
        ]
        return self._pending

    async def get(
        self,
        offset: int = 0,
        limit: int = 100,
        timeout: float = 0,  # noqa: ASYNC109 -- it is the Bot API's long-poll parameter
        allowed_updates: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Answer one getUpdates call."""
        if allowed_updates is not None:
            self._allowed = list(allowed_updates)  # persists, like Telegram
        self.confirm(offset)
        limit = min(max(limit, 1), 100)
        # A newer getUpdates supersedes any still waiting. Telegram answers the old one
        # with 409 Conflict; the fake answers [] because PTB cancels its poll on
        # shutdown and immediately sends one more getUpdates, and a 409 racing that
        # would show up as a spurious error.
        self._poll_generation += 1
        generation = self._poll_generation
        self.wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        while True:
            if generation != self._poll_generation:
                self.superseded_polls += 1
                return []
            ready = self._visible()
            remaining = deadline - loop.time()
            if ready or self.closed or remaining <= 0:
                return [dict(u) for u in ready[:limit]]
            wakeup = self._wakeup
            self.waiting += 1
            if self._on_change is not None:
                self._on_change()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), remaining)
            finally:
                self.waiting -= 1
