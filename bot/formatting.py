"""Dates, durations and numbers for the user's locale, through Babel."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_timedelta

from bot.i18n import current_language
from bot.models import utcnow


def when(moment: datetime, tz: str | None = None) -> str:
    """A short date and time in the current language (in `tz`, else UTC)."""
    return format_datetime(moment, "short", tzinfo=_zone(tz), locale=current_language())


def ago(moment: datetime, now: datetime | None = None) -> str:
    """'5 minutes ago' in the current language."""
    delta = moment - (now or utcnow())
    return format_timedelta(delta, add_direction=True, locale=current_language())


def _zone(tz: str | None) -> tzinfo:
    if not tz:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
