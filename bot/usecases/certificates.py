"""Certificates: choosing the school year, issuing one, checking a code, revoking it.

The chat (/export, /verify, /revoke) and the public page `/verify/<code>` of the web process
call these; none of them sees a table row, only the frozen results below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from bot.clock import utcnow
from bot.services import badges as badge_rules
from bot.services import certificates, schools, users
from bot.services import hours as hour_rules
from bot.services.errors import Refusal
from bot.services.exports import BadgeLine, CertificateData, ExportRow
from bot.storage.db import Database
from bot.storage.models import Certificate, EntryStatus, User


@dataclass(frozen=True)
class ExportChoice:
    """What /export sends: every entry (the CSV) and the school years with approved hours
    a certificate can cover, newest first."""

    rows: tuple[ExportRow, ...]
    years: tuple[date, ...]  # the first day of each school year
    needs_name: bool  # no full name yet: asked once, before the first certificate


@dataclass(frozen=True)
class Issued:
    data: CertificateData  # what the PDF shows
    url: str | None  # the public verification page (None: no public address configured)


@dataclass(frozen=True)
class CertificateStatus:
    """What anyone may learn about a certificate from its code, and nothing more."""

    code: str
    learner: str  # "" once the learner erased their data
    minutes: int
    school_year: tuple[date, date] | None  # None: all school years
    issued_on: date
    revoked_at: datetime | None


def verification_url(base_url: str | None, code: str) -> str | None:
    """The public page of `code` under `base_url` (PUBLIC_URL or WEBHOOK_URL's origin)."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/verify/{quote(code)}"


def learner_name(user: User) -> str:
    """The name a certificate carries: the full name when given, else Telegram's."""
    return (user.full_name or user.first_name or "").strip()


async def export_choice(db: Database, user_id: int) -> ExportChoice:
    async with db.transaction() as session:
        rows = await hour_rules.export_rows(session, user_id)
        user = await users.get_user(session, user_id)
    years = {hour_rules.school_year(row.day)[0] for row in rows
             if row.status == EntryStatus.APPROVED.value}
    return ExportChoice(tuple(rows), tuple(sorted(years, reverse=True)),
                        needs_name=user is None or not user.full_name)


async def set_full_name(db: Database, user_id: int, text: str) -> str:
    """Keep the full name the user typed (refusal `full_name` when it cannot be one)."""
    name = schools.clean_full_name(text)
    async with db.transaction() as session:
        user = await users.get_user(session, user_id)
        if user is not None:
            user.full_name = name
    return name


async def issue_certificate(db: Database, user_id: int, school_year: date | None, *,
                            base_url: str | None, now: datetime | None = None,
                            require_full_name: bool = False) -> Issued:
    """Record a certificate of the approved hours of the school year starting on
    `school_year` (None: all years). Refusal `nothing_approved` when there are none, and
    with `require_full_name` (the Mini App, which cannot ask) `full_name_needed` while
    the learner has given no full name."""
    now = now or utcnow()
    period = hour_rules.school_year(school_year) if school_year is not None else None
    async with db.transaction() as session:
        user = await users.get_user(session, user_id)
        rows = await hour_rules.export_rows(session, user_id)
        approved = [row for row in rows if row.status == EntryStatus.APPROVED.value
                    and (period is None or period[0] <= row.day <= period[1])]
        if user is None or not approved:
            raise Refusal("nothing_approved")
        if require_full_name and not user.full_name:
            raise Refusal("full_name_needed")
        record = await certificates.issue(
            session, user_id=user_id, learner=learner_name(user),
            approved_minutes=sum(row.minutes for row in approved),
            issued_on=hour_rules.today(now), school_year=period[0] if period else None)
        earned = await badge_rules.awards_of(session, user_id)
        data = CertificateData(
            learner=record.learner, school=user.school, grade=user.grade, rows=tuple(rows),
            issued_on=record.issued_on, code=record.code, school_year=period,
            badges=tuple(BadgeLine(item.badge.name, item.organisation,
                                   item.award.issued_at.astimezone(hour_rules.LOCAL).date())
                         for item in earned),
            verify_url=verification_url(base_url, record.code))
    return Issued(data, data.verify_url)


def _status(found: Certificate) -> CertificateStatus:
    year = hour_rules.school_year(found.school_year) if found.school_year else None
    return CertificateStatus(code=found.code, learner=found.learner,
                             minutes=found.approved_minutes, school_year=year,
                             issued_on=found.issued_on, revoked_at=found.revoked_at)


async def check_certificate(db: Database, code: str, *, actor_id: int,
                            now: datetime | None = None) -> CertificateStatus:
    """/verify CODE in the chat: anyone, a limited number of times an hour."""
    now = now or utcnow()
    async with db.transaction() as session:
        found = await certificates.check(session, code, actor_id=actor_id, now=now)
        status = _status(found) if found is not None else None
    if status is None:  # refused after the commit: the failed check still counts
        raise Refusal("certificate_unknown")
    return status


async def certificate_status(db: Database, code: str) -> CertificateStatus | None:
    """The public page: the certificate's status, or None for an unknown code."""
    async with db.transaction() as session:
        found = await certificates.find(session, code)
        return _status(found) if found is not None else None


async def revoke_certificate(db: Database, code: str, *, actor_id: int, is_admin: bool,
                             now: datetime | None = None) -> CertificateStatus:
    """/revoke CODE: administrators only (a certificate speaks for the whole deployment)."""
    now = now or utcnow()
    if not is_admin:
        raise Refusal("admins_only")
    async with db.transaction() as session:
        return _status(await certificates.revoke(session, code, actor_id=actor_id, now=now))
