"""Search in the chat: a typed query, a stored one run again (a page, a scope, a "did you
mean"), an opportunity's details and its calendar file, and the example searches offered
after a greeting.

The engine runs over the in-memory index (`catalog.search`, no database); what the buttons
refer to later (the query, its suggestions) is stored, and the learning playlists to show
are looked up, in ONE transaction per update. Results leave as the engine's own frozen
dataclasses plus ids and titles: no ORM row leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.services import playlists as playlist_rules
from bot.storage.db import Database
from catalog import queries
from catalog.search.engine import SearchResult
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService, to_doc


@dataclass(frozen=True)
class Found:
    """What the engine found for a text, with the names of the towns it was asked about."""

    result: SearchResult
    place_names: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.result.hits or self.result.relaxed)


@dataclass(frozen=True)
class Results:
    """A stored query's results, and what is shown with them."""

    query: int  # the stored query's id: the buttons under the results refer to it
    text: str
    only_language: bool
    found: Found
    playlists: tuple[tuple[int, str], ...]  # (id, title in the language) to show with them
    suggestions: tuple[tuple[int, str], ...] = ()  # stored "did you mean": (id, text)


@dataclass(frozen=True)
class Details:
    doc: SearchDoc
    withdrawn: bool  # the organiser no longer lists it
    query: int | None  # the presser's query to go back to; None: not theirs, or none


def find(search: SearchService, text: str, language: str, *,
         only_language: bool = False) -> Found:
    """The engine's answer for `text` (no database; a search in a group stores nothing)."""
    result = search.search(text, language=language, only_language=only_language)
    metrics.observe_search(result.took_ms / 1000)
    return Found(result, tuple(search.place_names(result.plan.filters.places)))


async def _shown_with(session: AsyncSession, search: SearchService, user_id: int, text: str,
                      found: Found, language: str,
                      ) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """The playlists to show with the results, and when nothing matched, the "did you
    mean" suggestions stored as queries of the user's (their buttons run them)."""
    matches = await search.matching_playlists(session, text, found.result)
    playlists = tuple((m.id, playlist_rules.localized(m.titles, language, m.language))
                      for m in matches)
    suggestions: list[tuple[int, str]] = []
    if not found.any:
        for suggestion in found.result.suggestions:
            suggestions.append((await queries.remember(session, user_id, suggestion, language),
                                suggestion))
    return playlists, tuple(suggestions)


async def search(db: Database, search: SearchService, user_id: int, text: str,
                 language: str) -> Results:
    """A typed search: found, stored (its buttons refer to it) and shown with playlists."""
    found = find(search, text, language)
    async with db.transaction() as session:
        stored = await queries.remember(session, user_id, text, language)
        playlists, suggestions = await _shown_with(session, search, user_id, text, found,
                                                   language)
        return Results(stored, text, False, found, playlists, suggestions)


async def again(db: Database, search: SearchService, user_id: int, query_id: int,
                language: str, *, only_language: bool | None = None) -> Results | None:
    """The user's stored query run again (in the scope `only_language`, remembered, when
    given); None when it is not theirs or gone (a stale or forged button)."""
    async with db.transaction() as session:
        stored = await queries.recall(session, query_id, user_id)
        if stored is None:
            return None
        if only_language is not None:
            stored.only_language = only_language
        text, only = stored.text, stored.only_language
        found = find(search, text, language, only_language=only)
        playlists, suggestions = await _shown_with(session, search, user_id, text, found,
                                                   language)
        return Results(stored.id, text, only, found, playlists, suggestions)


async def examples(db: Database, user_id: int, texts: list[str],
                   language: str) -> tuple[tuple[int, str], ...]:
    """Example searches stored as the user's queries (id, text): buttons that run them."""
    async with db.transaction() as session:
        return tuple([(await queries.remember(session, user_id, text, language), text)
                      for text in texts])


async def details(db: Database, opportunity_id: int, query_id: int,
                  user_id: int) -> Details | None:
    """An opportunity's details, withdrawn ones too (a link to it may be old); None when
    there is no such opportunity."""
    async with db.transaction() as session:
        row = await queries.opportunity(session, opportunity_id)
        if row is None:
            return None
        stored = await queries.recall(session, query_id, user_id)
        return Details(to_doc(row, ""), row.withdrawn_at is not None,
                       stored.id if stored is not None else None)


async def calendar(db: Database, opportunity_id: int) -> SearchDoc | None:
    """The opportunity to put in a calendar file; None without a start (or unknown)."""
    async with db.transaction() as session:
        row = await queries.opportunity(session, opportunity_id)
        return to_doc(row, "") if row is not None and row.start_at is not None else None
