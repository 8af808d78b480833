"""The Mini App's own table: read-only links to a pupil's e-profile.

A link's token is shown once, to the pupil who made it; only its SHA-256 is stored, so the
database alone opens no profile. A link works until `expires_at` or until it is revoked;
it goes with the user row (ON DELETE CASCADE: /forgetme).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime, utcnow


class WebappShare(Base):
    """A read-only link to `user_id`'s e-profile."""

    __tablename__ = "webapp_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
