"""Privacy for pupils, who are minors: everything stored about a user, and erasure.

`/mydata` sends `personal_data()` as JSON. `/forgetme` calls `forget()`: the profile, drafts,
searches, memberships and unverified entries are deleted; approved entries stay in the
organisation's reports, anonymised (no user id, no note, no photo).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    AuditEvent,
    BadgeAward,
    Certificate,
    EntryStatus,
    Follow,
    HourEntry,
    LogDraft,
    Membership,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    User,
    utcnow,
)
from bot.playlist_tables import Playlist, PlaylistMember
from bot.services import audit
from bot.services.badges import awards_of, fingerprint
from catalog.tables import SearchQuery


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def personal_data(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything Takas stores about `user_id`, as JSON-ready data."""
    user = await session.get(User, user_id)
    if user is None:
        return {"user": None}
    profile = {column: _plain(getattr(user, column)) for column in (
        "id", "first_name", "username", "language", "telegram_language", "role", "school",
        "grade", "municipality", "yearly_target_minutes", "created_at", "seen_at")}
    entries = (await session.execute(
        select(HourEntry, Organisation.name)
        .join(Organisation, Organisation.id == HourEntry.organisation_id)
        .where(HourEntry.user_id == user_id).order_by(HourEntry.day, HourEntry.id))).all()
    organisations = (await session.scalars(
        select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id))).all()
    searches = (await session.scalars(
        select(SearchQuery).where(SearchQuery.user_id == user_id)
        .order_by(SearchQuery.id))).all()
    draft = await session.get(LogDraft, user_id)
    earned = await awards_of(session, user_id, include_revoked=True)
    followed = (await session.scalars(select(Follow).where(Follow.user_id == user_id)
                                      .order_by(Follow.id))).all()
    joined = (await session.execute(
        select(Playlist.titles, Playlist.language, PlaylistMember.joined_at)
        .join(PlaylistMember, PlaylistMember.playlist_id == Playlist.id)
        .where(PlaylistMember.user_id == user_id).order_by(PlaylistMember.id))).all()
    return {
        "user": profile,
        "organizer_of": list(organisations),
        "hour_entries": [{
            "day": _plain(entry.day), "activity": entry.activity, "organisation": name,
            "minutes": entry.minutes, "status": entry.status, "note": entry.note,
            "photo": bool(entry.photo_file_id), "reason": entry.reason,
            "created_at": _plain(entry.created_at), "decided_at": _plain(entry.decided_at),
        } for entry, name in entries],
        "searches": [{"text": s.text, "at": _plain(s.created_at)} for s in searches],
        "following": [{"kind": f.kind, "what": f.label, "how_often": f.frequency}
                      for f in followed],
        "draft": draft.data if draft else None,
        "badges": [{"badge": item.badge.name, "organisation": item.organisation,
                    "awarded_at": _plain(item.award.issued_at), "minutes": item.award.minutes,
                    "revoked_at": _plain(item.award.revoked_at)} for item in earned],
        "playlists": [{"title": titles.get(language) or next(iter(titles.values()), ""),
                       "joined_at": _plain(at)} for titles, language, at in joined],
    }


async def forget(session: AsyncSession, user_id: int, now: datetime | None = None) -> int:
    """Erase `user_id`; returns how many approved entries were kept, anonymised."""
    now = now or utcnow()
    kept = await session.execute(
        update(HourEntry)
        .where(HourEntry.user_id == user_id, HourEntry.status == EntryStatus.APPROVED.value)
        .values(user_id=None, note=None, photo_file_id=None))
    await session.execute(delete(HourEntry).where(HourEntry.user_id == user_id))
    await session.execute(delete(LogDraft).where(LogDraft.user_id == user_id))
    # Certificates already handed out stay checkable, without a link to the account.
    await session.execute(update(Certificate).where(Certificate.user_id == user_id)
                          .values(user_id=None))
    # Badges handed out stay checkable (and revocable), without a link to the account:
    # the stored credential (whose salted identity hash a small id space would give away)
    # becomes its fingerprint, and the salt goes.
    for award in (await session.scalars(
            select(BadgeAward).where(BadgeAward.user_id == user_id))).all():
        award.user_id = None
        award.credential = fingerprint(award.credential) if award.credential else None
        award.details = {k: v for k, v in (award.details or {}).items() if k != "salt"}
    await session.execute(delete(Membership).where(Membership.user_id == user_id))
    await session.execute(delete(SearchQuery).where(SearchQuery.user_id == user_id))
    # Messages still waiting for them are not sent; follows, alerts, mutes and playlist
    # memberships go with the user row (ON DELETE CASCADE).
    await session.execute(delete(OutboxMessage).where(
        OutboxMessage.chat_id == user_id,
        OutboxMessage.status.in_((OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value))))
    await session.execute(delete(User).where(User.id == user_id))
    # The audit trail keeps what happened, no longer who it was.
    await session.execute(update(AuditEvent).where(AuditEvent.actor_id == user_id)
                          .values(actor_id=None))
    audit.record(session, "user.forgotten", actor_id=None, at=now)
    return int(kept.rowcount or 0)  # type: ignore[attr-defined]
