"""The outbox: rules for queuing, claiming and settling outgoing messages.

Every function takes an `AsyncSession` and never commits; the caller owns the transaction.
A row's life:

    queued --claim--> sending --mark--> sent | failed | blocked
       ^                 |
       +--retry_later----+   (a transient error, with not_before in the future)
       +--requeue_stale--+   (its sender died: the one case where a message can go twice)
       +--release--------+   (its sender stopped before trying it)
    queued --cancel_broadcast--> cancelled

Claiming is one conditional UPDATE, so two senders never take the same row: on PostgreSQL
the candidate rows are locked with `FOR UPDATE SKIP LOCKED`; on SQLite the statement runs
under the database's single write lock and re-checks `status = 'queued'`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dbtools import clip, insert_for, rowcount
from bot.storage.models import OutboxMessage, OutboxStatus, User, utcnow
from bot.storage.queue import Queue
from bot.text import without_nul

ERROR_LENGTH = 300  # the width of outbox.error
KEY_LENGTH = 120  # the width of outbox.dedupe_key
KIND_LENGTH = 16  # the width of outbox.kind: alert | digest | broadcast | ...

_QUEUED = OutboxStatus.QUEUED.value
_SENDING = OutboxStatus.SENDING.value
_QUEUE: Queue[OutboxMessage] = Queue(
    table=OutboxMessage, key=OutboxMessage.id, status=OutboxMessage.status,
    claimed_at=OutboxMessage.claimed_at, waiting=_QUEUED, claimed=_SENDING,
    order=(OutboxMessage.priority.desc(), OutboxMessage.not_before, OutboxMessage.id),
    sort_key=lambda row: (-row.priority, row.not_before, row.id))


def _clip(error: str | None) -> str | None:
    return clip(error, ERROR_LENGTH)


class StoredCall(Protocol):
    """A Bot API call kept to be posted as it was made (`bot.delivery.capture.CapturedCall`):
    storage knows only its shape, the capturing lives a floor above."""

    method: str

    @property
    def chat_id(self) -> int | None: ...

    @property
    def text(self) -> str: ...

    def stored(self) -> dict[str, Any]: ...


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    kind: str,
    text: str,
    reply_markup: dict[str, Any] | None = None,
    photo_file_id: str | None = None,
    broadcast_id: int | None = None,
    not_before: datetime | None = None,
    call: StoredCall | None = None,
    priority: int = 0,
) -> bool:
    """Queue one message unless `dedupe_key` is already queued (or was ever); True if added.

    `text` is Telegram HTML, rendered and escaped by the caller (a caption when
    `photo_file_id` is given); `reply_markup` is `InlineKeyboardMarkup.to_dict()`. With
    `call`, the row is that captured Bot API call, posted as it was made (`text` is then
    only what the row is about, for people reading the table). U+0000 is removed from
    all of it: PostgreSQL cannot store it and Telegram would not show it.
    """
    if not 0 < len(dedupe_key) <= KEY_LENGTH:
        raise ValueError(f"dedupe_key must be 1 to {KEY_LENGTH} characters")
    if not 0 < len(kind) <= KIND_LENGTH:
        raise ValueError(f"kind must be 1 to {KIND_LENGTH} characters")
    now = utcnow()
    insert = insert_for(session)
    statement = (
        insert(OutboxMessage)
        .values(
            dedupe_key=dedupe_key,
            chat_id=chat_id,
            kind=kind,
            broadcast_id=broadcast_id,
            text=without_nul(text),
            reply_markup=without_nul(reply_markup),
            photo_file_id=photo_file_id,
            method=call.method if call else None,
            request=without_nul(call.stored()) if call else None,
            priority=priority,
            status=_QUEUED,
            attempts=0,
            not_before=not_before or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return rowcount(await session.execute(statement)) == 1


ENQUEUE_CHUNK = 500  # rows per INSERT in enqueue_many (well within both databases' limits)


async def enqueue_many(
    session: AsyncSession,
    kind: str,
    rows: Sequence[tuple[str, int, str]],
    *,
    priority: int = 0,
    broadcast_id: int | None = None,
) -> int:
    """Queue many rows of one `kind` at once, each `(dedupe_key, chat_id, text)`, as
    `enqueue` would one by one (a key already queued, or ever, is skipped), in a few
    statements instead of one per row. The number of rows added."""
    if not 0 < len(kind) <= KIND_LENGTH:
        raise ValueError(f"kind must be 1 to {KIND_LENGTH} characters")
    if any(not 0 < len(key) <= KEY_LENGTH for key, _chat, _text in rows):
        raise ValueError(f"dedupe_key must be 1 to {KEY_LENGTH} characters")
    now = utcnow()
    insert = insert_for(session)
    added = 0
    for start in range(0, len(rows), ENQUEUE_CHUNK):
        values = [{"dedupe_key": key, "chat_id": chat_id, "kind": kind,
                   "broadcast_id": broadcast_id, "text": without_nul(text),
                   "reply_markup": None, "photo_file_id": None, "method": None,
                   "request": None, "priority": priority, "status": _QUEUED, "attempts": 0,
                   "not_before": now, "created_at": now}
                  for key, chat_id, text in rows[start:start + ENQUEUE_CHUNK]]
        statement = (insert(OutboxMessage).values(values)
                     .on_conflict_do_nothing(index_elements=["dedupe_key"]))
        added += rowcount(await session.execute(statement))
    return added


REPLY_PRIORITY = 10  # replies to someone waiting in the chat go before alerts and broadcasts


async def enqueue_calls(
    session: AsyncSession, update_id: int, calls: Sequence[StoredCall], chat_id: int | None
) -> int:
    """Queue the Bot API calls one update made (see `bot.delivery.capture`), in order, as
    replies; `update_id` and the call's position make the dedupe key, so settling the same
    update twice queues nothing new. `chat_id` is where calls without a chat (answering a
    callback or an inline query) are paced. The number of rows added."""
    added = 0
    for position, call in enumerate(calls):
        added += await enqueue(
            session, dedupe_key=f"update:{update_id}:{position}",
            chat_id=call.chat_id if call.chat_id is not None else (chat_id or 0),
            kind="reply", text=call.text[:4096], call=call, priority=REPLY_PRIORITY)
    return added


async def claim(session: AsyncSession, limit: int, now: datetime) -> list[OutboxMessage]:
    """Take up to `limit` due rows, replies first, then oldest first, and mark them
    `sending` (claimed_at=now). Only rows this call changed from `queued` come back, however
    many senders race (`bot.storage.queue`)."""
    return await _QUEUE.claim(session, limit, now, OutboxMessage.not_before <= now)


async def touch(session: AsyncSession, row_ids: Sequence[int], now: datetime) -> set[int]:
    """Refresh claimed_at of rows a live sender still holds; the ids still `sending`."""
    return await _QUEUE.touch(session, row_ids, now)


async def release(
    session: AsyncSession, row_ids: Sequence[int], *, not_before: datetime | None = None
) -> int:
    """Give back claimed rows without counting an attempt (the sender is stopping, or the
    chat is busy: then not before `not_before`)."""
    return await _QUEUE.release(session, row_ids, values=(
        {"not_before": not_before} if not_before is not None else None))


async def requeue_stale(session: AsyncSession, older_than: datetime) -> int:
    """Rows claimed before `older_than` and still `sending` (their sender died) go back
    to `queued`. The one that sender had in flight may already have arrived: this is the
    one case where a message can be sent twice."""
    return await _QUEUE.requeue_stale(session, older_than)


async def mark(
    session: AsyncSession,
    row_id: int,
    status: OutboxStatus | str,
    *,
    error: str | None = None,
    now: datetime,
) -> None:
    """Settle a row: `sent` (sent_at=now), `failed` or `blocked` (with the reason)."""
    status = OutboxStatus(status)
    values: dict[str, Any] = {"status": status.value, "error": _clip(error)}
    if status is OutboxStatus.SENT:
        values["sent_at"] = now
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(values))


async def retry_later(
    session: AsyncSession, row_id: int, *, at: datetime, error: str | None = None
) -> None:
    """A transient failure: count the attempt and queue the row again from `at`."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=_QUEUED, attempts=OutboxMessage.attempts + 1, not_before=at,
                claimed_at=None, error=_clip(error))
    )


async def count_attempt(session: AsyncSession, row_id: int, *, error: str | None = None) -> None:
    """Record a failed attempt of a row that stays with its sender (e.g. a timeout)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(attempts=OutboxMessage.attempts + 1, error=_clip(error))
    )


async def migrate_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its unsent rows follow it to the new chat id."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id,
               OutboxMessage.status.in_([_QUEUED, _SENDING]))
        .values(chat_id=new_chat_id)
    )
    return rowcount(await session.execute(statement))


async def mark_unreachable(
    session: AsyncSession, chat_id: int, *, error: str | None = None
) -> int:
    """Telegram refused the chat for good (blocked, deactivated, kicked): the user is no
    longer reachable and the chat's other queued rows are settled as `blocked` too."""
    if chat_id > 0:  # a private chat's id is its user's id
        await session.execute(update(User).where(User.id == chat_id).values(reachable=False))
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == _QUEUED)
        .values(status=OutboxStatus.BLOCKED.value, error=_clip(error))
    )
    return rowcount(await session.execute(statement))


async def cancel_broadcast(session: AsyncSession, broadcast_id: int) -> int:
    """Cancel what is still queued of a broadcast; rows already claimed still go."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == _QUEUED)
        .values(status=OutboxStatus.CANCELLED.value)
    )
    return rowcount(await session.execute(statement))


async def broadcast_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Rows of a broadcast by status; every status is present (0 when none)."""
    statement = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    counts = {status.value: 0 for status in OutboxStatus}
    for status, count in (await session.execute(statement)).all():
        counts[status] = count
    return counts


async def backlog(session: AsyncSession) -> int:
    """Rows not settled yet: queued (whenever due) plus sending."""
    statement = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status.in_([_QUEUED, _SENDING]))
    )
    return int(await session.scalar(statement) or 0)


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest queued row becomes due (None when nothing is queued)."""
    statement = select(func.min(OutboxMessage.not_before)).where(
        OutboxMessage.status == _QUEUED
    )
    value = await session.scalar(statement)
    return value if isinstance(value, datetime) else None
