"""Small helpers over SQLAlchemy that hide the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession) -> Any:
    """The dialect's `insert` (both have `on_conflict_do_update/_nothing`)."""
    bind = session.get_bind()
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def rowcount(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched (typed access to `CursorResult.rowcount`)."""
    return int(result.rowcount or 0)


def clip(text: str | None, limit: int) -> str | None:
    """`text` cut to fit a column of `limit` characters (with '…'), None kept."""
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"
