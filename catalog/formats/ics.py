"""iCalendar feeds: one item per VEVENT, recurring events expanded into their next occurrences.

Mapping: UID -> source_id; SUMMARY (its LANGUAGE parameter -> language); DESCRIPTION (HTML
stripped if any); URL; LOCATION -> city and online by `fields.place_parts` (the last part of
'Library, Street 1, Kaunas' that is not a postcode or country; 'Provider, online' is online);
GEO; CATEGORIES -> keywords, and with the SUMMARY they give the kind (volunteering or course
words; default event); ORGANIZER's CN, else the calendar's X-WR-CALNAME -> provider;
DTSTART/DTEND or DURATION with TZID (VTIMEZONE or IANA name) or UTC, all-day dates at local
midnight. A recurring event (RRULE/RDATE/EXDATE) becomes one item per occurrence in the year
after `now` (at most 10), with source_id 'UID@<occurrence start ISO>'; moved occurrences
(RECURRENCE-ID) replace the ones they move. Cancelled events and events whose dates cannot be
read are skipped with a reason.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Component

from catalog.formats.collect import Collector, Draft
from catalog.formats.dates import localize, zone_for
from catalog.formats.fields import decode_text, guess_kind, language_code, place_parts
from catalog.formats.recurrence import RecurrenceError, occurrences
from catalog.model import FeedError, ParseResult
from catalog.text import clean_description, clean_line

# The whole document's share of CPU for recurrence expansion.
RECURRENCE_BUDGET_SECONDS = 2.0
_DATE_PROPERTIES = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
                              "RECURRENCE-ID"})


def _first(event: Component, name: str) -> Any:
    value = event.get(name)
    return value[0] if isinstance(value, list) and value else value


def _all(event: Component, name: str) -> list[Any]:
    value = event.get(name)
    return value if isinstance(value, list) else [] if value is None else [value]


def _attr(value: Any, name: str) -> Any:
    try:
        return getattr(value, name, None)
    except ValueError:  # icalendar's vBroken raises on access to what it could not parse
        return None


def _when(event: Component, name: str) -> date | datetime | timedelta | None:
    value = event.get(name)
    if isinstance(value, list):
        raise ValueError(f"several {name}")
    dt = _attr(value, "dt") if value is not None else None
    if value is not None and not isinstance(dt, date | datetime | timedelta):
        raise ValueError(f"unreadable {name}")
    return dt


def _dates(event: Component, name: str) -> list[date | datetime]:
    found: list[date | datetime] = []
    for prop in _all(event, name):
        for entry in _attr(prop, "dts") or []:
            value = _attr(entry, "dt")
            if isinstance(value, tuple):  # a PERIOD: its start is the occurrence
                value = value[0]
            if isinstance(value, date | datetime):
                found.append(value)
    return found


def _categories(event: Component) -> list[str]:
    words: list[str] = []
    for prop in _all(event, "CATEGORIES"):
        words.extend(str(c) for c in _attr(prop, "cats") or [])
    return words


def _events(calendars: Sequence[Component]) -> Iterator[tuple[Component, Component]]:
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            yield calendar, event


def _draft(calendar: Component, event: Component) -> Draft:
    summary = _first(event, "SUMMARY")
    description = _first(event, "DESCRIPTION")
    params = _attr(summary, "params") or _attr(description, "params") or {}
    city, country, online = place_parts(str(_first(event, "LOCATION") or ""))
    language = language_code(params.get("LANGUAGE"))
    zone = zone_for(country, language, city)
    raw_start = _when(event, "DTSTART")
    raw_end = _when(event, "DTEND")
    start = localize(raw_start, zone) if isinstance(raw_start, date) else None
    end = localize(raw_end, zone) if isinstance(raw_end, date) else None
    duration = _when(event, "DURATION")
    if end is None and start is not None and isinstance(duration, timedelta):
        end = start + duration
    organizer = _first(event, "ORGANIZER")
    geo = _first(event, "GEO")
    categories = _categories(event)
    title = str(summary) if summary is not None else None
    return Draft(
        source_id=str(_first(event, "UID") or "") or None,
        title=title,
        kind=guess_kind(categories, title),
        language=language,
        description=clean_description(str(description) if description is not None else ""),
        provider=(_attr(organizer, "params") or {}).get("CN")
        or str(calendar.get("X-WR-CALNAME") or "") or None,
        city=city, country=country, online=online,
        latitude=_attr(geo, "latitude"), longitude=_attr(geo, "longitude"),
        start=start, end=end, keywords=categories,
        url=str(_first(event, "URL") or "") or None,
    )


def _moved(calendars: Sequence[Component], zone_of: dict[str, Any]) -> dict[str, list[datetime]]:
    """UID -> the original starts of occurrences that have their own (RECURRENCE-ID) VEVENT."""
    moved: dict[str, list[datetime]] = {}
    for _, event in _events(calendars):
        try:
            original = _when(event, "RECURRENCE-ID")
        except ValueError:
            continue
        uid = str(_first(event, "UID") or "")
        if isinstance(original, date):
            aware = localize(original, zone_of.get(uid) or zone_for())
            if aware is not None:
                moved.setdefault(uid, []).append(aware)
    return moved


def _add_event(collector: Collector, where: str, calendar: Component, event: Component,
               moved: dict[str, list[datetime]], now: datetime, deadline: float) -> None:
    broken = {name for name, _ in getattr(event, "errors", []) if name in _DATE_PROPERTIES}
    if broken:
        collector.skip(where, f"unreadable {', '.join(sorted(broken))}")
        return
    if str(_first(event, "STATUS") or "").upper() == "CANCELLED":
        collector.skip(where, "cancelled")
        return
    try:
        draft = _draft(calendar, event)
        recurrence_id = _when(event, "RECURRENCE-ID")
    except ValueError as exc:
        collector.skip(where, str(exc))
        return
    rules = _all(event, "RRULE")
    rdates = _dates(event, "RDATE")
    if isinstance(recurrence_id, date) and draft.source_id:
        original = localize(recurrence_id, draft.start.tzinfo if draft.start and
                            draft.start.tzinfo else zone_for())
        if original is not None:
            draft.source_id = f"{draft.source_id}@{original.isoformat()}"
    elif (rules or rdates) and draft.start is not None and draft.source_id:
        length = draft.end - draft.start if draft.end else None
        exdates = _dates(event, "EXDATE") + moved.get(draft.source_id, [])
        try:
            starts = occurrences(draft.start, rules, rdates, exdates, now=now, deadline=deadline)
        except RecurrenceError as exc:
            collector.skip(where, str(exc))
            return
        if not starts:
            collector.skip(where, "no occurrence in the coming year")
        for start in starts:
            collector.add(where, dataclasses.replace(
                draft, source_id=f"{draft.source_id}@{start.isoformat()}", start=start,
                end=start + length if length is not None else None))
        return
    collector.add(where, draft)


def parse(body: bytes, *, charset: str | None = None, now: datetime) -> ParseResult:
    """Items from an iCalendar document; FeedError when it is not one or cannot be read."""
    text = decode_text(body, charset, fallback="utf-8")
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise FeedError(f"malformed iCalendar: {clean_line(str(exc), 150)}") from None
    except Exception as exc:  # a third-party parser meeting hostile input
        raise FeedError(f"malformed iCalendar ({type(exc).__name__})") from None
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise FeedError("not an iCalendar document: no VCALENDAR")
    collector = Collector()
    deadline = time.monotonic() + RECURRENCE_BUDGET_SECONDS
    zones: dict[str, Any] = {}
    for _, event in _events(calendars):
        start = _attr(event.get("DTSTART"), "dt")
        if isinstance(start, datetime) and start.tzinfo is not None:
            zones.setdefault(str(_first(event, "UID") or ""), start.tzinfo)
    moved = _moved(calendars, zones)
    for position, (calendar, event) in enumerate(_events(calendars), start=1):
        where = f"event {position}"
        try:
            _add_event(collector, where, calendar, event, moved, now, deadline)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            # icalendar parses lazily and raises on access: one odd VEVENT, not the feed.
            collector.skip(where, f"unreadable event ({type(exc).__name__})")
    return collector.result
