"""The audit trail: every state change, with who, when and what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEvent, utcnow


def record(session: AsyncSession, action: str, *, actor_id: int | None,
           entry_id: int | None = None, organisation_id: int | None = None,
           at: datetime | None = None, **details: Any) -> None:
    session.add(AuditEvent(at=at or utcnow(), actor_id=actor_id, action=action,
                           entry_id=entry_id, organisation_id=organisation_id,
                           details=details))
