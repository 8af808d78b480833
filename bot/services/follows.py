"""Following: saved searches, organisations (catalog providers) and towns, and the alerts
new opportunities raise for their followers.

After every sync, `match_new()` finds the followers of each new opportunity through the same
search code path as the chat (a saved search matches when the opportunity is among the
query's accepted results), records at most one alert per person and opportunity, and
returns what is due now. Alerts for daily or weekly followers wait for their digest.
Nothing is sent during the user's quiet hours (21:00 to 08:00, Baltic time): messages
then wait in the outbox until the morning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import Refusal
from bot.storage.dbtools import insert_for
from bot.storage.models import Alert, Follow, User, utcnow
from catalog.search.engine import search
from catalog.search.index import Index
from catalog.search.normalize import fold

FREQUENCIES = ("immediate", "daily", "weekly")
MAX_FOLLOWS = 50
LOCAL = ZoneInfo("Europe/Vilnius")
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
DIGEST_AT = time(9, 0)


def quiet_until(now: datetime) -> datetime | None:
    """When the quiet hours around `now` end (None when it is not quiet now)."""
    local = now.astimezone(LOCAL)
    if local.time() >= QUIET_FROM:
        morning = datetime.combine(local.date() + timedelta(days=1), QUIET_UNTIL, LOCAL)
    elif local.time() < QUIET_UNTIL:
        morning = datetime.combine(local.date(), QUIET_UNTIL, LOCAL)
    else:
        return None
    return morning


async def follow(session: AsyncSession, user_id: int, kind: str, value: str, label: str,
                 frequency: str = "immediate") -> tuple[Follow, bool]:
    """Follow something; following it again is harmless. Returns (follow, created)."""
    if kind not in ("search", "provider", "town"):
        raise ValueError(kind)
    existing = (await session.scalars(select(Follow).where(
        Follow.user_id == user_id, Follow.kind == kind, Follow.value == value))).first()
    if existing is not None:
        return existing, False
    count = len((await session.scalars(select(Follow.id).where(
        Follow.user_id == user_id))).all())
    if count >= MAX_FOLLOWS:
        raise Refusal("follows_full", limit=MAX_FOLLOWS)
    created = Follow(user_id=user_id, kind=kind, value=value[:300], label=label[:300],
                     frequency=frequency if frequency in FREQUENCIES else "immediate")
    session.add(created)
    await session.flush()
    return created, True


async def following(session: AsyncSession, user_id: int) -> list[Follow]:
    return list((await session.scalars(
        select(Follow).where(Follow.user_id == user_id).order_by(Follow.id))).all())


async def unfollow(session: AsyncSession, user_id: int, follow_id: int) -> bool:
    result = await session.execute(
        delete(Follow).where(Follow.id == follow_id, Follow.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_frequency(session: AsyncSession, user_id: int, follow_id: int,
                        frequency: str) -> Follow | None:
    if frequency not in FREQUENCIES:
        return None
    found = await session.get(Follow, follow_id)
    if found is None or found.user_id != user_id:
        return None
    found.frequency = frequency
    return found


@dataclass(frozen=True)
class Match:
    user_id: int
    opportunity_id: int
    follow_id: int
    frequency: str


def matches(index: Index, follows: Sequence[Follow], new_ids: set[int]) -> list[Match]:
    """Which follows each new opportunity matches (pure: no database)."""
    position = {doc.id: n for n, doc in enumerate(index.docs) if doc.id in new_ids}
    found: list[Match] = []
    for item in follows:
        if item.kind == "search":
            hits = {hit.doc.id for hit in search(index, item.value).hits} & new_ids
        elif item.kind == "provider":
            hits = {oid for oid, n in position.items()
                    if fold(index.docs[n].provider or "") == item.value}
        else:
            hits = {oid for oid, n in position.items() if index.place[n] == item.value}
        found += [Match(item.user_id, oid, item.id, item.frequency) for oid in sorted(hits)]
    return found


def fastest(found: Iterable[Match]) -> list[Match]:
    """One match per person and opportunity: the one of the most frequent follow (right
    away beats daily beats weekly), whatever order the follows matched in."""
    best: dict[tuple[int, int], Match] = {}
    for match in found:
        key = (match.user_id, match.opportunity_id)
        kept = best.get(key)
        if kept is None or _speed(match.frequency) < _speed(kept.frequency):
            best[key] = match
    return list(best.values())


def _speed(frequency: str) -> int:
    return FREQUENCIES.index(frequency) if frequency in FREQUENCIES else 0


async def record_alerts(session: AsyncSession, found: Iterable[Match],
                        now: datetime | None = None) -> list[Alert]:
    """Store the matches as alerts (one per person and opportunity, at the fastest of the
    frequencies that matched it); the new ones back."""
    now = now or utcnow()
    insert = insert_for(session)
    fresh: list[Alert] = []
    reachable = set((await session.scalars(select(User.id).where(
        User.reachable.is_(True)))).all())
    for match in fastest(found):
        if match.user_id not in reachable:
            continue
        result = await session.execute(
            insert(Alert).values(user_id=match.user_id, opportunity_id=match.opportunity_id,
                                 follow_id=match.follow_id, frequency=match.frequency,
                                 created_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "opportunity_id"])
            .returning(Alert.id))
        alert_id = result.scalar_one_or_none()
        if alert_id is not None:  # new: its id is what the outbox row refers to
            fresh.append(Alert(id=alert_id, user_id=match.user_id,
                               opportunity_id=match.opportunity_id,
                               follow_id=match.follow_id, frequency=match.frequency))
    return fresh


async def due_digests(session: AsyncSession, now: datetime) -> dict[int, list[Alert]]:
    """Unsent daily/weekly alerts of users whose digest time has come."""
    local = now.astimezone(LOCAL)
    if local.time() < DIGEST_AT or quiet_until(now) is not None:
        return {}
    waiting = (await session.scalars(select(Alert).where(
        Alert.queued_at.is_(None), Alert.frequency.in_(("daily", "weekly"))))).all()
    due: dict[int, list[Alert]] = {}
    for alert in waiting:
        if alert.frequency == "weekly" and local.weekday() != 0:
            continue  # weekly digests go out on Mondays
        due.setdefault(alert.user_id, []).append(alert)
    return due
