"""Broadcasts: organizers announce to the people who follow their organisation, a town it
serves, or the pupils who logged hours with it. Only organizers and admins broadcast; each
organisation sends at most `DAILY_LIMIT` a day; muted and unreachable people are skipped.
Queuing the announcements is the use case's (bot/usecases/broadcasts.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import Refusal
from bot.services.orgs import is_organizer, organisations_of
from bot.storage import outbox
from bot.storage.dbtools import insert_for, lock_row
from bot.storage.models import Broadcast, Follow, HourEntry, Mute, Organisation, User, utcnow
from catalog.search.normalize import fold

DAILY_LIMIT = 3
AUDIENCES = ("followers", "town", "pupils")
MAX_TEXT = 3500  # leaves room for the heading within Telegram's 4096


async def may_broadcast(session: AsyncSession, user_id: int, *, is_admin: bool) -> list[int]:
    """The organisations `user_id` may broadcast for (admins: all)."""
    if is_admin:
        return list((await session.scalars(select(Organisation.id))).all())
    return [o.id for o in await organisations_of(session, user_id)]


async def start(session: AsyncSession, author_id: int, organisation_id: int, *,
                is_admin: bool) -> Broadcast:
    if not is_admin and not await is_organizer(session, author_id, organisation_id):
        raise Refusal("not_your_org")
    await session.execute(update(Broadcast).where(
        Broadcast.author_id == author_id, Broadcast.status == "draft").values(status="dropped"))
    draft = Broadcast(organisation_id=organisation_id, author_id=author_id)
    session.add(draft)
    await session.flush()
    return draft


async def draft_of(session: AsyncSession, author_id: int) -> Broadcast | None:
    return (await session.scalars(select(Broadcast).where(
        Broadcast.author_id == author_id, Broadcast.status == "draft")
        .order_by(Broadcast.id.desc()))).first()


def choose_audience(broadcast: Broadcast, audience: str, value: str | None,
                    served_towns: Collection[str]) -> None:
    """Set the draft's audience. A town must be one the organisation serves (has catalog
    opportunities in): the buttons offer only those, and forged data must not reach the
    followers of any other town."""
    if audience not in AUDIENCES:
        raise Refusal("broadcast_unknown")
    if audience == "town" and value not in served_towns:
        raise Refusal("town_not_served")
    broadcast.audience = audience
    broadcast.audience_value = value if audience == "town" else None


async def audience(session: AsyncSession, broadcast: Broadcast) -> list[int]:
    """Chat ids of the recipients: followers, a town's followers or the pupils."""
    organisation = await session.get(Organisation, broadcast.organisation_id)
    if organisation is None or broadcast.audience not in AUDIENCES:
        return []
    if broadcast.audience == "pupils":
        query = select(HourEntry.user_id).distinct().where(
            HourEntry.organisation_id == organisation.id, HourEntry.user_id.is_not(None))
    elif broadcast.audience == "town":
        query = select(Follow.user_id).distinct().where(
            Follow.kind == "town", Follow.value == (broadcast.audience_value or ""))
    else:
        query = select(Follow.user_id).distinct().where(
            Follow.kind == "provider", Follow.value == fold(" ".join(organisation.name.split())))
    candidates = {uid for uid in (await session.scalars(query)).all() if uid is not None}
    muted = set((await session.scalars(select(Mute.user_id).where(
        Mute.organisation_id == organisation.id))).all())
    reachable = set((await session.scalars(select(User.id).where(
        User.id.in_(candidates), User.reachable.is_(True)))).all())
    return sorted((candidates & reachable) - muted - {broadcast.author_id})


async def sent_today(session: AsyncSession, organisation_id: int, now: datetime) -> int:
    return int(await session.scalar(select(func.count()).select_from(Broadcast).where(
        Broadcast.organisation_id == organisation_id,
        Broadcast.status.in_(("sending", "done", "cancelled")),
        Broadcast.confirmed_at >= now - timedelta(days=1))) or 0)


async def confirm(session: AsyncSession, broadcast: Broadcast,
                  now: datetime | None = None) -> list[int] | None:
    """Confirm the draft for sending: its recipients, to be queued by the caller in this
    transaction; None when it was confirmed already (a twin confirmation: nothing is
    queued twice). `broadcast_limit` when the organisation used up its day."""
    now = now or utcnow()
    # One confirmation of an organisation's broadcasts at a time, across processes: the
    # count below and the status change at the end run under the organisation's row
    # lock, and the draft is read again under it (a twin confirmation may have sent it).
    await lock_row(session, Organisation.id, broadcast.organisation_id, Organisation.name)
    await session.refresh(broadcast)
    if broadcast.status != "draft":
        return None
    if await sent_today(session, broadcast.organisation_id, now) >= DAILY_LIMIT:
        raise Refusal("broadcast_limit", limit=DAILY_LIMIT)
    recipients = await audience(session, broadcast)
    broadcast.status, broadcast.confirmed_at = "sending", now
    broadcast.recipients = len(recipients)
    return recipients


def delivered(counts: Mapping[str, int]) -> bool:
    """Whether nothing of a broadcast waits any more (its outbox rows by status)."""
    return counts.get("queued", 0) + counts.get("sending", 0) == 0


async def is_muted(session: AsyncSession, user_id: int, organisation_id: int) -> bool:
    return await session.scalar(select(Mute.id).where(
        Mute.user_id == user_id, Mute.organisation_id == organisation_id)) is not None


async def cancel(session: AsyncSession, broadcast_id: int, actor_id: int, *,
                 is_admin: bool) -> int:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise Refusal("broadcast_unknown")
    if broadcast.author_id != actor_id and not is_admin:
        raise Refusal("not_your_org")
    stopped = await outbox.cancel_broadcast(session, broadcast_id)  # what was not claimed
    if broadcast.status in ("sending", "draft"):
        broadcast.status = "cancelled"
    return stopped


async def mute(session: AsyncSession, user_id: int, organisation_id: int) -> None:
    insert = insert_for(session)
    await session.execute(insert(Mute).values(user_id=user_id, organisation_id=organisation_id,
                                              created_at=utcnow())
                          .on_conflict_do_nothing(index_elements=["user_id", "organisation_id"]))


async def active(session: AsyncSession) -> list[Broadcast]:
    return list((await session.scalars(
        select(Broadcast).where(Broadcast.status == "sending"))).all())
