"""The /log draft: an unconfirmed entry kept in the database between the steps of the flow,
so a restart loses nothing and the pupil can resume or cancel it later."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import EntryStatus, HourEntry, LogDraft, Organisation, utcnow

STEPS = ("activity", "pick", "organisation", "day", "hours", "note", "confirm")


async def get(session: AsyncSession, user_id: int) -> dict[str, Any] | None:
    draft = await session.get(LogDraft, user_id)
    return dict(draft.data) if draft is not None else None


async def save(session: AsyncSession, user_id: int, data: dict[str, Any],
               now: datetime | None = None) -> dict[str, Any]:
    """Store the draft; its `step` becomes the first step still missing an answer."""
    data = dict(data)
    data.setdefault("nonce", secrets.token_hex(8))
    data["step"] = next_step(data)
    draft = await session.get(LogDraft, user_id)
    if draft is None:
        session.add(LogDraft(user_id=user_id, data=data, updated_at=now or utcnow()))
    else:
        draft.data, draft.updated_at = data, now or utcnow()
    await session.flush()
    return data


def next_step(data: dict[str, Any]) -> str:
    if not data.get("activity"):
        return "activity"
    if data.get("candidates"):
        return "pick"  # catalog opportunities that may be what the pupil described
    if not data.get("organisation_id"):
        return "organisation"
    if not data.get("day"):
        return "day"
    if not data.get("minutes"):
        return "hours"
    if not data.get("note_done"):
        return "note"
    return "confirm"


async def drop(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(LogDraft).where(LogDraft.user_id == user_id))


async def recent_activities(session: AsyncSession, user_id: int,
                            limit: int = 4) -> list[HourEntry]:
    """The pupil's latest distinct activities (with their organisation), newest first."""
    rows = (await session.scalars(
        select(HourEntry).where(HourEntry.user_id == user_id,
                                HourEntry.status != EntryStatus.REJECTED.value)
        .order_by(HourEntry.id.desc()).limit(50))).all()
    seen: set[tuple[str, int]] = set()
    recent = []
    for row in rows:
        key = (row.activity, row.organisation_id)
        if key not in seen:
            seen.add(key)
            recent.append(row)
        if len(recent) == limit:
            break
    return recent


async def organisation_for_provider(session: AsyncSession, provider: str | None) -> int | None:
    """The organisation whose name is the catalog item's provider, if it is on Takas."""
    if not provider:
        return None
    return await session.scalar(select(Organisation.id).where(
        func.lower(Organisation.name) == " ".join(provider.split()).lower()))


async def last_organisation(session: AsyncSession, user_id: int) -> int | None:
    """The organisation of the pupil's latest entry, whatever became of it."""
    return await session.scalar(
        select(HourEntry.organisation_id).where(HourEntry.user_id == user_id)
        .order_by(HourEntry.id.desc()).limit(1))
