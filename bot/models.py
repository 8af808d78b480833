"""ORM models: the tables Takas stores.

Times are stored in UTC. SQLite has no time-zone type, so `UTCDateTime` stores naive UTC
and always hands back aware datetimes; PostgreSQL gets `timestamp with time zone`.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Dialect, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every Takas table."""


class Role(enum.StrEnum):
    LEARNER = "learner"
    ORGANIZER = "organizer"
    ADMIN = "admin"


class User(Base):
    """A Telegram user who has talked to the bot."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    # The language the user chose with /language; None means "follow Telegram's".
    language: Mapped[str | None] = mapped_column(String(8))
    # Telegram's language_code as last seen, kept to pick a language when none is chosen.
    telegram_language: Mapped[str | None] = mapped_column(String(35))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
