"""A pupil's profile (/profile): school, grade, municipality, yearly target and the full name
printed on certificates, set one field at a time. Which field waits for a typed value is the
user's waiting record (handlers/waiting.py), so a restart between the button and the answer
loses nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.schools import clean_full_name
from bot.storage.models import User
from bot.text import shorten

# Text fields and their length limits; "target" is the yearly target in hours.
TEXT_FIELDS = {"school": 200, "grade": 20, "municipality": 100}
FIELDS = (*TEXT_FIELDS, "target", "full_name")
MAX_TARGET_MINUTES = 1000 * 60


async def profile_of(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def set_field(session: AsyncSession, user_id: int, field: str, value: str) -> User | None:
    """Store `value` as `field` (the target as hours: '40', '40,5'); Refusal
    "target_range" for a target that is not 1 to 1000 hours."""
    user = await session.get(User, user_id)
    if user is None or field not in FIELDS:
        return user
    if field == "target":
        minutes = parse_minutes(value)
        if minutes is None or minutes > MAX_TARGET_MINUTES:
            raise Refusal("target_range")
        user.yearly_target_minutes = minutes
    elif field == "full_name":  # the certificate's; a school's class list keeps its own
        user.full_name = clean_full_name(value)
    else:
        text = " ".join(value.split())
        setattr(user, field, shorten(text, TEXT_FIELDS[field]) if text else None)
    return user
