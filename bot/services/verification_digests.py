"""Approving a listed set of entries together: exactly the entries the list showed.

Two lists use it: the daily verification digest's "Approve all", and "Approve these N"
under a page of /pending (where the organizer may leave some out: a mask of positions).
`record` stores the ids a list shows; its buttons carry the digest's id.
`waiting` is what the button would approve now (the listed entries that are still
pending and still the organizer's to decide), shown in a confirmation with their count;
`approve` approves those. An entry logged after the digest went out is never among them,
even when it got the id of a listed entry that was deleted (SQLite reuses the highest id
when that entry goes with /forgetme), and a double
tap approves each entry once (`hours.decide` lets only one decision through).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import hours
from bot.services.errors import Refusal
from bot.storage.models import HourEntry, VerificationDigest, utcnow


async def record(session: AsyncSession, organizer_id: int,
                 entries: Sequence[HourEntry]) -> int:
    """Remember what a digest to `organizer_id` lists; the digest's id."""
    digest = VerificationDigest(organizer_id=organizer_id,
                                entry_ids=[entry.id for entry in entries], created_at=utcnow())
    session.add(digest)
    await session.flush()
    return digest.id


async def listed(session: AsyncSession, digest_id: int,
                 organizer_id: int) -> list[tuple[int, HourEntry]] | None:
    """The digest's entries `organizer_id` may still approve, each with its position in
    the digest (what a "leave out" mask counts), in the digest's order; None when there is
    no such digest. Only the organizer it went to may use it."""
    digest = await session.get(VerificationDigest, digest_id)
    if digest is None:
        return None
    if digest.organizer_id != organizer_id:
        raise Refusal("not_your_org")
    positions = {int(entry_id): position for position, entry_id in enumerate(digest.entry_ids)}
    found = await hours.pending_for(session, organizer_id, ids=list(positions))
    # An id alone is not enough: SQLite gives a deleted row's id to the next entry.
    return sorted(((positions[entry.id], entry) for entry in found
                   if entry.created_at <= digest.created_at), key=lambda pair: pair[0])


def left_out_of(mask: int, position: int) -> bool:
    """Whether bit `position` of a "leave out" mask is set: that entry stays pending."""
    return bool(mask >> position & 1)


async def waiting(session: AsyncSession, digest_id: int, organizer_id: int,
                  left_out: int = 0) -> list[HourEntry] | None:
    """The digest's entries `organizer_id` may still approve, oldest first, without those
    the `left_out` mask names; None when there is no such digest."""
    found = await listed(session, digest_id, organizer_id)
    if found is None:
        return None
    return [entry for position, entry in found if not left_out_of(left_out, position)]


async def approve(session: AsyncSession, digest_id: int, organizer_id: int,
                  now: datetime | None = None, left_out: int = 0) -> list[HourEntry] | None:
    """Approve what `waiting` lists; the entries this call approved (an entry decided
    meanwhile, by a double tap or another organizer, is left out). None: no such digest."""
    entries = await waiting(session, digest_id, organizer_id, left_out)
    if entries is None:
        return None
    decided: list[HourEntry] = []
    for entry in entries:
        try:
            async with session.begin_nested():
                decided.append(await hours.decide(session, entry.id, organizer_id=organizer_id,
                                                  approve=True, now=now))
        except Refusal:
            continue
    return decided
