"""Alerts: after a sync, new opportunities reach the people who follow something they match.

`alert_new` matches the new opportunities against every follow (pure CPU work, in a thread
with no transaction open), records one alert per person and opportunity, and queues the
immediate ones in the outbox; `queue_digests` (every half hour) queues the daily and weekly
digests that are due. Alerts and digests are queued as a kind and a reference (the alert
ids) and rendered when sent, in the follower's language of that moment, never during
quiet hours (bot/services/follows.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import follows as rules
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import Alert, Follow, utcnow
from bot.text import is_row_id
from catalog.search.index import Index

ALERT = "alert_notice"  # ref: an alert's id; to its follower
DIGEST = "alert_digest"  # ref: the alert ids it lists, comma-separated; to their follower


@dataclass(frozen=True)
class Alerted:
    alerts: int  # new alerts recorded
    immediate: int  # of which queued now


@dataclass(frozen=True)
class AlertView:
    """One alert as its message shows it: the opportunity and what matched it."""

    opportunity_id: int
    follow_id: int | None
    label: str | None  # the follow's label; None when it was unfollowed meanwhile


async def alert_new(db: Database, index: Index, new_ids: set[int],
                    now: datetime | None = None) -> Alerted:
    """Match `new_ids` against every follow, record the alerts, queue the immediate ones.
    Two transactions: no transaction stays open while the matching runs in a thread."""
    if not new_ids:
        return Alerted(0, 0)
    async with db.transaction() as session:
        everything = list((await session.scalars(select(Follow))).all())
    if not everything:
        return Alerted(0, 0)
    found = await asyncio.to_thread(rules.matches, index, everything, new_ids)
    now = now or utcnow()
    async with db.transaction() as session:
        fresh = await rules.record_alerts(session, found, now)
        immediate = [a for a in fresh if a.frequency == "immediate"]
        await _queue_immediate(session, immediate, now)
    return Alerted(len(fresh), len(immediate))


async def queue_immediate(db: Database, alert_ids: Sequence[int], now: datetime) -> int:
    """Queue these immediate alerts (after the quiet hours if `now` is in them)."""
    async with db.transaction() as session:
        alerts = list((await session.scalars(
            select(Alert).where(Alert.id.in_(list(alert_ids))))).all())
        return await _queue_immediate(session, alerts, now)


async def _queue_immediate(session: AsyncSession, alerts: Sequence[Alert],
                           now: datetime) -> int:
    if not alerts:
        return 0
    not_before = rules.quiet_until(now) or now
    queued = 0
    for alert in alerts:
        queued += await outbox.enqueue(
            session, dedupe_key=f"alert:{alert.user_id}:{alert.opportunity_id}",
            chat_id=alert.user_id, kind=ALERT, text=str(alert.id), not_before=not_before,
            priority=0)
    # Exactly these (user, opportunity) pairs: a separate IN on users and on opportunities
    # would also mark someone's digest alert for another opportunity.
    pairs = [(a.user_id, a.opportunity_id) for a in alerts]
    await session.execute(update(Alert).where(
        tuple_(Alert.user_id, Alert.opportunity_id).in_(pairs),
        Alert.queued_at.is_(None)).values(queued_at=now))
    return queued


async def queue_digests(db: Database, now: datetime | None = None) -> int:
    """Queue the daily and weekly digests that are due; how many."""
    now = now or utcnow()
    queued = 0
    async with db.transaction() as session:
        due = await rules.due_digests(session, now)
        for user_id, alerts in due.items():
            ids = ",".join(str(a.id) for a in alerts)
            queued += await outbox.enqueue(
                session, dedupe_key=f"digest:{user_id}:{now.date().isoformat()}",
                chat_id=user_id, kind=DIGEST, text=ids)
            await session.execute(update(Alert).where(
                Alert.id.in_([a.id for a in alerts])).values(queued_at=now))
    return queued


async def alert_views(db: Database, user_id: int, ref: str) -> list[AlertView]:
    """The alerts of `user_id` a row refers to (an id, or comma-separated ids), in order;
    those deleted meanwhile (the follower left with /forgetme) are left out."""
    ids = [int(part) for part in ref.split(",") if is_row_id(part)]
    if not ids:
        return []
    async with db.transaction() as session:
        rows = (await session.execute(
            select(Alert, Follow.label).outerjoin(Follow, Follow.id == Alert.follow_id)
            .where(Alert.id.in_(ids), Alert.user_id == user_id).order_by(Alert.id))).all()
        return [AlertView(alert.opportunity_id, alert.follow_id, label)
                for alert, label in rows]

