"""Storage: migrations up and down, users remembered, times kept time-zone aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import inspect

from bot.services.users import SeenUser, get_user, set_language, touch_user
from bot.storage.db import Database
from bot.storage.models import Role


async def table_names(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrate_up_down_up(db_url: str) -> None:
    db = Database(db_url)
    try:
        await db.migrate()
        assert "users" in await table_names(db)
        await db.downgrade("base")
        assert "users" not in await table_names(db)
        await db.migrate()
        await db.migrate()  # idempotent
        assert "users" in await table_names(db)
    finally:
        await db.close()


async def test_every_migration_steps_down_and_up_again(db_url: str) -> None:
    """From empty to head, then each revision down one step and up again (on SQLite, and on
    PostgreSQL in the suite's second pass)."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config

    revisions = [r.revision for r in
                 ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    db = Database(db_url)
    try:
        await db.migrate()
        for _revision in revisions:  # from head down to base, one step at a time
            await db.downgrade("-1")
            await db.migrate("+1")  # the step back up works too
            await db.downgrade("-1")
        assert "users" not in await table_names(db)
        await db.migrate()
        assert {"users", "opportunities", "hour_entries", "outbox", "inbox_updates"} <= \
            await table_names(db)
    finally:
        await db.close()


async def test_user_is_created_then_refreshed(db_url: str) -> None:
    db = Database(db_url)
    await db.migrate()
    first = datetime(2026, 11, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    try:
        async with db.transaction() as session:
            user = await touch_user(session, SeenUser(7, "Ona", "ona", "lt"), is_admin=False,
                                    now=first)
        assert user.role == Role.LEARNER
        async with db.transaction() as session:
            await set_language(session, 7, "en")
            user = await touch_user(session, SeenUser(7, "Ona B.", None, "de"), is_admin=True,
                                    now=first + timedelta(days=1))
        async with db.transaction() as session:
            stored = await get_user(session, 7)
        assert stored is not None
        assert (stored.first_name, stored.language, stored.telegram_language) == (
            "Ona B.", "en", "de")
        assert stored.role == Role.ADMIN
        assert stored.created_at == first
        assert stored.created_at.tzinfo is not None
        assert stored.seen_at == (first + timedelta(days=1)).astimezone(UTC)
        # Removed from ADMIN_IDS: no longer admin.
        async with db.transaction() as session:
            user = await touch_user(session, SeenUser(7, "Ona B.", None, "de"), is_admin=False)
        assert user.role == Role.LEARNER
    finally:
        await db.close()


async def test_failed_unit_of_work_writes_nothing(db_url: str) -> None:
    db = Database(db_url)
    await db.migrate()
    try:
        try:
            async with db.transaction() as session:
                await touch_user(session, SeenUser(8, "Jonas", None, "lt"), is_admin=False)
                raise RuntimeError("crash mid-way")
        except RuntimeError:
            pass
        async with db.transaction() as session:
            assert await get_user(session, 8) is None
    finally:
        await db.close()


async def test_a_transaction_that_reads_then_writes_waits_its_turn_instead_of_failing(
        db_url: str) -> None:
    """Two people press at once: one transaction reads a user inside a savepoint (as the
    verification queue does) while another one writes the same table; then the first
    writes. Both must succeed, one after the other. (SQLite used to answer the first with
    "database is locked" at once: its snapshot was older than the other's commit.)"""
    import asyncio

    db = Database(db_url)
    try:
        async with db.transaction() as session:
            await touch_user(session, SeenUser(1, "Ona", None, "lt"), is_admin=False)
            await touch_user(session, SeenUser(2, "Jonas", None, "lt"), is_admin=False)

        async def other_person() -> None:
            async with db.transaction() as session:
                await set_language(session, 2, "en")

        async with db.transaction() as session, session.begin_nested():
            assert (await get_user(session, 1)) is not None
            other = asyncio.create_task(other_person())
            await asyncio.sleep(0.3)  # the other transaction commits, or waits
            await set_language(session, 1, "ru")
        await other
        async with db.transaction() as session:
            one, two = await get_user(session, 1), await get_user(session, 2)
        assert one is not None
        assert one.language == "ru"
        assert two is not None
        assert two.language == "en"
    finally:
        await db.close()
