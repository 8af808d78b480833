"""The next occurrences of a recurring iCalendar event (RRULE, RDATE, EXDATE) after `now`.

dateutil does the calendar arithmetic. What this module adds is bounding it, because a feed is
untrusted input: sub-daily rules are refused (no learning opportunity recurs every minute),
rules whose BY* parts can never match (the 30th of February, the 5th candidate of a day) are
detected with a cheap probe instead of letting dateutil scan every day up to the year 9999,
and the caller passes a deadline so that one feed cannot spend more than its share of CPU on
recurrences. What remains (a rule that is impossible only through its INTERVAL) costs well
under a second, once per feed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from dateutil.rrule import rrule, rruleset, rrulestr

MAX_OCCURRENCES = 10
HORIZON = timedelta(days=365)
_SUPPORTED = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_DAY_LIMITING = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAYS_PER_PERIOD = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


class RecurrenceError(ValueError):
    """The rule cannot be expanded safely; the message says why, in a few words."""


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _rule_text(rule: Mapping[str, Sequence[Any]], start: datetime) -> str:
    """The RRULE value with UNTIL rewritten in UTC, which dateutil insists on for aware starts."""
    parts: list[str] = []
    for key, values in rule.items():
        name = str(key).upper()
        if name == "UNTIL":
            until = values[0] if values else None
            if isinstance(until, date) and not isinstance(until, datetime):
                until = datetime(until.year, until.month, until.day, 23, 59, 59)
            if not isinstance(until, datetime):
                raise RecurrenceError("unreadable UNTIL")
            stamp = _aware(until, start.tzinfo or UTC).astimezone(UTC)
            parts.append(f"UNTIL={stamp:%Y%m%dT%H%M%SZ}")
        else:
            parts.append(f"{name}=" + ",".join(_value(v) for v in values))
    return ";".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    to_ical = getattr(value, "to_ical", None)
    if callable(to_ical):
        raw = to_ical()
        return raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
    return str(value)


def _setpos_possible(upper: Mapping[str, list[str]], freq: str) -> bool:
    """BYSETPOS picks the n-th candidate of a period; beyond the most a period can hold, none."""
    positions = upper.get("BYSETPOS")
    if not positions:
        return True
    days = _DAYS_PER_PERIOD[freq]
    times = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        times *= max(1, len(upper.get(part, [])))
    try:
        return any(0 < abs(int(p)) <= days * times for p in positions)
    except ValueError:
        raise RecurrenceError("unreadable BYSETPOS") from None


def _feasible(rule: Mapping[str, Sequence[Any]], freq: str, start: datetime) -> bool:
    """Whether the rule's day filters can ever match, probed over one 400-year Gregorian cycle
    placed just before the year 9999, where dateutil's own scan stops."""
    upper = {str(k).upper(): [_value(v) for v in vs] for k, vs in rule.items()}
    if not _setpos_possible(upper, freq):
        return False
    if not any(k in upper for k in _DAY_LIMITING):
        return True
    parts = {k: upper[k] for k in _DAY_LIMITING if k in upper}
    days = [re.sub(r"^[+-]?\d+", "", d) for d in upper.get("BYDAY", [])]
    if days:
        parts["BYDAY"] = days
    if not any(k in parts for k in ("BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")):
        # Without a day filter dateutil falls back to the start's day (or weekday).
        if freq in ("YEARLY", "MONTHLY"):
            parts["BYMONTHDAY"] = [str(start.day)]
        elif freq == "WEEKLY":
            parts["BYDAY"] = [_WEEKDAYS[start.weekday()]]
    text = "FREQ=YEARLY;" + ";".join(f"{k}={','.join(v)}" for k, v in parts.items())
    year = 9200 + start.year % 400  # the same place in the 400-year cycle: same leap years
    try:
        probe = rrulestr(text, dtstart=datetime(year, 1, 1))
        return next(iter(probe), None) is not None
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RecurrenceError(f"unreadable RRULE ({exc})") from None


def occurrences(start: datetime, rules: Sequence[Mapping[str, Sequence[Any]]],
                rdates: Sequence[date | datetime], exdates: Sequence[date | datetime], *,
                now: datetime, deadline: float) -> list[datetime]:
    """Up to `MAX_OCCURRENCES` starts in [now, now + HORIZON], in order.

    `start` (DTSTART, aware) counts as the first occurrence, as RFC 5545 says; `rules` are the
    decoded RRULE values (icalendar's `vRecur`, a mapping of part name to values).
    """
    if time.monotonic() > deadline:
        # dateutil cannot be interrupted inside one rule, so the budget is checked between them.
        raise RecurrenceError("recurrence expansion budget used up")
    zone = start.tzinfo or UTC
    schedule = rruleset()
    schedule.rdate(start)
    try:
        for rule in rules:
            freq = str(_value((rule.get("FREQ") or [""])[0])).upper()
            if freq not in _SUPPORTED:
                raise RecurrenceError(f"unsupported frequency {freq or 'missing'}")
            if not _feasible(rule, freq, start):
                raise RecurrenceError("the RRULE never matches a day")
            parsed = rrulestr(_rule_text(rule, start), dtstart=start)
            if not isinstance(parsed, rrule):
                raise RecurrenceError("unreadable RRULE")
            schedule.rrule(parsed)
    except RecurrenceError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RecurrenceError(f"unreadable RRULE ({exc})") from None
    for value in rdates:
        schedule.rdate(_aware(value, zone))
    for value in exdates:
        schedule.exdate(_aware(value, zone))
    found: list[datetime] = []
    window_end = now + HORIZON
    try:
        for occurrence in schedule:
            if occurrence > window_end:
                break
            if occurrence >= now:
                found.append(occurrence)
                if len(found) == MAX_OCCURRENCES:
                    break
            if time.monotonic() > deadline:
                raise RecurrenceError("recurrence expansion took too long")
    except RecurrenceError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise RecurrenceError(f"unreadable recurrence ({exc})") from None
    return found
