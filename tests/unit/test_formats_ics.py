"""iCalendar feeds: time zones, all-day events, recurrences expanded after a fixed now, and
calendars broken as a whole or in one event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from catalog.formats import parse_feed
from catalog.model import FeedError, FeedFormat, Item, Kind, ParseResult

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
VILNIUS = ZoneInfo("Europe/Vilnius")
RIGA = ZoneInfo("Europe/Riga")


def calendar(*events: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//LT"]
    for event in events:
        body += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    return ("\r\n".join([*body, "END:VCALENDAR", ""])).encode()


def parse(body: bytes) -> ParseResult:
    return parse_feed(body, FeedFormat.ICS, now=NOW)


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    return parse_feed((FEEDS / "kalendorius_lt.ics").read_bytes(), None, now=NOW)


def by_id(result: ParseResult) -> dict[str, Item]:
    return {item.source_id: item for item in result.items}


def test_event_with_a_vtimezone_tzid(sample: ParseResult) -> None:
    item = by_id(sample)["dirbtuves-2026-12-05@kaunobiblioteka.example"]
    assert item.title == "Kalėdinių žaisliukų dirbtuvės šeimoms"
    assert item.language == "lt"
    assert item.description == ("Kursime žaisliukus iš šiaudų, popieriaus ir gamtinių "
                                "medžiagų.\nTinka vaikams nuo 5 metų.")
    # "Vilniaus laikas" is only defined by the calendar's own VTIMEZONE: winter, UTC+2.
    assert item.start == datetime(2026, 12, 5, 8, tzinfo=UTC)
    assert item.end == datetime(2026, 12, 5, 11, tzinfo=UTC)
    assert item.hours == 3.0
    assert (item.city, item.country) == ("Kaunas", "LT")
    assert (item.latitude, item.longitude) == (54.8972, 23.9119)
    assert item.keywords == ("dirbtuvės", "šeimoms", "Kalėdos")
    assert item.kind == Kind.EVENT
    assert item.provider == "Kauno miesto viešoji biblioteka"
    assert item.url == "https://kaunobiblioteka.example/renginiai/zaisliukai"


def test_all_day_event_and_volunteering_category(sample: ParseResult) -> None:
    item = by_id(sample)["talka-2026-12-12@kaunobiblioteka.example"]
    assert item.kind == Kind.VOLUNTEERING
    assert item.start == datetime(2026, 12, 12, tzinfo=VILNIUS)  # local midnight, from "lt"
    assert item.hours is None  # a whole day is not 24 hours of work
    assert item.city == "Kaunas"
    assert item.provider == "Kauno miesto viešoji biblioteka"  # X-WR-CALNAME


def test_weekly_course_expanded_after_now(sample: ParseResult) -> None:
    uid = "latviesu-valoda@kaunobiblioteka.example"
    occurrences = sorted((i for i in sample.items if i.source_id.startswith(uid + "@")
                          and "pārcelta" not in i.title), key=lambda i: i.start or NOW)
    expected = [datetime(2026, 11, 24), datetime(2026, 12, 1), datetime(2026, 12, 15),
                datetime(2026, 12, 22), datetime(2027, 1, 5), datetime(2027, 1, 12),
                datetime(2027, 1, 19), datetime(2027, 1, 26), datetime(2027, 2, 2),
                datetime(2027, 2, 9)]
    # Past Tuesdays are gone, 8 December moved (RECURRENCE-ID), 29 December excluded (EXDATE),
    # and at most ten are kept.
    assert [i.start for i in occurrences] == [d.replace(hour=18, tzinfo=RIGA) for d in expected]
    first = occurrences[0]
    assert first.source_id == f"{uid}@2026-11-24T18:00:00+02:00"
    assert first.end == datetime(2026, 11, 24, 19, 30, tzinfo=RIGA)
    assert first.language == "lv"
    assert first.kind == Kind.COURSE
    assert (first.city, first.country) == ("Rīga", "LV")
    moved = by_id(sample)[f"{uid}@2026-12-08T18:00:00+02:00"]
    assert moved.start == datetime(2026, 12, 9, 18, tzinfo=RIGA)


def test_broken_missing_and_cancelled_events_are_skipped_alone(sample: ParseResult) -> None:
    assert sample.skipped == ["event 5: unreadable DTSTART", "event 6: no id",
                              "event 7: cancelled"]
    assert len(sample.items) == 2 + 10 + 1 + 1


def test_duration_online_and_html_description(sample: ParseResult) -> None:
    item = by_id(sample)["webinar-ai@kaunobiblioteka.example"]
    assert item.online is True
    assert item.city is None
    assert item.end == datetime(2026, 12, 17, 17, 30, tzinfo=UTC)
    assert item.language == "en"
    assert item.description == "Live on Zoom."


def test_iana_tzid_without_vtimezone_and_until() -> None:
    body = calendar("""
UID:yoga@x
SUMMARY:Jooga
DTSTART;TZID=Europe/Tallinn:20261201T090000
RRULE:FREQ=DAILY;UNTIL=20261203T070000Z
""")
    starts = [i.start for i in parse(body).items]
    assert starts == [datetime(2026, 12, d, 9, tzinfo=ZoneInfo("Europe/Tallinn"))
                      for d in (1, 2, 3)]


def test_rdate_and_monthly_rule_keep_wall_clock_time_across_dst() -> None:
    body = calendar("""
UID:club@x
SUMMARY:Knygų klubas
DTSTART;TZID=Europe/Vilnius:20270301T180000
RRULE:FREQ=MONTHLY;COUNT=2
RDATE;TZID=Europe/Vilnius:20270315T180000
""")
    starts = [i.start for i in parse(body).items]
    assert starts == [datetime(2027, 3, 1, 18, tzinfo=VILNIUS),
                      datetime(2027, 3, 15, 18, tzinfo=VILNIUS),
                      datetime(2027, 4, 1, 18, tzinfo=VILNIUS)]
    last = starts[-1]
    assert last is not None
    assert last.utcoffset() == timedelta(hours=3)


def test_recurrences_past_the_horizon_or_over_are_reported() -> None:
    body = calendar("""
UID:old@x
SUMMARY:Senas ciklas
DTSTART:20200101T100000Z
RRULE:FREQ=WEEKLY;COUNT=3
""")
    result = parse(body)
    assert result.items == []
    assert result.skipped == ["event 1: no occurrence in the coming year"]


@pytest.mark.parametrize(("rule", "reason"), [
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never matches"),
    ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "never matches"),
    ("FREQ=MINUTELY", "unsupported frequency MINUTELY"),
    ("FREQ=SOMETIMES", "unreadable RRULE"),
])
def test_hostile_rules_are_refused(rule: str, reason: str) -> None:
    """Refused before any expansion (how fast: benchmarks/bench_hostile_feeds.py)."""
    body = calendar(f"UID:r@x\nSUMMARY:R\nDTSTART:19700101T000000Z\nRRULE:{rule}")
    result = parse(body)
    assert result.items == []
    assert reason in result.skipped[0]


def test_item_language_from_the_summary_language_parameter() -> None:
    body = calendar("UID:a@x\nSUMMARY;LANGUAGE=ru-RU:Лекция\nDTSTART:20261201T160000Z",
                    "UID:b@x\nSUMMARY:Paskaita apie tai, kaip mes kalbame ir kodėl\n"
                    "DTSTART:20261201T160000Z")
    assert [i.language for i in parse(body).items] == ["ru", "lt"]


@pytest.mark.parametrize("body", [
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n",
    b"BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
])
def test_malformed_calendars_are_one_clear_line(body: bytes) -> None:
    with pytest.raises(FeedError, match="iCalendar"):
        parse(body)


def test_an_empty_calendar_is_an_empty_feed() -> None:
    assert parse(calendar()).items == []


def test_duplicate_uids_keep_the_first() -> None:
    body = calendar("UID:same@x\nSUMMARY:Pirmas\nDTSTART:20261201T160000Z",
                    "UID:same@x\nSUMMARY:Antras\nDTSTART:20261202T160000Z")
    result = parse(body)
    assert [i.title for i in result.items] == ["Pirmas"]
    assert result.skipped == ["event 2: duplicate id 'same@x'"]
