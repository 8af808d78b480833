"""Flood control and fault injection for the fake Bot API.

Telegram's documented guidance is ~30 messages per second overall, one message
per second in a private chat and 20 messages per minute in a group. The fake
enforces those as sliding windows so a bot that sends too fast gets the same
``429 Too Many Requests: retry after N`` the real API answers, and a test can
check the bot waits and retries. Injected faults let a test force a 429 or a
5xx on the next call(s) of a method regardless of rate.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .models import ApiError, ChatType

# Methods that create or change visible messages and are rate limited by Telegram.
FLOOD_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext"})

GLOBAL_LIMIT = (30, 1.0)  # 30 per second, across all chats
PRIVATE_LIMIT = (1, 1.0)  # 1 per second per private chat
GROUP_LIMIT = (20, 60.0)  # 20 per minute per group/supergroup/channel

_ERROR_TEXT = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()

    def retry_after(self) -> float:
        """Seconds until one more event fits; 0 when it fits now."""
        now = self._clock()
        self._trim(now)
        if len(self._events) < self.limit:
            return 0.0
        return self._events[len(self._events) - self.limit] + self.window - now

    def record(self) -> None:
        self._events.append(self._clock())


class FloodControl:
    """Sliding-window limits per chat and overall; only consulted when enabled."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._global = SlidingWindow(*GLOBAL_LIMIT, clock)
        self._chats: dict[int, SlidingWindow] = {}

    def _chat_window(self, chat_id: int, chat_type: ChatType) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            limit = PRIVATE_LIMIT if chat_type == "private" else GROUP_LIMIT
            window = self._chats[chat_id] = SlidingWindow(*limit, self._clock)
        return window

    def check(self, chat_id: int, chat_type: ChatType) -> int | None:
        """Whole seconds to wait (>= 1), like Telegram's retry_after, or None if allowed."""
        wait = max(self._global.retry_after(), self._chat_window(chat_id, chat_type).retry_after())
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, chat_type: ChatType) -> None:
        """Count a send that went through (refused sends do not use up the budget)."""
        self._global.record()
        self._chat_window(chat_id, chat_type).record()


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    times: int


class FaultInjector:
    """Queued forced failures, consumed one per matching call."""

    def __init__(self) -> None:
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[list[float]]] = {}  # method -> [[seconds, times], ...]

    def add_delay(self, method: str, seconds: float, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        self._delays.setdefault(method.lower(), []).append([seconds, times])

    def take_delay(self, method: str) -> float:
        """Seconds to hold this call of ``method`` before answering it (0: none)."""
        queue = self._delays.get(method.lower())
        if not queue:
            return 0.0
        seconds, _times = queue[0]
        queue[0][1] -= 1
        if queue[0][1] <= 0:
            queue.pop(0)
        return seconds

    def add(self, method: str, status: int, retry_after: int | None, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.setdefault(method.lower(), []).append(_Fault(status, retry_after, times))

    def take(self, method: str) -> ApiError | None:
        """The error to answer this call of ``method`` with, if one is queued."""
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.pop(0)
        if fault.status == 429:
            retry = fault.retry_after or 1
            return ApiError(
                429, f"Too Many Requests: retry after {retry}", retry_after=retry, cause="injected"
            )
        text = _ERROR_TEXT.get(fault.status, "Injected Error")
        return ApiError(fault.status, text, cause="injected")

    def pending(self) -> int:
        delays = sum(int(d[1]) for queue in self._delays.values() for d in queue)
        return delays + sum(f.times for queue in self._faults.values() for f in queue)
