"""Alembic environment: runs migrations on a connection handed in by `bot.storage.db`, or on
its own.

`python -m bot migrate` passes an open connection in `config.attributes["connection"]`; the
plain `alembic` command (with `sqlalchemy.url` set) opens an async engine itself.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

import bot.storage.catalog_tables
import bot.storage.playlist_tables
import bot.storage.web_tables  # noqa: F401  (registers the playlist and Mini App tables)
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    from bot.storage.db import create_engine

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.config import load_settings

        url = load_settings().database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
