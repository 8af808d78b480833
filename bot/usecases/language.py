"""/language: the language a person chose, stored for every later update and notice."""

from __future__ import annotations

from bot.services import users
from bot.storage.db import Database


async def choose(db: Database, user_id: int, language: str) -> None:
    """Store `language` (one of the deployment's catalogs: the handler checked it)."""
    async with db.transaction() as session:
        await users.set_language(session, user_id, language)
