"""Certificates issued by /export: recorded so that anyone can check a code, and revocable.

A certificate covers the approved hours of one school year (or of all years) and carries a
code printed on it and encoded in its QR link (`/verify/<code>` on the web process). Anyone
may check a code in the chat, a few times an hour (each check is an audit event, so the
limit holds across processes); an administrator may revoke one, and the page then says so.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.storage.models import AuditEvent, Certificate

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper
_CODE = re.compile(rf"TK-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")
# Checks a person may make in CHECK_WINDOW: plenty for a teacher with a class's
# certificates, far too few to guess codes (32^8 of them).
CHECKS_PER_WINDOW = 20
CHECK_WINDOW = timedelta(hours=1)
CHECKED = "certificate_checked"  # the audit action that counts toward the limit


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"TK-{body[:4]}-{body[4:]}"


def normalised(code: str) -> str | None:
    """`code` as stored ('tk-abcd-2345 ' -> 'TK-ABCD-2345'), or None when it cannot be one.
    Dashes and spaces a reader drops or adds are forgiven."""
    letters = "".join(code.split()).replace("-", "").upper()
    candidate = f"{letters[:2]}-{letters[2:6]}-{letters[6:]}"
    return candidate if _CODE.fullmatch(candidate) else None


async def issue(session: AsyncSession, *, user_id: int, learner: str, approved_minutes: int,
                issued_on: date, school_year: date | None) -> Certificate:
    """Record a certificate for `learner`'s approved minutes of the school year that starts
    on `school_year` (None: all years)."""
    certificate = Certificate(code=new_code(), user_id=user_id, learner=learner,
                              approved_minutes=approved_minutes, issued_on=issued_on,
                              school_year=school_year)
    session.add(certificate)
    await session.flush()
    return certificate


async def find(session: AsyncSession, code: str) -> Certificate | None:
    """The certificate with `code` (any spelling `normalised` forgives), or None."""
    key = normalised(code)
    if key is None:
        return None
    return (await session.scalars(select(Certificate).where(Certificate.code == key))).first()


async def check(session: AsyncSession, code: str, *, actor_id: int,
                now: datetime) -> Certificate | None:
    """The certificate for `code` (None: no such code), checked by `actor_id` (anyone),
    counted toward their limit whether found or not: guessing costs as much as checking.
    The count is written even when nothing is found, so the caller commits either way."""
    since = now - CHECK_WINDOW
    made = await session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == CHECKED,
                                                AuditEvent.actor_id == actor_id,
                                                AuditEvent.at > since))
    if (made or 0) >= CHECKS_PER_WINDOW:
        raise Refusal("checks_limit", limit=CHECKS_PER_WINDOW)
    found = await find(session, code)
    audit.record(session, CHECKED, actor_id=actor_id, at=now, found=found is not None)
    return found


async def revoke(session: AsyncSession, code: str, *, actor_id: int,
                 now: datetime) -> Certificate:
    """Mark the certificate revoked (once: revoking it again keeps the first time)."""
    found = await find(session, code)
    if found is None:
        raise Refusal("certificate_unknown")
    if found.revoked_at is None:
        found.revoked_at, found.revoked_by = now, actor_id
        audit.record(session, "certificate_revoked", actor_id=actor_id, at=now,
                     code=found.code)
    return found
