"""The time zone an opportunity happens in, so its times are shown as local wall-clock times.

`local_zone(item)` is the accessor the rest of the code uses (the stored
`Opportunity.timezone` and `SearchDoc.timezone` hold its result): the zone the partner named
(an iCalendar TZID), else the zone of the item's town (the gazetteer knows each town's
country), country or Baltic language, else the offset the partner wrote, else UTC.
`zone_named(name)` turns a stored name ('Europe/Vilnius' or '+02:00') back into a tzinfo.

A time given in UTC ('Z') states an instant, not where it happens: a Vilnius museum night at
17:00Z is at 20:00 in Vilnius, and is shown so.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.formats.fields import country_code
from catalog.search.normalize import tokens

DATA = Path(__file__).resolve().parent.parent / "data"

COUNTRY_ZONES = {
    "LT": "Europe/Vilnius", "LV": "Europe/Riga", "EE": "Europe/Tallinn",
    "DE": "Europe/Berlin", "PL": "Europe/Warsaw", "FI": "Europe/Helsinki",
    "NO": "Europe/Oslo", "SE": "Europe/Stockholm", "UA": "Europe/Kyiv",
    "GB": "Europe/London", "IE": "Europe/Dublin", "DK": "Europe/Copenhagen",
    "BY": "Europe/Minsk",
}
_LANGUAGE_COUNTRY = {"lt": "LT", "lv": "LV", "et": "EE"}
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Universal", "Zulu"})


class Placed(Protocol):
    """What `local_zone` reads: an `Item`, a `Draft` or a `SearchDoc`."""

    @property
    def start(self) -> datetime | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...


@lru_cache(maxsize=1)
def _town_countries() -> dict[str, str]:
    """Every name form of every gazetteer town, folded, -> its country (read once)."""
    with (DATA / "places.json").open(encoding="utf-8") as handle:
        places = json.load(handle)["places"]
    return {" ".join(tokens(form)): place["country"]
            for place in places for forms in place["names"].values() for form in forms}


def town_country(city: str | None) -> str | None:
    """The country code of a town the gazetteer knows ('Klaipėda', 'Rīgā', 'Wilno')."""
    if not city:
        return None
    words = tokens(city)
    known = _town_countries()
    # 'Vilnius', but also 'Vilnius district' or 'Old Town, Rīga': the longest known run wins.
    for size in range(min(len(words), 3), 0, -1):
        for first in range(len(words) - size + 1):
            country = known.get(" ".join(words[first : first + size]))
            if country:
                return country
    return None


def place_zone(city: str | None = None, country: str | None = None,
               language: str | None = None) -> str | None:
    """The IANA zone of a town, else of a country, else of a Baltic language; None if unknown."""
    code = (country_code(country) or town_country(city)
            or _LANGUAGE_COUNTRY.get((language or "").lower()))
    return COUNTRY_ZONES.get(code or "")


def _named(zone: tzinfo | None) -> str | None:
    key = getattr(zone, "key", None) or getattr(zone, "zone", None)
    return key if isinstance(key, str) and key not in _UTC_NAMES else None


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_zone(item: Placed) -> str | None:
    """The zone to show the item's times in (see the module docstring); None without a start."""
    start = item.start
    if start is None or start.tzinfo is None:
        return None
    named = _named(start.tzinfo)
    if named:  # a TZID the partner gave
        return named
    offset = start.utcoffset() or timedelta(0)
    where = place_zone(item.city, item.country, item.language)
    if where is None:
        return "UTC" if not offset else _offset_name(offset)
    if not offset or start.astimezone(ZoneInfo(where)).utcoffset() == offset:
        return where
    # An offset that is not the town's: the partner knows better where it happens.
    return _offset_name(offset)


def zone_named(name: str | None) -> tzinfo:
    """A tzinfo for a stored zone name: an IANA name or a '+02:00' offset; UTC when unknown."""
    if name and name[0] in "+-" and len(name) == 6:
        try:
            sign = 1 if name[0] == "+" else -1
            return timezone(sign * timedelta(hours=int(name[1:3]), minutes=int(name[4:6])))
        except ValueError:
            return UTC
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def in_local_zone(item: Placed) -> tzinfo | None:
    """`local_zone(item)` as a tzinfo, to move the item's times into it."""
    name = local_zone(item)
    return zone_named(name) if name else None
