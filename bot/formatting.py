"""Dates, durations, numbers and money for the user's locale, through Babel.

Times are shown in the opportunity's own time zone (as the partner published them), dates
with the locale's month names ('sausio 15 d. 18:00', '15. Januar 18:00', 'January 15 6:00 PM'),
money with the locale's currency pattern ('10,00 €' vs '€10.00') and always the currency's
sign: CLDR gives some locales the ISO code instead (Ukrainian '45,00 EUR'), which would make
one language show prices differently from the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_skeleton, format_time, format_timedelta
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from bot.i18n import _, current_language, ngettext
from bot.storage.models import utcnow

DEFAULT_ZONE = "Europe/Vilnius"


def zone(name: str | None) -> tzinfo:
    """A tzinfo for an IANA name or a '+02:00' offset; Vilnius when unknown."""
    if name and name[0] in "+-" and len(name) == 6:
        sign = 1 if name[0] == "+" else -1
        return timezone(sign * timedelta(hours=int(name[1:3]), minutes=int(name[4:6])))
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def when(moment: datetime, tz: str | None = None) -> str:
    """A short date and time in the current language."""
    return format_datetime(moment, "short", tzinfo=zone(tz), locale=current_language())


# Babel matches a skeleton and formats anew on every call; a results page formats the same
# few dates again and again (every search, every language): remembered, by the wall-clock
# time (an aware datetime would equal the same instant in another zone). Neither pattern
# shows a zone.
def _skeleton(skeleton: str, local: datetime, language: str) -> str:
    return _wall_skeleton(skeleton, local.replace(tzinfo=None), language)


def _short_time(local: datetime, language: str) -> str:
    return _wall_short_time(local.replace(tzinfo=None), language)


@lru_cache(maxsize=8192)
def _wall_skeleton(skeleton: str, wall: datetime, language: str) -> str:
    return format_skeleton(skeleton, wall, locale=language)


@lru_cache(maxsize=8192)
def _wall_short_time(wall: datetime, language: str) -> str:
    return format_time(wall, "short", locale=language)


def day(moment: datetime, tz: str | None = None, *, now: datetime | None = None) -> str:
    """'sausio 15 d.' / 'January 15' (with the year when it is not this year's)."""
    local = moment.astimezone(zone(tz))
    this_year = (now or utcnow()).astimezone(zone(tz)).year
    skeleton = "MMMMd" if local.year == this_year else "yMMMMd"
    return _skeleton(skeleton, local, current_language())


def date_text(value: date, *, now: datetime | None = None) -> str:
    """A calendar date alone: 'lapkričio 20 d.' / 'November 20' (the year when not this)."""
    return day(datetime.combine(value, time(12), tzinfo=UTC), "UTC", now=now)


def day_time(moment: datetime, tz: str | None = None, *, now: datetime | None = None) -> str:
    """'sausio 15 d. 18:00'; the time is left out for events at midnight (all-day)."""
    local = moment.astimezone(zone(tz))
    text = day(moment, tz, now=now)
    if (local.hour, local.minute) != (0, 0):
        text += " " + _short_time(local, current_language())
    return text


def span(start: datetime | None, end: datetime | None, tz: str | None = None, *,
         now: datetime | None = None) -> str | None:
    """Start, or start to end, as one phrase; None when there is no date."""
    if start is None:
        return None
    begins = day_time(start, tz, now=now)
    if end is None or end <= start:
        return begins
    local_start, local_end = start.astimezone(zone(tz)), end.astimezone(zone(tz))
    if local_start.date() == local_end.date():
        return f"{begins}–{_short_time(local_end, current_language())}"
    return f"{begins} – {day(end, tz, now=now)}"


def number(value: float) -> str:
    return format_decimal(value, locale=current_language())


def hours(value: float) -> str:
    """'2,5 val.' / '2.5 h' (a unit abbreviation sidesteps plurals of fractions)."""
    return _("{hours} h").format(hours=number(round(value, 2)))


def hours_words(minutes: int) -> str:
    """Whole hours in words with the right plural form ('1 valanda', '2 valandos',
    '10 valandų'); fractions as '2,5 val.', which needs no plural."""
    if minutes % 60 == 0:
        count = minutes // 60
        return ngettext("{count} hour", "{count} hours", count).format(count=number(count))
    return hours(minutes / 60)


def price(value: float | None, currency: str | None) -> str | None:
    """'free', '10,00 €' / '€10.00', or None when unknown."""
    if value is None:
        return None
    if value == 0:
        return _("free")
    code = (currency or "EUR").upper()
    text = format_currency(value, code, locale=current_language())
    if get_currency_symbol(code, current_language()) == code:
        # The locale has no sign of its own for this currency: use the common one ('€', '$').
        text = text.replace(code, get_currency_symbol(code, "en"))
    return text


def distance(kilometres: float) -> str:
    if kilometres < 1:
        return _("{metres} m").format(metres=number(round(kilometres * 1000, -1)))
    return _("{km} km").format(km=number(round(kilometres, 1)))


def ago(moment: datetime, now: datetime | None = None) -> str:
    """'5 minutes ago' in the current language."""
    delta = moment - (now or utcnow())
    return format_timedelta(delta, add_direction=True, locale=current_language())
