"""Privacy for pupils, who are minors: everything stored about a user, and erasure.

`/mydata` sends `personal_data()` as JSON. `/forgetme` runs `forget()` (the use case
bot/usecases/profile.py then empties SQLite's write-ahead log, whose bytes would keep the
erased rows): the profile, drafts, searches, follows, memberships and unverified entries are
deleted; approved entries stay in the organisation's reports, anonymised (no user id, note,
photo, nor an idempotency key derived from the id); a school's roster record stays on its
class list as "Former pupil #<n>" with those hours; certificates and badges stay checkable
without the name or a link to the account; the updates and messages that named the person
are blanked or deleted (bot/retention.py); where the person acted as an organizer, their id
is cleared from what they created or decided.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, cast, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import retention
from bot.services import audit, schools
from bot.services.badges import awards_of, fingerprint
from bot.storage.catalog_tables import SearchQuery
from bot.storage.models import (
    AuditEvent,
    Badge,
    BadgeAward,
    Broadcast,
    Certificate,
    CheckIn,
    ClassMember,
    EntryStatus,
    Follow,
    HourEntry,
    Invite,
    LogDraft,
    Membership,
    Organisation,
    Pupil,
    SchoolClass,
    User,
    utcnow,
)
from bot.storage.playlist_tables import Playlist, PlaylistMember
from bot.storage.web_tables import WebappShare


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
        "grade", "municipality", "yearly_target_minutes", "full_name", "target_reminders",
        "target_reminded_at", "pending_reminded_at", "created_at", "seen_at")}
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
    certificates = (await session.scalars(
        select(Certificate).where(Certificate.user_id == user_id)
        .order_by(Certificate.id))).all()
    links = (await session.scalars(select(WebappShare).where(WebappShare.user_id == user_id)
                                   .order_by(WebappShare.id))).all()
    joined = (await session.execute(
        select(Playlist.titles, Playlist.language, PlaylistMember.joined_at)
        .join(PlaylistMember, PlaylistMember.playlist_id == Playlist.id)
        .where(PlaylistMember.user_id == user_id).order_by(PlaylistMember.id))).all()
    return {
        "user": profile,
        "school_records": await _school_records(session, user_id),
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
        "certificates": [{"code": c.code, "learner": c.learner,
                          "approved_minutes": c.approved_minutes,
                          "issued_on": _plain(c.issued_on)} for c in certificates],
        # The Mini App's read-only links to the e-profile (their tokens are not stored).
        "shared_links": [{"created_at": _plain(link.created_at),
                          "expires_at": _plain(link.expires_at),
                          "revoked_at": _plain(link.revoked_at)} for link in links],
    }


async def _school_records(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
    """The user's roster records: the school, the name on its class lists, how the record
    became theirs, and their class in each school year."""
    records = (await session.execute(
        select(Pupil, Organisation.name).join(Organisation,
                                              Organisation.id == Pupil.organisation_id)
        .where(Pupil.user_id == user_id).order_by(Pupil.id))).all()
    found = []
    for pupil, school in records:
        classes = (await session.execute(
            select(SchoolClass.school_year, SchoolClass.grade, SchoolClass.letter)
            .join(ClassMember, ClassMember.class_id == SchoolClass.id)
            .where(ClassMember.pupil_id == pupil.id).order_by(SchoolClass.school_year))).all()
        found.append({
            "school": school, "full_name": pupil.full_name,
            # Added by a teacher and taken over with its claim code, or joined by a link.
            "claim": "claimed_with_code" if pupil.created_by is not None else "joined_by_link",
            "since": _plain(pupil.claimed_at or pupil.created_at),
            "classes": [{"school_year": f"{year}/{year + 1}", "class": f"{grade}{letter}"}
                        for year, grade, letter in classes]})
    return found


async def forget(session: AsyncSession, user_id: int, now: datetime | None = None) -> int:
    """Erase `user_id`; returns how many approved entries were kept, anonymised."""
    now = now or utcnow()
    user = await session.get(User, user_id)
    name = user.first_name if user is not None else None
    # Their place on school class lists stays, nameless, with the approved hours.
    await schools.forget_pupil(session, user_id)
    # Kept for the organisation's reports: no account, note, photo, nor the idempotency
    # key (it was derived from the account's id).
    kept = await session.execute(
        update(HourEntry)
        .where(HourEntry.user_id == user_id, HourEntry.status == EntryStatus.APPROVED.value)
        .values(user_id=None, note=None, photo_file_id=None,
                idempotency_key=literal("erased:").concat(cast(HourEntry.id, String))))
    await session.execute(delete(HourEntry).where(HourEntry.user_id == user_id))
    await session.execute(delete(LogDraft).where(LogDraft.user_id == user_id))
    # Certificates already handed out stay checkable: the code still proves the hours,
    # no longer whose they were.
    await session.execute(update(Certificate).where(Certificate.user_id == user_id)
                          .values(user_id=None, learner=""))
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
    await _forget_organizer(session, user_id)
    # Updates they sent and messages to them, whatever their state (bot/retention.py).
    await retention.erase_person(session, user_id, name)
    # Follows, alerts, mutes, playlist memberships, digests and the read-only links to the
    # e-profile go with the user row (ON DELETE CASCADE).
    await session.execute(delete(User).where(User.id == user_id))
    # The audit trail keeps what happened, no longer who it was.
    await session.execute(update(AuditEvent).where(AuditEvent.actor_id == user_id)
                          .values(actor_id=None))
    for event in (await session.scalars(select(AuditEvent).where(
            cast(AuditEvent.details, Text).like(f"%{user_id}%")))).all():
        event.details = {key: (None if value == user_id else value)
                         for key, value in (event.details or {}).items()}
    audit.record(session, "user.forgotten", actor_id=None, at=now)
    await session.flush()
    return int(kept.rowcount or 0)  # type: ignore[attr-defined]


async def _forget_organizer(session: AsyncSession, user_id: int) -> None:
    """Clear the person's id where they acted as an organizer; what they made stays for
    their organisation (0: a creator who erased their data, where a column needs a value)."""
    for column, value in ((HourEntry.decided_by, None), (Organisation.created_by, None),
                          (Badge.created_by, None), (BadgeAward.awarded_by, None),
                          (Broadcast.progress_chat_id, None), (Invite.created_by, 0),
                          (CheckIn.created_by, 0), (Broadcast.author_id, 0),
                          (Playlist.created_by, 0), (SchoolClass.created_by, 0),
                          (Pupil.created_by, 0)):
        await session.execute(update(column.class_).where(column == user_id)
                              .values({column.key: value})
                              .execution_options(synchronize_session=False))

