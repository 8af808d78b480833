"""The "waiting for typed text" record: one per user, replaced by the flow that asks last,
kept in the database."""

from __future__ import annotations

from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.usecases import waiting


async def a_user(db: Database, user_id: int) -> None:
    async with db.transaction() as session:
        await touch_user(session, SeenUser(user_id, "Ona", None, "lt"), is_admin=False)


async def test_one_record_per_user_the_last_flow_wins(db: Database) -> None:
    await a_user(db, 7)
    await a_user(db, 8)
    assert await waiting.current(db, 7) is None
    await waiting.expect(db, 7, "profile", {"field": "town"})
    await waiting.expect(db, 8, "log", {})
    assert await waiting.current(db, 7) == waiting.Expecting("profile", {"field": "town"})
    await waiting.expect(db, 7, "playlist", {"step": "title"})
    assert await waiting.current(db, 7) == waiting.Expecting("playlist", {"step": "title"})
    assert await waiting.current(db, 8) == waiting.Expecting("log", {})


async def test_clear_only_the_named_flow(db: Database) -> None:
    await a_user(db, 7)
    await waiting.expect(db, 7, "log", {})
    await waiting.clear(db, 7, "profile")  # another flow finishing leaves log waiting
    assert await waiting.current(db, 7) == waiting.Expecting("log", {})
    await waiting.clear(db, 7)
    assert await waiting.current(db, 7) is None
    await waiting.clear(db, 7)  # clearing twice is harmless
