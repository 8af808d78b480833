"""The record of which flow waits for a user's next typed message (one row per user).

Services take the session and never commit; bot/usecases/waiting.py opens the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Waiting, utcnow


@dataclass(frozen=True)
class Expecting:
    """A flow waiting for the user's text, with the little state it asked to keep."""

    flow: str
    state: dict[str, Any] = field(default_factory=dict)


async def get(session: AsyncSession, user_id: int) -> Expecting | None:
    row = await session.get(Waiting, user_id)
    return Expecting(row.flow, dict(row.state or {})) if row is not None else None


async def expect(session: AsyncSession, user_id: int, flow: str,
                 state: dict[str, Any]) -> Expecting:
    """Make `flow` the one waiting for the user's text (replacing any other: the flow that
    asked last gets the answer)."""
    row = await session.get(Waiting, user_id)
    if row is None:
        session.add(Waiting(user_id=user_id, flow=flow, state=state, since=utcnow()))
    else:
        row.flow, row.state, row.since = flow, state, utcnow()
    await session.flush()
    return Expecting(flow, dict(state))


async def clear(session: AsyncSession, user_id: int, flow: str | None = None) -> None:
    """Nothing waits any more (only if `flow` is the one waiting, when given)."""
    statement = delete(Waiting).where(Waiting.user_id == user_id)
    if flow is not None:
        statement = statement.where(Waiting.flow == flow)
    await session.execute(statement)
