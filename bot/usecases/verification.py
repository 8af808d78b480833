"""Verifying hours: requests to organizers, decisions, the /pending queue, the daily digest
and the weekly reminder of entries that wait too long.

The rules of who hears about a new entry live here: its organisation's organizers (never
the pupil themself), one request each, unless more than `DIGEST_AFTER` entries of that
organisation arrived in a day (the daily digest carries them then). Requests, outcomes
and digests are queued in the outbox (bot/delivery/kinds.py) and rendered when sent.

The /pending queue is one paged list; every action on it (approve, reject, approve a
page's entries with some left out) returns the list as it is afterwards (`QueueResult`),
so the handler redraws it in place. A press that comes too late (the entry was decided
meanwhile, by a double tap or another organizer) changes nothing and says so; approving
several entries goes through the digest's rules (bot/services/verification_digests.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import kinds
from bot.services import hours, verification_digests, verification_queue
from bot.services.badges import award_automatic
from bot.services.errors import Refusal
from bot.services.follows import quiet_until
from bot.services.orgs import organizer_ids
from bot.storage.db import Database
from bot.storage.models import EntryStatus, HourEntry, Organisation, User, utcnow

# More pending entries than this for one organisation in a day: no more single requests,
# the daily digest carries them.
DIGEST_AFTER = 5
PENDING_SHOWN = 20  # the Mini App's queue lists at most this many
# A press on the queue that came too late: told, and the list redrawn as it is now.
STALE = ("already_decided", "entry_unknown")


@dataclass(frozen=True)
class EntryView:
    """An hour entry as an organizer or its pupil sees it."""

    id: int
    pupil: str  # the full name the school knows, else the Telegram name
    organisation: str
    activity: str
    day: date
    minutes: int
    note: str | None
    photo_file_id: str | None
    status: str
    reason: str | None
    school_class: str | None = None  # the pupil's class ("8B"), if the school knows it
    school: str | None = None  # the pupil's school, if known

    @property
    def approved(self) -> bool:
        return self.status == EntryStatus.APPROVED.value


@dataclass(frozen=True)
class DigestView:
    id: int
    entries: tuple[EntryView, ...]


async def _views(session: AsyncSession, entries: Sequence[HourEntry]) -> tuple[EntryView, ...]:
    who = await verification_queue.identities(session, entries)
    views = []
    for entry in entries:
        organisation = await session.get(Organisation, entry.organisation_id)
        views.append(EntryView(
            id=entry.id, pupil=who[entry.id].full_name,
            organisation=organisation.name if organisation else "?", activity=entry.activity,
            day=entry.day, minutes=entry.minutes, note=entry.note,
            photo_file_id=entry.photo_file_id, status=entry.status, reason=entry.reason,
            school_class=who[entry.id].school_class, school=who[entry.id].school))
    return tuple(views)


async def _view(session: AsyncSession, entry: HourEntry) -> EntryView:
    return (await _views(session, [entry]))[0]


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
    pupil: str  # the full name the school knows, else Telegram's first name
    school_class: str | None  # the pupil's class in the entry's school year, if any
    organisation: str
    organisation_id: int
    activity: str
    day: date
    minutes: int
    note: str | None
    has_photo: bool


async def pending_queue(db: Database, organizer_id: int) -> list[QueuedEntry]:
    """What waits for `organizer_id`, oldest first (at most `PENDING_SHOWN`), with each
    pupil's full name and class (as /pending shows them)."""
    async with db.transaction() as session:
        waiting = await hours.pending_for(session, organizer_id, limit=PENDING_SHOWN)
        return [QueuedEntry(view.id, view.pupil, view.school_class, view.organisation,
                            entry.organisation_id, view.activity, view.day, view.minutes,
                            view.note, view.photo_file_id is not None)
                for entry, view in zip(waiting, await _views(session, waiting), strict=True)]


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


# -- the /pending queue


@dataclass(frozen=True)
class QueuePage:
    entries: tuple[EntryView, ...]
    page: int  # 0-based
    pages: int
    total: int  # entries waiting in all
    organisations: tuple[str, ...]  # the ones the organizer organizes

    @property
    def first(self) -> int:
        """The number the page's first entry has in the whole list (1-based)."""
        return self.page * verification_queue.PAGE_SIZE + 1


@dataclass(frozen=True)
class BulkChoice:
    """The confirmation of "Approve these N": the listed entries that still wait, each with
    its position in the list (what `left_out`, a mask of positions, counts)."""

    digest: int
    left_out: int
    entries: tuple[tuple[int, EntryView], ...]

    def is_left_out(self, position: int) -> bool:
        return verification_digests.left_out_of(self.left_out, position)

    @property
    def chosen(self) -> int:
        return sum(1 for position, _entry in self.entries if not self.is_left_out(position))


@dataclass(frozen=True)
class QueueResult:
    """The queue after an action, and what the action did."""

    page: QueuePage
    decided: EntryView | None = None  # the entry this press decided
    approved: int | None = None  # how many "Approve these N" approved
    rejecting: EntryView | None = None  # choose the reason to reject this one
    bulk: BulkChoice | None = None  # confirm "Approve these N"
    stale: Refusal | None = None  # the press came too late: why nothing changed


async def _queue_page(session: AsyncSession, organizer_id: int, page: int) -> QueuePage:
    found = await verification_queue.page_of(session, organizer_id, page)
    return QueuePage(entries=await _views(session, found.entries), page=found.page,
                     pages=found.pages, total=found.total,
                     organisations=tuple(await verification_queue.organisations_of(
                         session, organizer_id)))


async def queue(db: Database, organizer_id: int, page: int = 0) -> QueuePage:
    """/pending: page `page` of what waits for `organizer_id`, oldest first."""
    async with db.transaction() as session:
        return await _queue_page(session, organizer_id, page)


async def queue_photo(db: Database, entry_id: int, organizer_id: int) -> EntryView:
    """The entry whose photo an organizer asked for; a `Refusal` unless they may decide
    it (its organisation's organizer, not its pupil)."""
    async with db.transaction() as session:
        entry = await hours.decider_check(session, entry_id, organizer_id)
        return await _view(session, entry)


async def queue_decide(db: Database, entry_id: int, organizer_id: int, *, page: int,
                       approve: bool, reason: str | None = None) -> QueueResult:
    """Approve or reject an entry from the queue, then the queue as it is now. A `Refusal`
    if the organizer may not; a press that came too late changes nothing (`stale`)."""
    async with db.transaction() as session:
        decided, stale = None, None
        try:
            async with session.begin_nested():
                entry = await hours.decide(session, entry_id, organizer_id=organizer_id,
                                           approve=approve, reason=reason)
        except Refusal as refusal:
            if refusal.code not in STALE:
                raise
            stale = refusal
        else:
            await _decided(session, entry)
            decided = await _view(session, entry)
        return QueueResult(await _queue_page(session, organizer_id, page), decided=decided,
                           stale=stale)


async def queue_reject(db: Database, entry_id: int, organizer_id: int,
                       page: int) -> QueueResult:
    """Reject pressed in the queue: the entry to choose a reason for (`rejecting`), or,
    when it was decided meanwhile, the queue as it is now (`stale`)."""
    async with db.transaction() as session:
        rejecting, stale = None, None
        try:
            entry = await hours.decider_check(session, entry_id, organizer_id)
        except Refusal as refusal:
            if refusal.code not in STALE:
                raise
            stale = refusal
        else:
            if entry.status != EntryStatus.PENDING.value:
                stale = Refusal("already_decided", status=entry.status)
            else:
                rejecting = await _view(session, entry)
        return QueueResult(await _queue_page(session, organizer_id, page),
                           rejecting=rejecting, stale=stale)


async def _bulk_choice(session: AsyncSession, digest_id: int, organizer_id: int,
                       left_out: int) -> BulkChoice | None:
    listed = await verification_digests.listed(session, digest_id, organizer_id)
    if listed is None:
        return None
    views = await _views(session, [entry for _position, entry in listed])
    return BulkChoice(digest=digest_id, left_out=left_out, entries=tuple(
        (position, view) for (position, _entry), view in zip(listed, views, strict=True)))


async def queue_bulk(db: Database, organizer_id: int, page: int) -> QueueResult:
    """"Approve these N" under a page: the confirmation listing the page's entries (none
    left out yet). The list is recorded, so confirming approves exactly these."""
    async with db.transaction() as session:
        found = await verification_queue.page_of(session, organizer_id, page)
        choice = None
        if found.entries:
            digest_id = await verification_digests.record(session, organizer_id, found.entries)
            choice = await _bulk_choice(session, digest_id, organizer_id, 0)
        return QueueResult(await _queue_page(session, organizer_id, found.page), bulk=choice)


async def queue_bulk_view(db: Database, digest_id: int, organizer_id: int, left_out: int,
                          page: int) -> QueueResult | None:
    """The confirmation with `left_out` (a mask of positions) left out; None: no such
    list. When none of its entries waits any more, the queue as it is now (`stale`)."""
    async with db.transaction() as session:
        choice = await _bulk_choice(session, digest_id, organizer_id, left_out)
        if choice is None:
            return None
        current = await _queue_page(session, organizer_id, page)
        if not choice.entries:
            return QueueResult(current, stale=Refusal("queue_decided"))
        return QueueResult(current, bulk=choice)


async def queue_bulk_approve(db: Database, digest_id: int, organizer_id: int, left_out: int,
                             page: int) -> QueueResult | None:
    """Approve the list's entries that still wait, except those `left_out`; then the queue
    as it is now. None: no such list. A double tap approves nothing more (`stale`)."""
    async with db.transaction() as session:
        decided = await verification_digests.approve(session, digest_id, organizer_id,
                                                     left_out=left_out)
        if decided is None:
            return None
        for entry in decided:
            await _decided(session, entry)
        return QueueResult(await _queue_page(session, organizer_id, page),
                           approved=len(decided),
                           stale=None if decided else Refusal("queue_decided"))


# -- the reminder of entries waiting more than a week


async def queue_reminders(db: Database, now: datetime | None = None) -> int:
    """Queue one reminder to each organizer whose entries wait more than a week, at most
    once a week each and never in the quiet hours (then nothing is queued: a later run
    does it). The number queued."""
    now = now or utcnow()
    if quiet_until(now) is not None:
        return 0
    async with db.transaction() as session:
        queued = 0
        for organizer_id in await verification_queue.due_reminders(session, now):
            if await verification_queue.mark_reminded(session, organizer_id, now):
                queued += await kinds.enqueue(session, kinds.VERIFY_REMINDER,
                                              hours.today(now).isoformat(), chat_id=organizer_id)
        return queued


@dataclass(frozen=True)
class ReminderView:
    waiting_long: int  # entries waiting more than a week
    total: int  # entries waiting in all


async def reminder_view(db: Database, organizer_id: int,
                        now: datetime | None = None) -> ReminderView | None:
    """What the reminder says when it is sent; None when nothing waits that long any more,
    or when the outbox was held up into the quiet hours (then it is not sent)."""
    now = now or utcnow()
    if quiet_until(now) is not None:
        return None
    async with db.transaction() as session:
        long = await verification_queue.waiting_long(session, organizer_id, now)
        if not long:
            return None
        return ReminderView(long, await hours.pending_count(session, organizer_id))
