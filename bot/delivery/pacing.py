"""Pacing outgoing messages to Telegram's limits, before Telegram has to say 429.

Telegram asks bots to stay under about 30 messages per second overall, one message per
second in a private chat and 20 messages per minute in a group. `Pacer` hands out send
times that keep all three, however many sends are in flight at once:

- overall, smoothly: GCRA with no burst tolerance, i.e. one slot every `1 / rate` seconds;
  an idle pacer does not save up slots, so a queue that fills after a pause starts at the
  rate, not with a burst;
- overall, for sure: at most `limit` sends in any `window` seconds (Telegram's 30 per
  second), each counted until it *finished*. Telegram counts a message when it arrives,
  somewhere between our request's start and its answer; a send may therefore start only
  once every send `limit` places before it has finished at least `window` seconds ago. Then
  no network delay, however uneven, can put `limit + 1` arrivals into one window (pacing
  by start times alone would: the rate's slots are exactly 1/30 s apart at 30/s);
- per chat: a sliding window of the last sends to that chat (1 per `private_interval`
  for users, `group_limit` per `group_window` for groups: negative chat ids), also counted
  from when a send finished;
- `pause(seconds)`: after a 429 nothing goes out until Telegram's retry_after passed.

Slots are reserved without awaiting, in order, so concurrent senders get distinct slots;
`slot()` then waits for the slot and for the overall window. The clock and the sleep are
injectable: tests drive a pacer in virtual time.
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


RECHECK = 0.05  # s; how often a send waiting for an unfinished one looks again


class _Stamp:
    """When a send started, then (once `done`) when it finished; its place in line."""

    __slots__ = ("at", "done", "seq")

    def __init__(self, at: float, seq: int) -> None:
        self.at = at
        self.seq = seq
        self.done = False

    def finish(self, at: float) -> None:
        self.at = max(self.at, at)
        self.done = True


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
        limit: int | None = None,
        window: float = 1.0,
        private_interval: float = PRIVATE_INTERVAL,
        group_limit: int = GROUP_LIMIT,
        group_window: float = GROUP_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`limit` sends in any `window` s overall, each counted until it finished
        (default: the rate's worth in one second)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.limit = limit or max(1, math.ceil(rate * window))
        self.window = window
        self.private_interval = private_interval
        self.group_limit = group_limit
        self.group_window = group_window
        self._clock = clock
        self._sleep = sleep
        self._tat = -math.inf  # theoretical arrival time: the next free overall slot
        self._paused_until = -math.inf  # after a 429: holds back slots booked before it too
        self._chats: dict[int, _ChatWindow] = {}
        self._reserved = 0
        # Every send since the oldest one that can still hold a later one back, in order.
        self._line: deque[_Stamp] = deque()
        self.sends = 0  # through slot(), and their seconds from start to answer
        self.send_seconds = 0.0

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
        """Book the next send to `chat_id`: returns its stamp, whose `at` is the slot (the
        overall window may hold it back further: `slot()` waits for both)."""
        now = self._clock()
        window = self._window(chat_id)
        at = max(now, self._tat, window.ready_at())
        self._tat = at + self.interval
        stamp = _Stamp(at, self._reserved)
        window.stamps.append(stamp)
        self._line.append(stamp)
        while (len(self._line) > self.limit and self._line[0].done
               and self._line[0].at + self.window <= now):
            self._line.popleft()  # finished long enough ago to hold nothing back
        self._reserved += 1
        if self._reserved % _PRUNE_EVERY == 0:
            self._prune(now)
        return stamp

    def _window_open_at(self, stamp: _Stamp) -> tuple[float, bool]:
        """When the overall window lets `stamp` go: `window` after every send at least
        `limit` places earlier finished; and whether that is known for sure (False while
        one of them is still in flight: it counts as finishing now, to be looked at again)."""
        now, ready, sure = self._clock(), -math.inf, True
        for earlier in self._line:
            if earlier.seq > stamp.seq - self.limit:
                break
            if not earlier.done:
                sure = False
            ready = max(ready, (earlier.at if earlier.done else max(earlier.at, now))
                        + self.window)
        return ready, sure

    async def _wait_for(self, stamp: _Stamp) -> None:
        while True:
            ready, sure = self._window_open_at(stamp)
            delay = max(stamp.at, ready, self._paused_until) - self._clock()
            if delay <= 0:
                return
            # Waiting on a send still in flight: look again soon (it may finish any moment).
            await self._sleep(delay if sure else min(delay, RECHECK))

    async def wait(self, chat_id: int) -> None:
        """Wait for the next slot for `chat_id` (the send counts from its start)."""
        stamp = self.reserve(chat_id)
        await self._wait_for(stamp)
        stamp.finish(stamp.at)

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """`async with pacer.slot(chat_id): await send(...)`: waits for the slot; the
        chat's next send counts from when the block ends."""
        stamp = self.reserve(chat_id)
        started: float | None = None
        try:
            await self._wait_for(stamp)
            stamp.at = started = max(stamp.at, self._clock())  # when it really starts
            yield
        finally:
            stamp.finish(self._clock())
            if started is not None:
                self.sends += 1
                self.send_seconds += stamp.at - started

    def pause(self, seconds: float) -> None:
        """Send nothing more for `seconds` (Telegram's retry_after), across all chats."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
        self._tat = max(self._tat, self._paused_until)

    @property
    def paused_until(self) -> float:
        """The clock time of the next free overall slot."""
        return self._tat

    def _prune(self, now: float) -> None:
        idle = [chat for chat, window in self._chats.items() if window.idle_since(now)]
        for chat in idle:
            del self._chats[chat]
