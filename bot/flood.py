"""Per-user flood control: a token bucket per sender, checked before any handler runs.
(The web process keeps another `FloodGuard` keyed by client address for its public
certificate pages: bot/transports/webhook/server.py.)

Each user may send `burst` updates at once; the bucket then refills at `rate` per second.
An update that finds the bucket empty is dropped (not processed), and the user hears about it
once per `notice_interval` seconds, not once per dropped update, so a flood costs the bot one
dictionary look-up per update and one message per episode.

The buckets live in the process's memory: with several webhook processes behind a load
balancer each process allows the burst, which is still a bound per process; the point is that
one sender cannot monopolise a process's event loop or database.

aiolimiter (which PTB's rate limiter uses) waits for capacity instead of refusing, and ties the
burst to the refill period; a refusing bucket with a separate burst and rate is these few lines.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


class Verdict(enum.Enum):
    ALLOW = "allow"
    DROP = "drop"  # over the limit; the user was told recently
    DROP_AND_NOTIFY = "notify"  # over the limit; tell the user now


@dataclass
class _Bucket:
    tokens: float
    updated: float
    notified: float | None = None  # when the user was last told they were slowed down
    language: str | None = None  # their language at the last allowed update


class FloodGuard:
    """Token buckets per user id (or any other key: a client's address)."""

    def __init__(self, burst: int, rate: float, notice_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_users: int = 50_000) -> None:
        self.burst, self.rate, self.notice_interval = burst, rate, notice_interval
        self._clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self._max_users = max_users
        self.dropped = 0  # updates refused since start, for metrics and tests

    def check(self, user_id: Hashable) -> Verdict:
        """Take one token for `user_id`'s update, or say how to refuse it."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._max_users:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst),
                            bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        self.dropped += 1
        if bucket.notified is None or now - bucket.notified >= self.notice_interval:
            bucket.notified = now
            return Verdict.DROP_AND_NOTIFY
        return Verdict.DROP

    def wait(self, user_id: Hashable) -> float:
        """Seconds until `user_id` may send again (0 when they may now)."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            return 0.0
        tokens = bucket.tokens + (self._clock() - bucket.updated) * self.rate
        return max(0.0, (1 - tokens) / self.rate)

    def remember_language(self, user_id: int, language: str) -> None:
        """The language to refuse in later, without asking the database during a flood."""
        bucket = self._buckets.get(user_id)
        if bucket is not None:
            bucket.language = language

    def language(self, user_id: int) -> str | None:
        bucket = self._buckets.get(user_id)
        return bucket.language if bucket is not None else None

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled completely: they hold nothing worth keeping."""
        full = [user_id for user_id, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for user_id in full:
            del self._buckets[user_id]
        if len(self._buckets) >= self._max_users:  # everybody is flooding: start afresh
            self._buckets.clear()
