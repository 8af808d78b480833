"""Use cases of the "waiting for typed text" record: each is one unit of work."""

from __future__ import annotations

from typing import Any

from bot.services import waiting
from bot.services.waiting import Expecting
from bot.storage.db import Database

__all__ = ["Expecting", "clear", "current", "expect"]


async def current(db: Database, user_id: int) -> Expecting | None:
    async with db.transaction() as session:
        return await waiting.get(session, user_id)


async def expect(db: Database, user_id: int, flow: str, state: dict[str, Any]) -> Expecting:
    async with db.transaction() as session:
        return await waiting.expect(session, user_id, flow, state)


async def clear(db: Database, user_id: int, flow: str | None = None) -> None:
    async with db.transaction() as session:
        await waiting.clear(session, user_id, flow)
