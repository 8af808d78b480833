"""What the inbox and the outbox keep, and for how long.

Both tables hold what people wrote and were sent: an inbox row is the whole Telegram update
(name, id, text), an outbox row the whole message (a verification request names the pupil,
a /mydata reply carries everything about them). Once settled, a row is kept only for
de-duplication and inspection, so:

- `prune` deletes settled rows older than the retention period (`RETENTION_DAYS`); the
  periodic job of the process that runs background work calls it (bot/app.py);
- `erase_person` (called by /forgetme) blanks what could still name the person at once:
  the updates they sent, those still in work that mention them, every processed update
  (other people's may quote them: an organizer's button press carries the verification
  message with the pupil's name), and the content of every settled message; rows sent to
  them are deleted;
- `drop_if_recipient_gone` deletes a settled reply to someone who is no longer known: the
  reply to /forgetme itself, queued after the erasure. The sender calls it.

Blanking keeps a row (its `update_id` or `dedupe_key` still de-duplicates) and replaces its
content; a blanked update that is processed again is an update with nothing in it.
Every function takes an `AsyncSession` and never commits.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dbtools import rowcount
from bot.storage.models import InboxUpdate, OutboxMessage, OutboxStatus, User

# Settled rows: nothing will be done with them any more.
INBOX_SETTLED = ("done", "failed")  # bot.storage.inbox.InboxStatus
OUTBOX_SETTLED = (OutboxStatus.SENT.value, OutboxStatus.FAILED.value,
                  OutboxStatus.BLOCKED.value, OutboxStatus.CANCELLED.value)
REPLY_KIND = "reply"  # captured replies of the webhook's processed updates


async def prune(session: AsyncSession, older_than: datetime) -> tuple[int, int]:
    """Delete settled inbox and outbox rows settled before `older_than`; (inbox, outbox)
    rows deleted. Rows waiting or in work are never touched."""
    inbox = await session.execute(delete(InboxUpdate).where(
        InboxUpdate.status.in_(INBOX_SETTLED),
        func.coalesce(InboxUpdate.processed_at, InboxUpdate.received_at) < older_than))
    outbox = await session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_(OUTBOX_SETTLED),
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.not_before) < older_than))
    return rowcount(inbox), rowcount(outbox)


def blank_payload(update_id: int) -> dict[str, Any]:
    """An update with nothing in it: what an erased inbox row holds."""
    return {"update_id": update_id}


def _mentions(payload: Any, needles: tuple[str, ...]) -> bool:
    text = json.dumps(payload, ensure_ascii=False)
    return any(needle and needle in text for needle in needles)


async def erase_person(session: AsyncSession, user_id: int, name: str | None) -> None:
    """Blank or delete every inbox and outbox row that could name `user_id` (see the
    module docstring). `name` is their first name as stored, when known."""
    # Updates in work or failed: those that mention them (id or name). Waiting ones are
    # what people sent after this, including their own next message: left alone.
    needles = (str(user_id), name or "")
    # As stored, a name may be JSON-escaped ("J\u016brat\u0117"); LIKE only narrows.
    stored = {str(user_id), *((name, json.dumps(name)[1:-1]) if name else ())}
    for row in (await session.scalars(select(InboxUpdate).where(
            InboxUpdate.status.in_(("processing", "failed")),
            or_(*(cast(InboxUpdate.payload, Text).like(f"%{needle}%")
                  for needle in stored))))).all():
        if _mentions(row.payload, needles):
            row.payload = blank_payload(row.update_id)
    # Processed updates are never read again: all of them are blanked.
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.status == "done", cast(InboxUpdate.payload, Text) != "{}")
        .values(payload={}).execution_options(synchronize_session=False))
    await session.flush()
    # Messages to them go, whatever their state; sent messages to others keep no content.
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == user_id)
                          .execution_options(synchronize_session=False))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(OUTBOX_SETTLED),
               (OutboxMessage.text != "") | OutboxMessage.request.is_not(None)
               | OutboxMessage.reply_markup.is_not(None)
               | OutboxMessage.photo_file_id.is_not(None))
        .values(text="", request=None, reply_markup=None, photo_file_id=None)
        .execution_options(synchronize_session=False))


async def drop_if_recipient_gone(session: AsyncSession, row_id: int) -> bool:
    """Delete the settled reply `row_id` if it went to a person Takas no longer knows (a
    private chat's id is its user's id); True if deleted."""
    known = exists().where(User.id == OutboxMessage.chat_id)
    statement = delete(OutboxMessage).where(
        OutboxMessage.id == row_id, OutboxMessage.kind == REPLY_KIND,
        OutboxMessage.status.in_(OUTBOX_SETTLED), OutboxMessage.chat_id > 0, ~known)
    return rowcount(await session.execute(
        statement.execution_options(synchronize_session=False))) == 1


__all__ = ["blank_payload", "drop_if_recipient_gone", "erase_person", "prune"]
