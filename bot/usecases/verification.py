"""Verifying hours: requests to organizers, decisions, /pending and the daily digest.

The rules of who hears about a new entry live here: its organisation's organizers (never
the pupil themself), one request each, unless more than `DIGEST_AFTER` entries of that
organisation arrived in a day (the daily digest carries them then). Requests, outcomes
and digests are queued in the outbox (bot/delivery/kinds.py) and rendered when sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import kinds
from bot.services import hours, schools, verification_digests
from bot.services.badges import award_automatic
from bot.services.errors import Refusal
from bot.services.orgs import organizer_ids
from bot.storage.db import Database
from bot.storage.models import EntryStatus, HourEntry, Organisation, User, utcnow

# More pending entries than this for one organisation in a day: no more single requests,
# the daily digest carries them.
DIGEST_AFTER = 5
PENDING_SHOWN = 20  # /pending lists at most this many


@dataclass(frozen=True)
class EntryView:
    """An hour entry as an organizer or its pupil sees it."""

    id: int
    pupil: str
    organisation: str
    activity: str
    day: date
    minutes: int
    note: str | None
    photo_file_id: str | None
    status: str
    reason: str | None

    @property
    def approved(self) -> bool:
        return self.status == EntryStatus.APPROVED.value


@dataclass(frozen=True)
class DigestView:
    id: int
    entries: tuple[EntryView, ...]


async def _view(session: AsyncSession, entry: HourEntry) -> EntryView:
    pupil = await session.get(User, entry.user_id) if entry.user_id else None
    organisation = await session.get(Organisation, entry.organisation_id)
    return EntryView(
        id=entry.id, pupil=pupil.first_name if pupil else "?",
        organisation=organisation.name if organisation else "?", activity=entry.activity,
        day=entry.day, minutes=entry.minutes, note=entry.note,
        photo_file_id=entry.photo_file_id, status=entry.status, reason=entry.reason)


async def _views(session: AsyncSession, entries: Sequence[HourEntry]) -> tuple[EntryView, ...]:
    return tuple([await _view(session, entry) for entry in entries])


async def queue_requests(session: AsyncSession, entry: HourEntry) -> int:
    """In the caller's transaction (the one that stored `entry`): queue a verification
    request to each organizer of its organisation, unless the digest will carry it.
    The number of requests queued."""
    if entry.status != EntryStatus.PENDING.value:
        return 0
    since = utcnow() - timedelta(days=1)
    waiting = await session.scalar(select(func.count()).select_from(HourEntry).where(
        HourEntry.organisation_id == entry.organisation_id,
        HourEntry.status == EntryStatus.PENDING.value, HourEntry.created_at >= since))
    if int(waiting or 0) > DIGEST_AFTER:
        return 0
    queued = 0
    for organizer in await organizer_ids(session, entry.organisation_id):
        if organizer != entry.user_id:
            queued += await kinds.enqueue(session, kinds.VERIFY_REQUEST, entry.id,
                                          chat_id=organizer)
    return queued


async def request_view(db: Database, entry_id: int) -> EntryView | None:
    """What a verification request shows when it is sent; None once the entry is no
    longer pending (decided or deleted meanwhile): then it is not sent."""
    async with db.transaction() as session:
        entry = await session.get(HourEntry, entry_id)
        if entry is None or entry.status != EntryStatus.PENDING.value:
            return None
        return await _view(session, entry)


async def outcome_view(db: Database, entry_id: int) -> EntryView | None:
    """What the pupil's outcome message shows; None unless the entry is decided and
    still has its pupil."""
    async with db.transaction() as session:
        entry = await session.get(HourEntry, entry_id)
        if entry is None or entry.user_id is None or \
                entry.status == EntryStatus.PENDING.value:
            return None
        return await _view(session, entry)


async def _decided(session: AsyncSession, entry: HourEntry) -> None:
    """What follows a decision, in its transaction: the badges approved hours earn, and
    the pupil's outcome message."""
    if entry.user_id is None:
        return
    if entry.status == EntryStatus.APPROVED.value:
        await award_automatic(session, entry.user_id, entry.decided_at or utcnow())
    await kinds.enqueue(session, kinds.VERIFY_OUTCOME, entry.id, chat_id=entry.user_id)


async def decide(db: Database, entry_id: int, organizer_id: int, *, approve: bool,
                 reason: str | None = None) -> EntryView:
    """Approve or reject an entry as `organizer_id` (a `Refusal` if they may not, or it
    was decided already); the pupil hears the outcome through the outbox."""
    async with db.transaction() as session:
        entry = await hours.decide(session, entry_id, organizer_id=organizer_id,
                                   approve=approve, reason=reason)
        await _decided(session, entry)
        return await _view(session, entry)


async def check_decider(db: Database, entry_id: int, organizer_id: int) -> None:
    """A `Refusal` unless `organizer_id` may decide the entry."""
    async with db.transaction() as session:
        await hours.decider_check(session, entry_id, organizer_id)


async def pending(db: Database, organizer_id: int) -> list[EntryView]:
    """What waits for `organizer_id`, oldest first (at most `PENDING_SHOWN`)."""
    async with db.transaction() as session:
        waiting = await hours.pending_for(session, organizer_id)
        return list(await _views(session, waiting[:PENDING_SHOWN]))


async def queue_digests(db: Database) -> int:
    """The daily digest: each organizer with something waiting gets one message listing
    it (queued now, rendered when sent). The number queued."""
    async with db.transaction() as session:
        organizers = (await session.scalars(
            select(User.id).where(User.role.in_(("organizer", "admin"))))).all()
        queued = 0
        for organizer_id in organizers:
            waiting = await hours.pending_for(session, organizer_id)
            if not waiting:
                continue
            digest_id = await verification_digests.record(session, organizer_id, waiting)
            queued += await kinds.enqueue(session, kinds.VERIFY_DIGEST, digest_id,
                                          chat_id=organizer_id)
        return queued


async def digest_view(db: Database, digest_id: int, organizer_id: int) -> DigestView | None:
    """What a digest lists when it is sent: its entries that still wait; None if none."""
    async with db.transaction() as session:
        waiting = await verification_digests.waiting(session, digest_id, organizer_id)
        if not waiting:
            return None
        return DigestView(digest_id, await _views(session, waiting))


async def digest_waiting(db: Database, digest_id: int, organizer_id: int) -> int | None:
    """How many entries "Approve all" under a digest would approve now; None: no such
    digest. A `Refusal` if it is not `organizer_id`'s."""
    async with db.transaction() as session:
        waiting = await verification_digests.waiting(session, digest_id, organizer_id)
        return None if waiting is None else len(waiting)


async def approve_digest(db: Database, digest_id: int, organizer_id: int) -> int | None:
    """Approve what the digest listed and still waits; how many were approved (None: no
    such digest). Each pupil hears the outcome through the outbox."""
    async with db.transaction() as session:
        decided = await verification_digests.approve(session, digest_id, organizer_id)
        if decided is None:
            return None
        for entry in decided:
            await _decided(session, entry)
        return len(decided)


@dataclass(frozen=True)
class QueuedEntry:
    """An entry waiting for an organizer, as the Mini App's queue lists it."""

    id: int
    pupil: str  # the full name when given, else Telegram's first name
    school_class: str | None  # the pupil's class at that school in the entry's year
    organisation: str
    organisation_id: int
    activity: str
    day: date
    minutes: int
    note: str | None
    has_photo: bool


async def pending_queue(db: Database, organizer_id: int) -> list[QueuedEntry]:
    """What waits for `organizer_id`, oldest first (at most `PENDING_SHOWN`), with each
    pupil's full name and class."""
    async with db.transaction() as session:
        waiting = (await hours.pending_for(session, organizer_id))[:PENDING_SHOWN]
        found = []
        for entry in waiting:
            pupil = await session.get(User, entry.user_id) if entry.user_id else None
            organisation = await session.get(Organisation, entry.organisation_id)
            year = hours.school_year(entry.day)[0].year
            school_class = (await schools.class_in(session, entry.organisation_id,
                                                   entry.user_id, year)
                            if entry.user_id else None)
            found.append(QueuedEntry(
                entry.id, (pupil.full_name or pupil.first_name) if pupil else "?",
                school_class, organisation.name if organisation else "?",
                entry.organisation_id, entry.activity, entry.day, entry.minutes, entry.note,
                entry.photo_file_id is not None))
        return found


async def decide_once(db: Database, entry_id: int, organizer_id: int, *, approve: bool,
                      reason: str | None = None) -> tuple[EntryView, bool]:
    """`decide`, safe to submit twice: an entry already decided the way asked is answered
    as it is, with True (nothing done again); decided the other way, a `Refusal`."""
    wanted = (EntryStatus.APPROVED if approve else EntryStatus.REJECTED).value
    async with db.transaction() as session:
        try:
            entry = await hours.decide(session, entry_id, organizer_id=organizer_id,
                                       approve=approve, reason=reason)
        except Refusal as refusal:
            if refusal.code != "already_decided" or refusal.params.get("status") != wanted:
                raise
            found = await session.get(HourEntry, entry_id)
            assert found is not None
            return await _view(session, found), True
        await _decided(session, entry)
        return await _view(session, entry), False
