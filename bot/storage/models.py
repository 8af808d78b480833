"""ORM models: the tables Takas stores.

Times are stored in UTC. SQLite has no time-zone type, so `UTCDateTime` stores naive UTC
and always hands back aware datetimes; PostgreSQL gets `timestamp with time zone`.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.clock import utcnow as utcnow  # re-exported: many modules stamp rows with it


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
    # A pupil's profile (/profile); all optional.
    school: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(20))
    municipality: Mapped[str | None] = mapped_column(String(100))
    yearly_target_minutes: Mapped[int | None] = mapped_column(Integer)
    # The name the user gave as their full name (asked when joining a class, printed on
    # certificates, editable in /profile); Telegram's first name is often a nickname.
    full_name: Mapped[str | None] = mapped_column(String(200))
    # The /profile field waiting for the user's next typed message, if any.
    # False once Telegram says the user blocked the bot or the account is gone: no more
    # messages are queued for them until they write again.
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Monthly reminders while behind a yearly target (/profile turns them off), and when
    # the last one was queued.
    target_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    target_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When an organizer was last reminded of entries waiting more than a week (/pending).
    pending_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The school an organizer of several acts in (/classes, /targets, /attendance), as
    # they chose it last; None: not chosen (one school needs no choice).
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL", name="fk_users_school_id"))


class Organisation(Base):
    """A library, school, municipality, NGO or centre whose organizers verify hours."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The yearly target a school sets for its pupils (a pupil's own target wins).
    yearly_target_minutes: Mapped[int | None] = mapped_column(Integer)
    # A school has classes, a roster of pupils and yearly targets per grade (below).
    is_school: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Base):
    """A user who organizes for an organisation (verifies its hours, creates codes)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_membership"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invite(Base):
    """A link that makes whoever opens it an organizer of an organisation."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    single_use: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CheckIn(Base):
    """A code an organizer shows at an event: pupils who open it get verified hours."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(BigInteger)
    # Opened for an own activity of a learning playlist: its hours count for that item.
    playlist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("playlist_items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EntryStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class HourEntry(Base):
    """Time a pupil spent on an activity, as logged and as verified.

    Minutes, not fractional hours: exact sums, no rounding drift. `idempotency_key` is
    derived from the update that confirmed the entry, so a double tap or a redelivered
    update can never create a second entry. After /forgetme an approved entry stays for
    the organisation's reports with `user_id` cleared.
    """

    __tablename__ = "hour_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    # The learning-playlist activity these hours are for (bot/storage/playlist_tables.py).
    playlist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("playlist_items.id", ondelete="SET NULL"), index=True)
    # The school's record of the pupil (Pupil below): set for attendance an organizer
    # recorded; the only owner of hours of a pupil with no Telegram account (user_id NULL).
    pupil_id: Mapped[int | None] = mapped_column(
        ForeignKey("pupils.id", ondelete="SET NULL", name="fk_hour_entries_pupil"), index=True)
    activity: Mapped[str] = mapped_column(String(300))
    day: Mapped[date] = mapped_column(Date, index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=EntryStatus.PENDING.value, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Base):
    """Who did what, when: every state change of an entry, membership or code."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LogDraft(Base):
    """An unconfirmed /log in progress, kept in the database so a restart loses nothing."""

    __tablename__ = "log_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Waiting(Base):
    """Which flow waits for the user's next typed message, and for what: one row per user,
    in the database so a restart loses nothing (handlers/waiting.py dispatches by it)."""

    __tablename__ = "waiting"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(Base):
    """A PDF certificate issued by /export; its code lets an organisation check it."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    learner: Mapped[str] = mapped_column(String(256))
    approved_minutes: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    # The first day of the school year it covers; None: all school years.
    school_year: Mapped[date | None] = mapped_column(Date)
    # Set when an administrator revoked it: the public page then says so.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender; back to queued if it dies (see bot/delivery)
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    """One message to one chat, waiting to be sent (alerts, digests, broadcasts).

    Rows are claimed, sent and marked sent before their sender takes more, so a crash
    loses nothing and repeats at most the messages that were in flight (bot/delivery/
    sender.py). `dedupe_key` makes queuing idempotent.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_ready", "status", "not_before", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # alert | digest | broadcast | reply
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    # A reply captured while a web process handled an update (bot/delivery/capture.py):
    # the Bot API method and its parameters, posted as they are. NULL for the others.
    method: Mapped[str | None] = mapped_column(String(40))
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Higher goes first: replies to people waiting in the chat before broadcasts.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(Base):
    """Something a user follows: a saved search, an organisation (a catalog provider) or a
    town. New opportunities that match reach them as alerts or in a digest."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value", name="uq_follow"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # search | provider | town
    value: Mapped[str] = mapped_column(String(300))  # query text, folded provider, place id
    label: Mapped[str] = mapped_column(String(300))  # what the user sees
    frequency: Mapped[str] = mapped_column(String(10), default="immediate")  # | daily | weekly
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Alert(Base):
    """A new opportunity that matched something a user follows: at most one per person and
    opportunity, whatever matched it and however often."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("user_id", "opportunity_id", name="uq_alert"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"))
    follow_id: Mapped[int | None] = mapped_column(ForeignKey("follows.id", ondelete="SET NULL"))
    frequency: Mapped[str] = mapped_column(String(10))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Broadcast(Base):
    """An organizer's announcement to an audience; delivered through the outbox."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    # A catalog opportunity the announcement is about (its card and details go along).
    opportunity_id: Mapped[int | None] = mapped_column(Integer)
    link_decided: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str | None] = mapped_column(String(12))  # followers | town | pupils
    audience_value: Mapped[str | None] = mapped_column(String(100))
    # draft -> sending -> done | cancelled
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Mute(Base):
    """A user who pressed "Mute" under an organisation's broadcast."""

    __tablename__ = "mutes"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_mute"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InboxUpdate(Base):
    """A Telegram update received by a webhook process, stored before it is acknowledged.

    `update_id` (Telegram's) is the key, so a redelivered update is stored once. Rows are
    claimed and processed by one process at a time (see bot/storage/inbox.py).
    """

    __tablename__ = "inbox_updates"
    __table_args__ = (Index("ix_inbox_ready", "status", "received_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # new -> processing -> done | failed (see bot/storage/inbox.py)
    status: Mapped[str] = mapped_column(String(10), default="new")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))


class BadgeRule(enum.StrEnum):
    MANUAL = "manual"  # organizers award it by hand
    HOURS = "hours"  # at least `hours_minutes` approved with the organisation in a school year
    PLAYLIST = "playlist"  # the learning playlist `playlist_id` completed


class Badge(Base):
    """An Open Badge an organisation defines: what it stands for and when it is earned."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    criteria: Mapped[str] = mapped_column(Text)
    colour: Mapped[str] = mapped_column(String(16), default="green")
    emblem: Mapped[str] = mapped_column(String(16), default="star")
    rule: Mapped[str] = mapped_column(String(10), default=BadgeRule.MANUAL.value)
    hours_minutes: Mapped[int | None] = mapped_column(Integer)
    # The playlist whose completion earns it (a foreign key once playlists exist).
    playlist_id: Mapped[int | None] = mapped_column(
        ForeignKey("playlists.id", ondelete="SET NULL", name="fk_badges_playlist"), index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BadgeAward(Base):
    """A badge awarded to a learner: at most once per badge, learner and period (the
    school year for the hours rule, "once" otherwise), whatever races to award it.

    The award's place in the revocation status list derives from its id (see
    bot/badges/status.py). `details` keeps what the credential states (salt, hours and
    evidence), so the signed credential can always be rebuilt byte for byte.
    """

    __tablename__ = "badge_awards"
    __table_args__ = (UniqueConstraint("badge_id", "user_id", "period", name="uq_badge_award"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    period: Mapped[str] = mapped_column(String(16))  # "2026/2027" or "once"
    awarded_by: Mapped[int | None] = mapped_column(BigInteger)  # None: automatic
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credential: Mapped[str | None] = mapped_column(Text)  # the signed VC-JWT
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(String(300))


class VerificationDigest(Base):
    """The entries one daily digest (or one "Approve these N" under /pending) listed to one
    organizer: its approval approves these (those still pending and not left out), never
    an entry logged after the list was made."""

    __tablename__ = "verification_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SchoolClass(Base):
    """A class of a school in one school year ("8B", 2026 = 2026/2027).

    Whoever opens `t.me/<bot>?start=cl_<token>` may join it. Moving up a grade makes a new
    class for the next school year, so the reports of past years keep their classes.
    """

    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("organisation_id", "school_year", "grade", "letter",
                                       name="uq_school_class"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[int] = mapped_column(Integer)  # the calendar year it begins in
    grade: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str] = mapped_column(String(4), default="")
    token: Mapped[str] = mapped_column(String(40), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    # The class of the next school year this one moved up into, once the teacher confirmed.
    promoted_to: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Pupil(Base):
    """A school's record of one pupil: their roster entry and the owner of their hours.

    `user_id` is NULL for a pupil who is not on Telegram (added by name by the teacher);
    `claim_code`, shown once to the teacher, lets that pupil take the record over later
    (it is cleared when used). One record per school and Telegram user.
    """

    __tablename__ = "pupils"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_pupil_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    claim_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClassMember(Base):
    """A pupil in a class; one class per pupil and school year (the service keeps to it)."""

    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "pupil_id", name="uq_class_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GradeTarget(Base):
    """A school's yearly target for the pupils of one grade; a grade without a row has no
    target (none is assumed)."""

    __tablename__ = "grade_targets"
    __table_args__ = (UniqueConstraint("organisation_id", "grade", name="uq_grade_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    minutes: Mapped[int] = mapped_column(Integer)


class AttendanceDraft(Base):
    """An organizer's attendance in progress (the class, the pupils ticked so far, the
    activity and hours), kept in the database so a restart or another process loses none."""

    __tablename__ = "attendance_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
