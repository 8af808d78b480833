"""Dates, times and durations as partners write them, made time-zone aware.

Every format goes through `parse_datetime`: ISO 8601 (with or without time or offset, basic or
extended), RFC 2822 (RSS), and the local habits of municipal exports: '2026-11-21 18:00',
'21.11.2026 18:00', '21/11/2026', '2026.11.21'. A time without an offset is taken to be local
time where the opportunity happens: `zone_for(country, language, city)` picks the zone of
the country, else of the town (Vilnius, Riga, Tallinn, Berlin ...), else of Lithuanian,
Latvian or Estonian text, and UTC otherwise. A date without a time is midnight of that day
in that zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from catalog.formats.zones import place_zone

# Years outside this window are typos or placeholders ("0001-01-01"), not opportunities.
_MIN_YEAR, _MAX_YEAR = 1970, 2200
_DAY_FIRST = re.compile(
    r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})\.?"
    r"(?:[ T,]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?")
_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})\.?"
    r"(?:[ T,]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?")
_DURATION = re.compile(
    r"P(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def zone_for(country: str | None = None, language: str | None = None,
             city: str | None = None) -> tzinfo:
    """The zone naive times are read in: the country's, else the town's, else the language's
    Baltic one, else UTC (see `catalog.formats.zones.place_zone`)."""
    name = place_zone(city, country, language)
    return ZoneInfo(name) if name else UTC


def _sane(value: datetime) -> datetime | None:
    return value if _MIN_YEAR <= value.year <= _MAX_YEAR else None


def localize(value: datetime | date, zone: tzinfo) -> datetime | None:
    """An aware datetime: naive times and bare dates are read as wall-clock time in `zone`."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return _sane(value)


def _from_parts(match: re.Match[str], zone: tzinfo) -> datetime | None:
    try:
        value = datetime(int(match["y"]), int(match["m"]), int(match["d"]),
                         int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0))
    except ValueError:
        return None
    return localize(value, zone)


def parse_datetime(value: object, zone: tzinfo = UTC) -> datetime | None:
    """An aware datetime from a string, date or datetime; None when it is not one."""
    if isinstance(value, datetime | date):
        return localize(value, zone)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        return localize(datetime.fromisoformat(text), zone)
    except ValueError:
        pass
    for pattern in (_DAY_FIRST, _YEAR_FIRST):
        match = pattern.fullmatch(text)
        if match:
            return _from_parts(match, zone)
    if text[:1].isalpha() or text[:1].isdigit():
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        # RFC 2822 "-0000" means "local time unknown": read it in the item's zone instead.
        if parsed.tzinfo is None:
            return localize(parsed, zone)
        return _sane(parsed)
    return None


def parse_hours(value: object) -> float | None:
    """Hours from an ISO 8601 duration ('PT2H30M', 'P1DT2H') or a bare number ('2,5', 3)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        hours = float(value)
    elif isinstance(value, timedelta):
        hours = value.total_seconds() / 3600
    elif isinstance(value, str):
        text = value.strip()
        match = _DURATION.fullmatch(text) if text[:1] in "pP" else None
        if match and any(match.groupdict().values()):
            parts = {k: float(v.replace(",", ".")) if v else 0.0
                     for k, v in match.groupdict().items()}
            hours = (parts["w"] * 168 + parts["d"] * 24 + parts["h"] + parts["m"] / 60
                     + parts["s"] / 3600)
        else:
            number = _NUMBER.match(text)
            if not number:
                return None
            hours = float(number.group().replace(",", "."))
    else:
        return None
    if not 0 < hours < 100_000:
        return None
    return round(hours, 2)


def hours_between(start: datetime | None, end: datetime | None) -> float | None:
    """The length of a single session (under a day); None for all-day events and longer spans."""
    if start is None or end is None:
        return None
    span = (end - start).total_seconds() / 3600
    return round(span, 2) if 0 < span < 24 else None
