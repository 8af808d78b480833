"""The clock: the current time, aware and in UTC.

A ground-floor module (standard library only), so every floor may ask the time: storage
stamps rows with it, use cases decide with it, handlers (a shared location's "upcoming")
read it without importing a storage module.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
