"""Following: /follow words, 🔔 under search results, /following and its buttons.

What typed words follow is decided here: a town the catalog knows, else an organisation
on Takas (its announcements too), else a provider of the catalog, else the words as a
search. Each function is one unit of work and returns the follows as frozen views.
The Mini App's Follow (an opportunity's provider or town, or a provider by name) stores
the same rows, so /following lists what either made.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import follows as rules
from bot.services import users
from bot.services.errors import Refusal
from bot.services.orgs import list_organisations
from bot.services.users import SeenUser
from bot.storage.db import Database
from bot.storage.models import Follow
from bot.text import shorten
from catalog import queries
from catalog.search.index import SearchDoc
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


# -- the Mini App's Follow: an opportunity's provider (or town), or a provider by name ----


@dataclass(frozen=True)
class Target:
    """Something the Mini App follows: kind `provider` (value: the folded name) or `town`
    (value: the gazetteer's place id)."""

    kind: str
    value: str
    label: str


def item_target(search: SearchService, doc: SearchDoc) -> Target | None:
    """What following the opportunity `doc` follows: its provider, else its town."""
    if doc.provider and fold(doc.provider):
        return Target("provider", fold(doc.provider), doc.provider)
    town = search.town(doc.city) if doc.city else None
    return Target("town", town[0], town[1]) if town else None


async def _resolve(session: AsyncSession, search: SearchService,
                   wanted: Target | str) -> Target:
    """`wanted` itself, or the organisation on Takas or provider of the catalog its name
    names, compared folded as /follow compares them; `Refusal("provider_unknown")` else."""
    if isinstance(wanted, Target):
        return wanted
    folded = fold(" ".join(wanted.split()))
    organisations = {fold(o.name): o.name for o in await list_organisations(session)}
    name = organisations.get(folded) or search.providers().get(folded)
    if not folded or name is None:
        raise Refusal("provider_unknown")
    return Target("provider", folded, name)


async def follow_target(db: Database, search: SearchService, seen: SeenUser,
                        wanted: Target | str, *, is_admin: bool) -> Followed:
    """Follow `wanted` (following it again is harmless). The user may never have written
    to the bot (a Mini App opened from a link): their row is made first."""
    async with db.transaction() as session:
        target = await _resolve(session, search, wanted)
        await users.touch_user(session, seen, is_admin=is_admin)
        return await _follow(session, seen.id, target.kind, target.value, target.label)


async def unfollow_target(db: Database, search: SearchService, user_id: int,
                          wanted: Target | str) -> Target:
    """Stop following `wanted` (harmless when not followed); what it was."""
    async with db.transaction() as session:
        target = await _resolve(session, search, wanted)
        for row in await rules.following(session, user_id):
            if (row.kind, row.value) == (target.kind, target.value):
                await rules.unfollow(session, user_id, row.id)
        return target


async def follows_target(db: Database, user_id: int, target: Target) -> bool:
    async with db.transaction() as session:
        return any((row.kind, row.value) == (target.kind, target.value)
                   for row in await rules.following(session, user_id))
