"""Read-only links to a pupil's e-profile: make one, list, revoke, open.

Rules: a token is 32 random URL-safe characters shown once; only its SHA-256 is kept.
A link lasts 1 to 90 days (30 by default); a pupil holds at most `MAX_ACTIVE` working
links; revoking is for the link's owner only and harmless twice; a revoked or expired
link opens nothing (`Refusal("share_gone")`), an unknown one `share_unknown`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.storage.web_tables import WebappShare

DEFAULT_DAYS, MAX_DAYS = 30, 90
MAX_ACTIVE = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def create(session: AsyncSession, user_id: int, *, days: int,
                 now: datetime) -> tuple[WebappShare, str]:
    """A new link (the row and its token, which is not stored)."""
    if not 1 <= days <= MAX_DAYS:
        raise Refusal("share_days", limit=MAX_DAYS)
    active = await session.scalar(select(func.count()).select_from(WebappShare).where(
        WebappShare.user_id == user_id, WebappShare.revoked_at.is_(None),
        WebappShare.expires_at > now))
    if int(active or 0) >= MAX_ACTIVE:
        raise Refusal("shares_full", limit=MAX_ACTIVE)
    token = secrets.token_urlsafe(24)
    share = WebappShare(user_id=user_id, token_hash=token_hash(token), created_at=now,
                        expires_at=now + timedelta(days=days))
    session.add(share)
    await session.flush()
    audit.record(session, "share.created", actor_id=user_id, share_id=share.id, days=days)
    return share, token


async def of_user(session: AsyncSession, user_id: int) -> list[WebappShare]:
    """The user's links, newest first."""
    return list((await session.scalars(select(WebappShare).where(
        WebappShare.user_id == user_id).order_by(WebappShare.id.desc()))).all())


async def revoke(session: AsyncSession, user_id: int, share_id: int, *,
                 now: datetime) -> WebappShare:
    share = await session.get(WebappShare, share_id)
    if share is None or share.user_id != user_id:
        raise Refusal("share_unknown")
    if share.revoked_at is None:
        share.revoked_at = now
        audit.record(session, "share.revoked", actor_id=user_id, share_id=share.id)
    return share


async def opened(session: AsyncSession, token: str, *, now: datetime) -> int:
    """Whose e-profile the link `token` shows."""
    share = (await session.scalars(select(WebappShare).where(
        WebappShare.token_hash == token_hash(token)))).first()
    if share is None:
        raise Refusal("share_unknown")
    if share.revoked_at is not None or share.expires_at <= now:
        raise Refusal("share_gone")
    return share.user_id
