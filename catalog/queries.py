"""Stored search queries: remember what a user searched so buttons can refer to it."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.catalog_tables import Opportunity, SearchQuery

MAX_QUERY = 512


async def remember(session: AsyncSession, user_id: int, text: str, language: str | None,
                   only_language: bool = False) -> int:
    """Store a query; its id. (One INSERT ... RETURNING: every typed search stores one, and
    the ORM's unit of work cost the web process more than the statement.)"""
    return (await session.execute(insert(SearchQuery).values(
        user_id=user_id, text=text[:MAX_QUERY], language=language,
        only_language=only_language).returning(SearchQuery.id))).scalar_one()


async def recall(session: AsyncSession, query_id: int, user_id: int) -> SearchQuery | None:
    """The query, if it exists and belongs to `user_id` (buttons can be forged)."""
    query = await session.get(SearchQuery, query_id)
    return query if query is not None and query.user_id == user_id else None


async def opportunity(session: AsyncSession, opportunity_id: int) -> Opportunity | None:
    return await session.get(Opportunity, opportunity_id)
