"""Following: /follow words, 🔔 under search results, /following and its buttons.

What typed words follow is decided here: a town the catalog knows, else an organisation
on Takas (its announcements too), else a provider of the catalog, else the words as a
search. Each function is one unit of work and returns the follows as frozen views.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import follows as rules
from bot.services.orgs import list_organisations
from bot.storage.db import Database
from bot.storage.models import Follow
from bot.text import shorten
from catalog import queries
from catalog.search.normalize import fold
from catalog.search.service import SearchService

MAX_WORDS = 300  # the most of a typed search kept as a follow


@dataclass(frozen=True)
class FollowView:
    id: int
    kind: str  # "search", "provider" or "town"
    label: str
    frequency: str  # one of bot.services.follows.FREQUENCIES


@dataclass(frozen=True)
class Followed:
    follow: FollowView
    created: bool  # False: followed already


@dataclass(frozen=True)
class Changed:
    done: bool  # False: not the user's follow (gone, or a forged button)
    follows: tuple[FollowView, ...]  # the list as it is now


def _view(row: Follow) -> FollowView:
    return FollowView(row.id, row.kind, row.label, row.frequency)


async def _follow(session: AsyncSession, user_id: int, kind: str, value: str,
                  label: str) -> Followed:
    row, created = await rules.follow(session, user_id, kind, value, label)
    return Followed(_view(row), created)


async def follow_words(db: Database, search: SearchService, user_id: int,
                       text: str) -> Followed:
    """/follow TEXT (a `Refusal` when the user follows too many things already)."""
    town = search.town(text)
    folded = fold(" ".join(text.split()))
    async with db.transaction() as session:
        if town is not None:
            return await _follow(session, user_id, "town", town[0], town[1])
        organisations = {fold(o.name): o.name for o in await list_organisations(session)}
        if folded in organisations:  # an organisation on Takas: hear its announcements too
            return await _follow(session, user_id, "provider", folded, organisations[folded])
        provider = search.providers().get(folded)
        if provider is not None:
            return await _follow(session, user_id, "provider", folded, provider)
        words = shorten(text, MAX_WORDS)
        return await _follow(session, user_id, "search", words, words)


async def follow_search(db: Database, user_id: int, query_id: int) -> Followed | None:
    """🔔 under results: follow the user's stored search; None when it is not theirs (or
    no longer stored)."""
    async with db.transaction() as session:
        stored = await queries.recall(session, query_id, user_id)
        if stored is None:
            return None
        return await _follow(session, user_id, "search", stored.text, stored.text)


async def following(db: Database, user_id: int) -> tuple[FollowView, ...]:
    async with db.transaction() as session:
        return tuple(_view(row) for row in await rules.following(session, user_id))


async def unfollow(db: Database, user_id: int, follow_id: int) -> Changed:
    async with db.transaction() as session:
        done = await rules.unfollow(session, user_id, follow_id)
        return Changed(done, tuple(_view(row) for row in await rules.following(session, user_id)))


async def set_frequency(db: Database, user_id: int, follow_id: int, frequency: str) -> Changed:
    async with db.transaction() as session:
        done = await rules.set_frequency(session, user_id, follow_id, frequency) is not None
        return Changed(done, tuple(_view(row) for row in await rules.following(session, user_id)))
