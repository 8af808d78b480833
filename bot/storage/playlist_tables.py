"""Learning playlists: an organisation's ordered list of catalog opportunities and its own
activities, each required or optional, that learners join and work through.

A playlist's title and description are kept per language ({"lt": "...", "en": "..."});
`language` names the one the organizer wrote first, the fallback for readers of others.
An item is a catalog opportunity (`opportunity_id`) or an own activity (`title` only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, UTCDateTime, utcnow


class Playlist(Base):
    """An organisation's learning playlist; learners see it once it is published."""

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlaylistItem(Base):
    """One step of a playlist, at `position` (1, 2, ...)."""

    __tablename__ = "playlist_items"
    __table_args__ = (
        UniqueConstraint("playlist_id", "position", name="uq_playlist_item_position"),
        # A catalog item is in a playlist once (a double tap on "add" adds it once).
        UniqueConstraint("playlist_id", "opportunity_id", name="uq_playlist_item_opportunity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    # The own activity's name; for a catalog item, its title when it was added.
    title: Mapped[str] = mapped_column(String(300))


class PlaylistMember(Base):
    """A learner who joined a playlist."""

    __tablename__ = "playlist_members"
    __table_args__ = (UniqueConstraint("playlist_id", "user_id", name="uq_playlist_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlaylistEdit(Base):
    """What an organizer's /playlist editor waits for (a typed title, description, activity
    or catalog search), kept in the database so a restart loses nothing."""

    __tablename__ = "playlist_edits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    playlist_id: Mapped[int | None] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"))
    # title | description | activity | search | "" (nothing typed is awaited)
    awaiting: Mapped[str] = mapped_column(String(16), default="")
    language: Mapped[str] = mapped_column(String(8))  # the language being written
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
