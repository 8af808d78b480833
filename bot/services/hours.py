"""Volunteering hours: log them, verify them, sum them by school year.

Rules (each refusal is a `Refusal` with a code the handlers translate):
- an entry is more than 0 and at most 24 hours, and a pupil's entries of one day add up to
  at most 24 hours (rejected entries do not count);
- the day is not in the future and not before the previous school year began;
- the activity text is non-empty and at most 300 characters; the organisation exists;
- the same confirmation (idempotency key) never creates a second entry;
- only organizers of the entry's organisation decide, never on their own hours, and only
  a pending entry can be decided: of two organizers pressing Approve at once, one wins;
- every state change is written to the audit trail;
- approved hours may earn badges: the use cases that approve them (bot/usecases/
  verification.py, checkins.py) award them in the same transaction; this module never
  imports the badges.

The school year runs from 1 September to 31 August.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import bot.storage.playlist_tables  # noqa: F401  (hour_entries refers to playlist_items)
from bot.services import audit
from bot.services.errors import Refusal
from bot.services.exports import ExportRow
from bot.services.orgs import is_organizer
from bot.storage.dbtools import lock_row
from bot.storage.models import EntryStatus, HourEntry, Membership, Organisation, User, utcnow

LOCAL = ZoneInfo("Europe/Vilnius")  # Lithuania, Latvia and Estonia share this offset
DAY_MINUTES = 24 * 60
MAX_ACTIVITY = 300
MAX_NOTE = 1000


def school_year(day: date) -> tuple[date, date]:
    """First and last day of the school year `day` falls in."""
    first = date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    return first, date(first.year + 1, 8, 31)


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL).date()


def check_day(day: date, now: datetime | None = None) -> None:
    """Refuse a day in the future or before the previous school year began (also asked
    where the day is typed, so the pupil hears it at that step)."""
    current = today(now)
    if day > current:
        raise Refusal("day_future")
    earliest = school_year(date(school_year(current)[0].year - 1, 9, 1))[0]
    if day < earliest:
        raise Refusal("day_too_old", earliest=earliest)


@dataclass(frozen=True)
class NewEntry:
    user_id: int
    organisation_id: int
    activity: str
    day: date
    minutes: int
    key: str  # idempotency key: the same key never makes a second entry
    note: str | None = None
    photo_file_id: str | None = None
    opportunity_id: int | None = None
    checkin_id: int | None = None
    playlist_item_id: int | None = None  # a learning-playlist activity
    approved_by: int | None = None  # a check-in code verifies at once


async def validate(session: AsyncSession, entry: NewEntry, now: datetime) -> None:
    """Raise `Refusal` for anything the rules forbid (see the module docstring)."""
    activity = " ".join(entry.activity.split())
    if not activity:
        raise Refusal("activity_empty")
    if len(activity) > MAX_ACTIVITY:
        raise Refusal("activity_long", limit=MAX_ACTIVITY)
    if entry.note and len(entry.note) > MAX_NOTE:
        raise Refusal("note_long", limit=MAX_NOTE)
    if not 0 < entry.minutes <= DAY_MINUTES:
        raise Refusal("hours_range")
    check_day(entry.day, now)
    if await session.get(Organisation, entry.organisation_id) is None:
        raise Refusal("org_unknown")
    logged = await session.scalar(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.user_id == entry.user_id, HourEntry.day == entry.day,
            HourEntry.status != EntryStatus.REJECTED.value))
    if int(logged or 0) + entry.minutes > DAY_MINUTES:
        raise Refusal("day_full", logged=int(logged or 0))


async def log_entry(session: AsyncSession, entry: NewEntry,
                    now: datetime | None = None) -> tuple[HourEntry, bool]:
    """Store `entry`; returns (the entry, whether it is new). A repeated key returns the
    entry stored the first time, so double taps and redelivered updates are harmless."""
    now = now or utcnow()
    existing = await _by_key(session, entry.key)
    if existing is not None:
        return existing, False
    # Serialise one pupil's logging so the per-day cap holds across processes: the sum
    # in `validate` and the insert below run under the pupil's row lock.
    await lock_row(session, User.id, entry.user_id, User.role)
    existing = await _by_key(session, entry.key)  # a twin may have committed meanwhile
    if existing is not None:
        return existing, False
    await validate(session, entry, now)
    approved = entry.approved_by is not None
    row = HourEntry(
        user_id=entry.user_id, organisation_id=entry.organisation_id,
        opportunity_id=entry.opportunity_id, checkin_id=entry.checkin_id,
        playlist_item_id=entry.playlist_item_id,
        activity=" ".join(entry.activity.split()), day=entry.day, minutes=entry.minutes,
        note=(entry.note or None), photo_file_id=entry.photo_file_id,
        status=(EntryStatus.APPROVED if approved else EntryStatus.PENDING).value,
        decided_by=entry.approved_by, decided_at=now if approved else None,
        idempotency_key=entry.key, created_at=now,
    )
    try:
        async with session.begin_nested():  # a concurrent twin may insert the key first
            session.add(row)
    except IntegrityError:
        twin = await _by_key(session, entry.key)
        if twin is None:
            raise
        return twin, False
    audit.record(session, "entry.logged", actor_id=entry.user_id, entry_id=row.id,
                 organisation_id=row.organisation_id, at=now, minutes=row.minutes,
                 status=row.status)
    # A check-in's hours are verified at once and may earn a badge: the use case that
    # stored them awards it (bot/usecases), so this module never imports the badges.
    return row, True


async def _by_key(session: AsyncSession, key: str) -> HourEntry | None:
    return (await session.scalars(
        select(HourEntry).where(HourEntry.idempotency_key == key))).first()


async def decider_check(session: AsyncSession, entry_id: int, organizer_id: int) -> HourEntry:
    """The entry, if `organizer_id` may decide it (an organizer of its organisation, not
    its pupil); otherwise a `Refusal`. Every step of a decision asks, not only the last."""
    entry = await session.get(HourEntry, entry_id)
    if entry is None:
        raise Refusal("entry_unknown")
    if not await is_organizer(session, organizer_id, entry.organisation_id):
        raise Refusal("not_your_org")
    if entry.user_id == organizer_id:
        raise Refusal("own_hours")
    return entry


async def decide(session: AsyncSession, entry_id: int, *, organizer_id: int, approve: bool,
                 reason: str | None = None, now: datetime | None = None) -> HourEntry:
    """Approve or reject a pending entry as `organizer_id`."""
    now = now or utcnow()
    entry = await decider_check(session, entry_id, organizer_id)
    status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    result = await session.execute(
        update(HourEntry)
        .where(HourEntry.id == entry_id, HourEntry.status == EntryStatus.PENDING.value)
        .values(status=status.value, decided_by=organizer_id, decided_at=now,
                reason=(reason or None))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(entry)
        raise Refusal("already_decided", status=entry.status)
    await session.refresh(entry)
    audit.record(session, f"entry.{status.value}", actor_id=organizer_id, entry_id=entry_id,
                 organisation_id=entry.organisation_id, at=now, reason=reason)
    return entry  # the badges approved hours earn: awarded by the use case (bot/usecases)


def _pending_of(organizer_id: int) -> Select[HourEntry]:
    """Pending entries of every organisation `organizer_id` organizes, never their own,
    oldest first: what they may decide."""
    orgs = select(Membership.organisation_id).where(Membership.user_id == organizer_id)
    return (select(HourEntry).where(HourEntry.status == EntryStatus.PENDING.value,
                                    HourEntry.organisation_id.in_(orgs),
                                    HourEntry.user_id != organizer_id)
            .order_by(HourEntry.created_at, HourEntry.id))


async def pending_for(session: AsyncSession, organizer_id: int, *,
                      ids: Collection[int] | None = None, offset: int = 0,
                      limit: int | None = None) -> list[HourEntry]:
    """What `organizer_id` may decide now, oldest first; only `ids` when given, and the
    `limit` entries after the first `offset` (a page of /pending)."""
    query = _pending_of(organizer_id)
    if ids is not None:
        query = query.where(HourEntry.id.in_(list(ids)))
    query = query.offset(offset).limit(limit)
    return list((await session.scalars(query)).all())


async def pending_count(session: AsyncSession, organizer_id: int, *,
                        logged_before: datetime | None = None) -> int:
    """How many entries `organizer_id` may decide; with `logged_before`, only those logged
    before it (waiting since then)."""
    query = _pending_of(organizer_id).order_by(None)
    if logged_before is not None:
        query = query.where(HourEntry.created_at < logged_before)
    return int(await session.scalar(
        select(func.count()).select_from(query.subquery())) or 0)


@dataclass
class YearTotals:
    first: date
    last: date
    approved: int = 0  # minutes
    pending: int = 0
    by_organisation: dict[str, list[int]] = field(default_factory=dict)  # name -> [ok, wait]
    # Approved minutes by the kind of the catalog opportunity ("other": not from the catalog)
    by_kind: dict[str, int] = field(default_factory=dict)
    # The yearly target of an organisation the pupil logged with (a school's target)
    organisation_target: int | None = None


async def totals(session: AsyncSession, user_id: int) -> list[YearTotals]:
    """Approved and pending minutes per school year (newest first) and organisation."""
    from bot.storage.catalog_tables import Opportunity

    query = (select(HourEntry.day, HourEntry.minutes, HourEntry.status, Organisation.name,
                    Organisation.yearly_target_minutes, Opportunity.kind)
             .join(Organisation, Organisation.id == HourEntry.organisation_id)
             .outerjoin(Opportunity, Opportunity.id == HourEntry.opportunity_id)
             .where(HourEntry.user_id == user_id,
                    HourEntry.status != EntryStatus.REJECTED.value)
             .order_by(HourEntry.day))
    years: dict[date, YearTotals] = {}
    rows = (await session.execute(query)).all()
    for day, minutes, status, organisation, target, kind in rows:
        first, last = school_year(day)
        year = years.setdefault(first, YearTotals(first, last))
        both = year.by_organisation.setdefault(organisation, [0, 0])
        if target and year.organisation_target is None:
            year.organisation_target = target
        if status == EntryStatus.APPROVED.value:
            year.approved += minutes
            both[0] += minutes
            year.by_kind[kind or "other"] = year.by_kind.get(kind or "other", 0) + minutes
        else:
            year.pending += minutes
            both[1] += minutes
    return [years[first] for first in sorted(years, reverse=True)]


async def entries_of(session: AsyncSession, user_id: int) -> list[HourEntry]:
    query = (select(HourEntry).where(HourEntry.user_id == user_id)
             .order_by(HourEntry.day, HourEntry.id))
    return list((await session.scalars(query)).all())


async def entries_with_organisation(session: AsyncSession,
                                    user_id: int) -> list[tuple[HourEntry, str]]:
    """The pupil's entries with their organisation's name, newest day first."""
    query = (select(HourEntry, Organisation.name)
             .join(Organisation, Organisation.id == HourEntry.organisation_id)
             .where(HourEntry.user_id == user_id)
             .order_by(HourEntry.day.desc(), HourEntry.id.desc()))
    return [(entry, name) for entry, name in (await session.execute(query)).all()]


def group_by_status(entries: list[HourEntry]) -> dict[str, list[HourEntry]]:
    grouped: dict[str, list[HourEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.status].append(entry)
    return grouped


async def export_rows(session: AsyncSession, user_id: int) -> list[ExportRow]:
    """The pupil's entries, with organisation and verifier names, for /export."""
    from sqlalchemy.orm import aliased

    verifier = aliased(User)
    query = (select(HourEntry, Organisation.name, verifier.first_name)
             .join(Organisation, Organisation.id == HourEntry.organisation_id)
             .outerjoin(verifier, verifier.id == HourEntry.decided_by)
             .where(HourEntry.user_id == user_id).order_by(HourEntry.day, HourEntry.id))
    return [ExportRow(day=entry.day, activity=entry.activity, organisation=organisation,
                      minutes=entry.minutes, status=entry.status, verified_by=name,
                      note=entry.note)
            for entry, organisation, name in (await session.execute(query)).all()]
