"""A pupil's read-only links to their e-profile (for a parent or teacher), and what such a
link shows. The link's owner makes, lists and revokes them in the Mini App; anyone with
the link reads the e-profile (without notes and reasons) until it expires or is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import shares
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.web_tables import WebappShare
from bot.usecases import progress


@dataclass(frozen=True)
class ShareView:
    id: int
    created: datetime
    expires: datetime
    revoked: bool

    def active(self, now: datetime) -> bool:
        return not self.revoked and self.expires > now


@dataclass(frozen=True)
class NewShare:
    share: ShareView
    token: str  # shown once; only its hash is stored


def _view(row: WebappShare) -> ShareView:
    return ShareView(row.id, row.created_at, row.expires_at, row.revoked_at is not None)


async def create(db: Database, user_id: int, *, days: int = shares.DEFAULT_DAYS,
                 now: datetime | None = None) -> NewShare:
    async with db.transaction() as session:
        row, token = await shares.create(session, user_id, days=days, now=now or utcnow())
        return NewShare(_view(row), token)


async def listing(db: Database, user_id: int) -> list[ShareView]:
    async with db.transaction() as session:
        return [_view(row) for row in await shares.of_user(session, user_id)]


async def revoke(db: Database, user_id: int, share_id: int,
                 now: datetime | None = None) -> ShareView:
    async with db.transaction() as session:
        return _view(await shares.revoke(session, user_id, share_id, now=now or utcnow()))


async def shared_profile(db: Database, token: str, now: datetime | None = None
                         ) -> tuple[int, progress.EProfile]:
    """(whose, their e-profile without private parts) behind a link; a `Refusal`
    (`share_unknown`, `share_gone`) when it opens nothing."""
    now = now or utcnow()
    async with db.transaction() as session:
        user_id = await shares.opened(session, token, now=now)
        found = await progress.load(session, user_id, private=False, now=now)
    if found is None:  # the user row goes with its links: only in a race with /forgetme
        raise Refusal("share_unknown")
    return user_id, found


async def owner(db: Database, token: str, now: datetime | None = None) -> int:
    """Whose e-profile the link shows (a `Refusal` when it opens nothing)."""
    async with db.transaction() as session:
        return await shares.opened(session, token, now=now or utcnow())
