"""Learning playlists a search names: matched by their words as the catalog search reads
words (folded and stemmed, one typo allowed in longer words), then those holding one of the
found opportunities."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from sqlalchemy import exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.playlist_tables import Playlist, PlaylistItem
from catalog.search.normalize import tokens
from catalog.search.stem import stem


@dataclass(frozen=True)
class Found:
    """A published playlist a search matched: its titles by language."""

    id: int
    titles: dict[str, str]
    language: str


@lru_cache(maxsize=4096)
def _words(text: str, stopwords: frozenset[str]) -> frozenset[str]:
    # Remembered: every search reads the same published playlists' titles again.
    return frozenset(stem(t) for t in tokens(text) if len(t) >= 3 and t not in stopwords)


def _close(word: str, words: frozenset[str]) -> bool:
    if word in words:
        return True
    budget = 1 if len(word) >= 5 else 0  # a typo in a longer word
    return budget > 0 and any(Levenshtein.distance(word, other, score_cutoff=budget) <= budget
                              for other in words if abs(len(other) - len(word)) <= budget)


async def matching(session: AsyncSession, query: str, opportunity_ids: Iterable[int], *,
                   stopwords: frozenset[str] = frozenset(), limit: int = 3) -> list[Found]:
    """Published playlists whose title or description matches the query (most of its words),
    then those holding one of the found opportunities. One query: every typed search runs
    it."""
    wanted = _words(query, stopwords)
    ids = list(opportunity_ids)[:50]
    holds = (exists().where(PlaylistItem.playlist_id == Playlist.id,
                            PlaylistItem.opportunity_id.in_(ids))
             if ids else literal(False))
    rows = (await session.execute(
        select(Playlist.id, Playlist.titles, Playlist.descriptions, Playlist.language,
               holds.label("holds"))
        .where(Playlist.published.is_(True)).order_by(Playlist.id))).all()
    named: list[Found] = []
    holding: list[Found] = []
    need = max(1, math.ceil(len(wanted) / 2))
    for row in rows:
        playlist = Found(row.id, dict(row.titles), row.language)
        words = _words(" ".join([*row.titles.values(), *row.descriptions.values()]),
                       stopwords) if wanted else frozenset()
        if wanted and sum(_close(word, words) for word in wanted) >= need:
            named.append(playlist)
        elif row.holds:
            holding.append(playlist)
    return [*named, *holding][:limit]
