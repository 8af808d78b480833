"""Constraints a query puts on the items it wants, and how each is checked against item data.

A `Constraints` value is what query understanding (`understand.py`) reads out of a query;
`constraint_mask` turns it into a boolean mask over an index, using per-item columns that
`item_columns` computes once at build time:

- times in the item's own time zone (the zone of its country, else the offset the feed
  gave): the month it starts in, the weekdays it meets on (a course meets on its first
  day's weekday every week; a one-off or multi-day event covers the days it spans) and the
  minute of the day it starts at (evening = 17:00 or later, morning = before 12:00);
- audiences (seniors, children, teenagers, pupils, families, parents) named anywhere in
  its text, through the lexicon;
- language levels A1-C2 named in its text;
- the languages it is taught in: its own language and any "in English", "на русском" ...
  phrase in its text;
- the ages it states it is for ('nuo 18 metų', 'ab 5 Jahren', '8–12 metų vaikams'): an age
  in the query ('mano sūnui 15 metų') must fall within them; an item that states none
  suits every age.

A price cap lists only items whose price is known to fit it; "free" also lets through items
whose price the feed did not give (RSS and iCalendar cannot say), ranked after those known to
be free.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from catalog.formats.zones import zone_named
from catalog.search.lexicon import LANGUAGES, Lexicon
from catalog.search.phrases import find_exact
from catalog.search.stem import concept_key

LEVELS = ("a1", "a2", "b1", "b2", "c1", "c2")
_LEVEL_SET = frozenset(LEVELS)
DAY_PARTS = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 17 * 60),
             "evening": (17 * 60, 24 * 60)}
COUNTRY_ZONES = {"LT": "Europe/Vilnius", "LV": "Europe/Riga", "EE": "Europe/Tallinn",
                 "DE": "Europe/Berlin", "NO": "Europe/Oslo", "PL": "Europe/Warsaw",
                 "FI": "Europe/Helsinki", "UA": "Europe/Kyiv", "SE": "Europe/Stockholm",
                 "GB": "Europe/London"}
DEFAULT_ZONE = ZoneInfo("Europe/Vilnius")
ANY_AGE = 255  # an item that states no age suits 0 to ANY_AGE
RECURRING_KINDS = ("course",)  # meet weekly on the weekday they start on


@dataclass(frozen=True)
class Constraints:
    """What the items must be, beyond matching the topic. Empty fields constrain nothing."""

    places: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    online: bool = False
    in_person: bool = False
    free: bool = False
    max_price: float | None = None
    date: str | None = None  # a named window: today, tomorrow, this_week, weekend, ...
    window: tuple[float, float] | None = None  # epoch seconds [from, to)
    months: frozenset[int] = frozenset()  # year * 12 + month - 1 of the months asked for
    weekdays: frozenset[int] = frozenset()  # 0 = Monday
    day_part: str | None = None  # morning, afternoon, evening
    audiences: frozenset[str] = frozenset()  # audience concept ids
    levels: frozenset[str] = frozenset()  # a1 ... c2
    taught_in: frozenset[str] = frozenset()  # language codes
    # Soft: audiences read from an age ('mano sūnui 15 metų'): ranked first, never filtered.
    age_audiences: frozenset[str] = field(default=frozenset())
    # The age itself: items that state ages it falls outside of are left out (an age
    # belongs with the audience: "nothing for that audience" when it empties the list).
    age: int | None = None

    def active(self) -> list[str]:
        """Names of the constraints in force, in the order they are relaxed when nothing is
        left (the most specific first, the town last)."""
        checks = (("date", self.date or self.months), ("weekday", self.weekdays),
                  ("time", self.day_part), ("price", self.max_price is not None),
                  ("free", self.free), ("level", self.levels),
                  ("audience", self.audiences or self.age is not None),
                  ("language", self.taught_in), ("kind", self.kinds),
                  ("online", self.online), ("in_person", self.in_person),
                  ("place", self.places))
        return [name for name, on in checks if on]

    def without(self, name: str) -> Constraints:
        """The same constraints with `name` (as listed by `active()`) lifted."""
        lifted = {
            "date": {"date": None, "window": None, "months": frozenset()},
            "weekday": {"weekdays": frozenset()}, "time": {"day_part": None},
            "price": {"max_price": None}, "free": {"free": False},
            "level": {"levels": frozenset()},
            "audience": {"audiences": frozenset(), "age": None},
            "language": {"taught_in": frozenset()}, "kind": {"kinds": frozenset()},
            "online": {"online": False}, "in_person": {"in_person": False},
            "place": {"places": frozenset()},
        }[name]
        return replace(self, **lifted)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ItemColumns:
    """What constraints read of one item (see the module docstring)."""

    start_month: int = -1  # year * 12 + month - 1, local; -1 unknown
    end_month: int = -1
    start_minute: int = -1  # minutes after local midnight; -1 unknown
    weekdays: int = 0  # bit mask, bit 0 = Monday; 0 unknown
    audiences: int = 0  # bit mask over Lexicon.hard_audiences
    levels: int = 0  # bit mask over LEVELS
    taught_in: int = 0  # bit mask over LANGUAGES
    min_age: int = 0  # the ages the item states it is for (0 to ANY_AGE: it states none)
    max_age: int = ANY_AGE


def item_zone(country: str | None, timezone: str | None) -> tzinfo | None:
    """The item's own time zone: the one stored with it at sync (its TZID, else its town's
    or country's zone, else the feed's offset: catalog.formats.zones), else its country's.
    The same zone its times are shown in, so "evening" means what the reader sees."""
    if timezone:
        return zone_named(timezone)
    if country and country.upper() in COUNTRY_ZONES:
        return ZoneInfo(COUNTRY_ZONES[country.upper()])
    return None


def month_number(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _weekdays(start: datetime, end: datetime | None, kind: str) -> int:
    if kind in RECURRING_KINDS or end is None or end <= start:
        return 1 << start.weekday()
    if end - start >= timedelta(days=6):
        return 0b1111111
    mask, day = 0, start.date()
    while day <= end.date():
        mask |= 1 << day.weekday()
        day += timedelta(days=1)
    return mask


def item_columns(words: list[str], *, language: str | None, kind: str,
                 start: datetime | None, end: datetime | None, zone: tzinfo | None,
                 lexicon: Lexicon, keys: list[str] | None = None) -> ItemColumns:
    """Constraint columns of one item from its text `words` (all fields, folded) and data;
    `keys` are the words' `concept_key`s when the caller has them already."""
    start_month = end_month = start_minute = -1
    weekdays = 0
    if start is not None:
        local = start.astimezone(zone) if zone else start
        start_month = month_number(local)
        start_minute = local.hour * 60 + local.minute
        local_end = end.astimezone(zone) if (end is not None and zone) else end
        end_month = month_number(local_end) if local_end is not None else start_month
        weekdays = _weekdays(local, local_end, kind)
    audiences = 0
    if keys is None:
        keys = [concept_key(w) for w in words]
    for _s, _e, concept in find_exact(keys, lexicon.audience_labels):
        audiences |= 1 << lexicon.hard_audiences.index(concept)
    levels = 0
    if not _LEVEL_SET.isdisjoint(words):
        for word in words:
            if word in _LEVEL_SET:
                levels |= 1 << LEVELS.index(word)
    taught = 1 << LANGUAGES.index(language) if language in LANGUAGES else 0
    for _s, _e, key in find_exact(words, lexicon.taught_phrases):
        taught |= 1 << LANGUAGES.index(key.removeprefix("in_language."))
    return ItemColumns(start_month, end_month, start_minute, weekdays, audiences, levels,
                       taught, *stated_ages(words, lexicon))


def _age_number(word: str) -> int | None:
    return int(word) if word.isdigit() and len(word) <= 2 else None


def stated_ages(words: list[str], lexicon: Lexicon) -> tuple[int, int]:
    """The ages an item's text says it is for, (youngest, oldest): a number and an age word
    after a word for 'from' or 'older than' ('nuo 18 metų', 'no 14 gadu vecuma', 'ab 5
    Jahren', 'от 6 лет', 'at least 16 years old') or a range ('8–12 metų vaikams', 'nuo 2
    iki 5 metų'). (0, ANY_AGE) when it says nothing, or only 'up to 12 years' (more often
    the age of someone the item is about: 'for parents of children up to 12')."""
    ages = lexicon.constraint_words["age_words"]
    if ages.isdisjoint(words):
        return 0, ANY_AGE
    starts = lexicon.constraint_words["age_from_words"]
    between = lexicon.constraint_words["age_range_words"]
    youngest: list[int] = []
    oldest: list[int] = []
    for i, word in enumerate(words):
        age = _age_number(words[i - 1]) if i and word in ages else None
        if age is None:
            continue
        below = _age_number(words[i - 2]) if i >= 2 else None
        if below is None and i >= 3 and words[i - 2] in between:  # 'nuo 2 iki 5 metų'
            below = _age_number(words[i - 3])
        if below is not None and below < age:  # '8–12 metų'
            youngest.append(below)
            oldest.append(age)
        elif any(w in starts for w in words[max(0, i - 4):i - 1]):  # 'nuo 18 metų'
            youngest.append(age)
            oldest.append(ANY_AGE)
    if not youngest:
        return 0, ANY_AGE
    return min(youngest), max(oldest)
