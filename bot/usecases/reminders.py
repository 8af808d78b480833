"""Monthly reminders to pupils behind their yearly target (the rules: bot/services/
reminders.py), and turning them off and on in /profile.

`queue_reminders` runs from a daily job, a page of users per call (one transaction each):
it queues a `target_reminder` notice for each pupil who is behind and may get one, never
during the quiet hours, and stamps them in the same transaction. The notice is rendered
when sent (`reminder`): if by then the pupil caught up, turned reminders off, or it is
quiet hours after all (the outbox was held up), nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utcnow
from bot.delivery import kinds
from bot.services import reminders
from bot.services.follows import quiet_until
from bot.services.hours import today
from bot.storage.db import Database
from bot.storage.models import User
from bot.usecases.profile import ProfileView, view_of

PAGE = 200  # users looked at per transaction


@dataclass(frozen=True)
class Reminder:
    """What the reminder says (minutes)."""

    approved: int
    pending: int
    target: int
    left: int


@dataclass(frozen=True)
class Queued:
    queued: int
    last: int | None  # the last user id looked at; None when there are no more


async def queue_reminders(db: Database, now: datetime | None = None, *, after: int = 0,
                          page: int = PAGE) -> Queued:
    """Queue the reminders due among the next `page` candidates after user id `after`."""
    now = now or utcnow()
    if quiet_until(now) is not None:
        return Queued(0, None)
    day = today(now)
    queued = 0
    async with db.transaction() as session:
        users = await reminders.candidates(session, now, after=after, limit=page)
        for user_id in users:
            progress = await reminders.progress(session, user_id, day)
            if progress is None or not reminders.behind(progress, day):
                continue
            if await reminders.stamp(session, user_id, now):
                queued += await kinds.enqueue(
                    session, kinds.TARGET_REMINDER, user_id, chat_id=user_id,
                    key=f"{kinds.TARGET_REMINDER}:{user_id}:{day.isoformat()}")
    return Queued(queued, users[-1] if len(users) == page else None)


async def queue_all(db: Database, now: datetime | None = None) -> int:
    """Every page of `queue_reminders`; how many were queued."""
    now = now or utcnow()
    total, after = 0, 0
    while True:
        done = await queue_reminders(db, now, after=after)
        total += done.queued
        if done.last is None:
            return total
        after = done.last


async def reminder(db: Database, user_id: int, now: datetime | None = None) -> Reminder | None:
    """The reminder as it reads now; None when it should not be sent any more."""
    now = now or utcnow()
    if quiet_until(now) is not None:
        return None
    day = today(now)
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        if user is None or not user.target_reminders:
            return None
        progress = await reminders.progress(session, user_id, day)
        if progress is None or not reminders.behind(progress, day):
            return None
        return Reminder(progress.approved, progress.pending, progress.target, progress.left)


async def set_reminders(db: Database, user_id: int, enabled: bool) -> ProfileView | None:
    """Turn the monthly reminders on or off; the profile as it reads then."""
    async with db.transaction() as session:
        user = await reminders.set_enabled(session, user_id, enabled)
        if user is None:
            return None
        return view_of(user)
