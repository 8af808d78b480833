"""Certificates issued by /export, recorded so an organisation can check a code."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import Refusal
from bot.storage.models import Certificate, Membership, User

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"TK-{body[:4]}-{body[4:]}"


async def issue(session: AsyncSession, user: User, approved_minutes: int,
                issued_on: date) -> Certificate:
    certificate = Certificate(code=new_code(), user_id=user.id, learner=user.first_name,
                              approved_minutes=approved_minutes, issued_on=issued_on)
    session.add(certificate)
    await session.flush()
    return certificate


async def check(session: AsyncSession, code: str, *, actor_id: int,
                is_admin: bool) -> Certificate:
    """The certificate for `code`; organizers and administrators may check codes."""
    organizes = (await session.scalar(
        select(Membership.id).where(Membership.user_id == actor_id).limit(1))) is not None
    if not (organizes or is_admin):
        raise Refusal("not_your_org")
    normalised = code.strip().upper()
    found = (await session.scalars(
        select(Certificate).where(Certificate.code == normalised))).first()
    if found is None:
        raise Refusal("certificate_unknown")
    return found
