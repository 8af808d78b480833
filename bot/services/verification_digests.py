"""The daily verification digest's "Approve all": exactly the entries the digest listed.

`record` stores the ids a digest lists when it is sent; its button carries the digest's id.
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


async def waiting(session: AsyncSession, digest_id: int,
                  organizer_id: int) -> list[HourEntry] | None:
    """The digest's entries `organizer_id` may still approve, oldest first; None when
    there is no such digest. Only the organizer it went to may use it."""
    digest = await session.get(VerificationDigest, digest_id)
    if digest is None:
        return None
    if digest.organizer_id != organizer_id:
        raise Refusal("not_your_org")
    listed = {int(entry_id) for entry_id in digest.entry_ids}
    # An id alone is not enough: SQLite gives a deleted row's id to the next entry.
    return [entry for entry in await hours.pending_for(session, organizer_id)
            if entry.id in listed and entry.created_at <= digest.created_at]


async def approve(session: AsyncSession, digest_id: int, organizer_id: int,
                  now: datetime | None = None) -> list[HourEntry] | None:
    """Approve what `waiting` lists; the entries this call approved (an entry decided
    meanwhile, by a double tap or another organizer, is left out). None: no such digest."""
    entries = await waiting(session, digest_id, organizer_id)
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
