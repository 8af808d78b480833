"""Pacing outgoing messages to Telegram's limits, before Telegram has to say 429.

Telegram asks bots to stay under about 30 messages per second overall, one message per
second in a private chat and 20 messages per minute in a group. `Pacer` hands out send
times that keep all three:

- overall: GCRA with no burst tolerance, i.e. one slot every `1 / rate` seconds; an idle
  pacer does not save up slots, so a queue that fills after a pause starts at the rate,
  not with a burst;
- per chat: a sliding window of the last sends to that chat (1 per `private_interval`
  for users, `group_limit` per `group_window` for groups: negative chat ids). With
  `slot()` a send counts from when it *finished*, so network latency can never make two
  sends to one chat arrive closer than the limit;
- `pause(seconds)`: after a 429 nothing goes out until Telegram's retry_after passed.

Slots are reserved without awaiting, so concurrent senders get distinct slots. The clock
and the sleep are injectable: tests drive a pacer in virtual time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

PRIVATE_INTERVAL = 1.0  # seconds between two messages to one user
GROUP_LIMIT = 20  # messages to one group ...
GROUP_WINDOW = 60.0  # ... per this many seconds
_PRUNE_EVERY = 4096  # reservations between two clean-ups of idle chats


class _Stamp:
    """When a send to a chat started, then (once known) when it finished."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class _ChatWindow:
    """The last `limit` sends to one chat; one more fits `window` s after the oldest."""

    __slots__ = ("stamps", "window")

    def __init__(self, limit: int, window: float) -> None:
        self.stamps: deque[_Stamp] = deque(maxlen=limit)
        self.window = window

    def ready_at(self) -> float:
        if len(self.stamps) < (self.stamps.maxlen or 1):
            return -math.inf
        return self.stamps[0].at + self.window

    def idle_since(self, now: float) -> bool:
        return not self.stamps or self.stamps[-1].at + self.window <= now


class Pacer:
    """At most `rate` sends per second overall, smoothly, and the per-chat limits."""

    def __init__(
        self,
        rate: float,
        *,
        private_interval: float = PRIVATE_INTERVAL,
        group_limit: int = GROUP_LIMIT,
        group_window: float = GROUP_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.private_interval = private_interval
        self.group_limit = group_limit
        self.group_window = group_window
        self._clock = clock
        self._sleep = sleep
        self._tat = -math.inf  # theoretical arrival time: the next free overall slot
        self._chats: dict[int, _ChatWindow] = {}
        self._reserved = 0

    def _window(self, chat_id: int) -> _ChatWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = _ChatWindow(self.group_limit, self.group_window)
            else:
                window = _ChatWindow(1, self.private_interval)
            self._chats[chat_id] = window
        return window

    def ready_at(self, chat_id: int) -> float:
        """The earliest time the chat's own limit allows a send (-inf: now)."""
        window = self._chats.get(chat_id)
        return -math.inf if window is None else window.ready_at()

    def delay(self, chat_id: int) -> float:
        """Seconds until the chat's own limit allows a send (<= 0: now)."""
        return self.ready_at(chat_id) - self._clock()

    def reserve(self, chat_id: int) -> _Stamp:
        """Book the next send to `chat_id`: returns its stamp, whose `at` is the slot."""
        now = self._clock()
        window = self._window(chat_id)
        at = max(now, self._tat, window.ready_at())
        self._tat = at + self.interval
        stamp = _Stamp(at)
        window.stamps.append(stamp)
        self._reserved += 1
        if self._reserved % _PRUNE_EVERY == 0:
            self._prune(now)
        return stamp

    async def wait(self, chat_id: int) -> None:
        """Wait for the next slot for `chat_id` (the send counts from its start)."""
        stamp = self.reserve(chat_id)
        delay = stamp.at - self._clock()
        if delay > 0:
            await self._sleep(delay)

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """`async with pacer.slot(chat_id): await send(...)`: waits for the slot; the
        chat's next send counts from when the block ends."""
        stamp = self.reserve(chat_id)
        delay = stamp.at - self._clock()
        if delay > 0:
            await self._sleep(delay)
        try:
            yield
        finally:
            stamp.at = max(stamp.at, self._clock())

    def pause(self, seconds: float) -> None:
        """Send nothing more for `seconds` (Telegram's retry_after), across all chats."""
        self._tat = max(self._tat, self._clock() + max(0.0, seconds))

    @property
    def paused_until(self) -> float:
        """The clock time of the next free overall slot."""
        return self._tat

    def _prune(self, now: float) -> None:
        idle = [chat for chat, window in self._chats.items() if window.idle_since(now)]
        for chat in idle:
            del self._chats[chat]
