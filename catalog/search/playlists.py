"""Learning playlists a search names: matched by their words as the catalog search reads
words (folded and stemmed, one typo allowed in longer words), then those holding one of the
found opportunities."""

from __future__ import annotations

import math
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.playlist_tables import Playlist, PlaylistItem
from catalog.search.normalize import tokens
from catalog.search.stem import stem


def _words(text: str, stopwords: frozenset[str]) -> set[str]:
    return {stem(t) for t in tokens(text) if len(t) >= 3 and t not in stopwords}


def _close(word: str, words: set[str]) -> bool:
    if word in words:
        return True
    budget = 1 if len(word) >= 5 else 0  # a typo in a longer word
    return budget > 0 and any(Levenshtein.distance(word, other, score_cutoff=budget) <= budget
                              for other in words if abs(len(other) - len(word)) <= budget)


async def matching(session: AsyncSession, query: str, opportunity_ids: Iterable[int], *,
                   stopwords: frozenset[str] = frozenset(), limit: int = 3) -> list[Playlist]:
    """Published playlists whose title or description matches the query (most of its words),
    then those holding one of the found opportunities."""
    wanted = _words(query, stopwords)
    found: list[Playlist] = []
    if wanted:
        published = (await session.scalars(select(Playlist).where(
            Playlist.published.is_(True)).order_by(Playlist.id))).all()
        need = max(1, math.ceil(len(wanted) / 2))
        for playlist in published:
            words = _words(" ".join([*playlist.titles.values(),
                                     *playlist.descriptions.values()]), stopwords)
            if sum(_close(word, words) for word in wanted) >= need:
                found.append(playlist)
    ids = list(opportunity_ids)[:50]
    if ids and len(found) < limit:
        # IN rather than DISTINCT: PostgreSQL cannot compare the JSON columns.
        holding = (await session.scalars(select(Playlist).where(
            Playlist.published.is_(True), Playlist.id.in_(
                select(PlaylistItem.playlist_id).where(PlaylistItem.opportunity_id.in_(ids))))
            .order_by(Playlist.id))).all()
        found += [p for p in holding if p not in found]
    return found[:limit]
