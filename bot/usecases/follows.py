"""Following a provider or a town from the Mini App, as /follow does in the chat.

The chat's /follow and the map's Follow button store the same `Follow` rows
(bot/services/follows.py), so /following lists what either made. What an opportunity's
Follow means: its provider, or its town when it names no provider (`item_target`).
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
from catalog.search.index import SearchDoc
from catalog.search.normalize import fold
from catalog.search.service import SearchService


@dataclass(frozen=True)
class Target:
    """Something one can follow: kind `provider` (value: the folded name) or `town`
    (value: the gazetteer's place id)."""

    kind: str
    value: str
    label: str


@dataclass(frozen=True)
class Followed:
    target: Target
    following: bool
    created: bool = False


def item_target(search: SearchService, doc: SearchDoc) -> Target | None:
    """What following the opportunity `doc` follows: its provider, else its town."""
    if doc.provider and fold(doc.provider):
        return Target("provider", fold(doc.provider), doc.provider)
    town = search.town(doc.city) if doc.city else None
    return Target("town", town[0], town[1]) if town else None


async def _resolve(session: AsyncSession, search: SearchService,
                   wanted: Target | str) -> Target:
    """`wanted` itself, or the provider of the catalog or organisation on Takas its name
    names (compared folded); a `Refusal("provider_unknown")` when none does."""
    if isinstance(wanted, Target):
        return wanted
    folded = fold(" ".join(wanted.split()))
    providers = search.providers()
    if folded and folded in providers:
        return Target("provider", folded, providers[folded])
    organisations = {fold(o.name): o.name for o in await list_organisations(session)}
    if folded and folded in organisations:
        return Target("provider", folded, organisations[folded])
    raise Refusal("provider_unknown")


async def follow(db: Database, search: SearchService, seen: SeenUser, wanted: Target | str,
                 *, is_admin: bool) -> Followed:
    """Follow `wanted` (a target, or a provider's name); following it again is harmless.
    A `Refusal` when the user follows too much already."""
    async with db.transaction() as session:
        target = await _resolve(session, search, wanted)
        await users.touch_user(session, seen, is_admin=is_admin)
        _row, created = await rules.follow(session, seen.id, target.kind, target.value,
                                           target.label)
    return Followed(target, True, created)


async def unfollow(db: Database, search: SearchService, user_id: int,
                   wanted: Target | str) -> Followed:
    async with db.transaction() as session:
        target = await _resolve(session, search, wanted)
        for row in await rules.following(session, user_id):
            if row.kind == target.kind and row.value == target.value:
                await rules.unfollow(session, user_id, row.id)
    return Followed(target, False)


async def is_following(db: Database, user_id: int, target: Target) -> bool:
    async with db.transaction() as session:
        return any(row.kind == target.kind and row.value == target.value
                   for row in await rules.following(session, user_id))
