"""catalog.formats.dates and .fields: dates, durations, codes, places and values partners write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from catalog.formats.dates import hours_between, parse_datetime, parse_hours, zone_for
from catalog.formats.fields import (
    country_code,
    decode_text,
    guess_kind,
    language_code,
    parse_bool,
    parse_price,
    place_parts,
)
from catalog.model import Kind

VILNIUS = ZoneInfo("Europe/Vilnius")
RIGA = ZoneInfo("Europe/Riga")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-21T18:00:00+02:00", datetime(2026, 11, 21, 18, tzinfo=timezone(timedelta(hours=2)))),
    ("2026-11-21T16:00:00Z", datetime(2026, 11, 21, 18, tzinfo=VILNIUS)),
    ("20261121T160000Z", datetime(2026, 11, 21, 16, tzinfo=UTC)),
    ("2026-11-21", datetime(2026, 11, 21, tzinfo=VILNIUS)),
    ("2026-11-21 18:00", datetime(2026, 11, 21, 18, tzinfo=VILNIUS)),
    ("21.11.2026 18:00", datetime(2026, 11, 21, 18, tzinfo=VILNIUS)),
    ("21.11.2026", datetime(2026, 11, 21, tzinfo=VILNIUS)),
    ("21/11/2026", datetime(2026, 11, 21, tzinfo=VILNIUS)),
    ("2026.11.21 18.00", datetime(2026, 11, 21, 18, tzinfo=VILNIUS)),
    ("Sat, 21 Nov 2026 18:00:00 +0200", datetime(2026, 11, 21, 16, tzinfo=UTC)),
    ("Sat, 21 Nov 2026 16:00:00 GMT", datetime(2026, 11, 21, 16, tzinfo=UTC)),
    ("21 Nov 2026 18:00:00 -0000", datetime(2026, 11, 21, 18, tzinfo=VILNIUS)),
])
def test_dates_in_the_formats_partners_use(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, VILNIUS)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "soon", "31.02.2026", "2026-13-01", "0001-01-01",
                                  "9999-12-31", "12/31/2026", "x" * 500, "Mon, 1 Jan"])
def test_impossible_or_placeholder_dates_are_none(text: str) -> None:
    assert parse_datetime(text, VILNIUS) is None


def test_naive_times_are_local_to_the_country_or_language() -> None:
    assert zone_for("LT") == VILNIUS
    assert zone_for("Latvija") == RIGA
    assert zone_for(None, "et") == ZoneInfo("Europe/Tallinn")
    assert zone_for(None, "en") == UTC
    assert parse_datetime("2026-07-01T12:00", zone_for("LV")) == \
        datetime(2026, 7, 1, 9, tzinfo=UTC)  # summer time in Riga
    assert parse_datetime(date(2026, 12, 24), zone_for("EE")) == \
        datetime(2026, 12, 23, 22, tzinfo=UTC)
    assert parse_datetime(123, VILNIUS) is None


@pytest.mark.parametrize(("value", "hours"), [
    ("PT2H30M", 2.5), ("PT90M", 1.5), ("P1DT2H", 26.0), ("PT1,5H", 1.5), ("2,5", 2.5), (3, 3.0),
    ("20 valandų", 20.0), (timedelta(minutes=45), 0.75),
])
def test_durations_and_workloads(value: object, hours: float) -> None:
    assert parse_hours(value) == hours


@pytest.mark.parametrize("value", ["PT", "P", "", "daug", -2, 0, True, None, "PT0S"])
def test_meaningless_durations_are_none(value: object) -> None:
    assert parse_hours(value) is None


def test_hours_between_counts_single_sessions_only() -> None:
    start = datetime(2026, 12, 5, 10, tzinfo=VILNIUS)
    assert hours_between(start, start + timedelta(hours=3)) == 3.0
    assert hours_between(start, start + timedelta(days=1)) is None  # an all-day event
    assert hours_between(start, start + timedelta(days=60)) is None  # a term, not a session
    assert hours_between(start, start - timedelta(hours=1)) is None


@pytest.mark.parametrize(("value", "code"), [
    ("lt-LT", "lt"), ("LT", "lt"), ("lit", "lt"), ("lv_LV", "lv"), ("Latvian", "lv"),
    ("rus", "ru"), ("de-DE", "de"), ("ger", "de"), ("", None), ("x-default", None),
    ("klingon", None), (None, None), (5, None),
])
def test_language_codes(value: object, code: str | None) -> None:
    assert language_code(value) == code


@pytest.mark.parametrize(("value", "code"), [
    ("lt", "LT"), ("Lietuva", "LT"), ("LVA", "LV"), ("Latvija", "LV"), ("Eesti", "EE"),
    ("Deutschland", "DE"), ("Atlantis", None), (None, None),
])
def test_country_codes(value: object, code: str | None) -> None:
    assert country_code(value) == code


@pytest.mark.parametrize(("text", "expected"), [
    ("Kauno biblioteka, K. Donelaičio g. 8, LT-44213 Kaunas", ("Kaunas", "LT", False)),
    ("Rīgas iela 5, LV-1050 Rīga, Latvija", ("Rīga", "LV", False)),
    ("Vilnius", ("Vilnius", None, False)),
    ("Gedimino pr. 9, Vilnius", ("Vilnius", None, False)),
    ("Biblioteka, online", (None, None, True)),
    ("Zoom", (None, None, True)),
    ("10115 Berlin, Germany", ("Berlin", "DE", False)),
    ("", (None, None, False)),
])
def test_place_parts(text: str, expected: tuple[str | None, str | None, bool]) -> None:
    assert place_parts(text) == expected


def test_kind_guess_from_categories_and_title() -> None:
    assert guess_kind(["savanorystė"], "Pagalba prieglaudai") == Kind.VOLUNTEERING
    assert guess_kind([], "Talka Daugavas krastā") == Kind.VOLUNTEERING
    assert guess_kind(["Ehrenamt"], "Lesepaten gesucht") == Kind.VOLUNTEERING
    assert guess_kind([], "Ищем волонтёров") == Kind.VOLUNTEERING
    assert guess_kind(["kalbų kursai"], "Anglų kalba") == Kind.COURSE
    assert guess_kind([], "Töpferkurs für Erwachsene") == Kind.COURSE
    assert guess_kind(["lekcija"], "Lekcija apie Baltijos jūrą") == Kind.EVENT
    assert guess_kind([], "Italka Party") == Kind.EVENT  # "talka" only as a word


@pytest.mark.parametrize(("value", "expected"), [
    ("taip", True), ("Ne", False), ("jā", True), ("nē", False), ("TRUE", True), ("0", False),
    ("ja", True), ("nein", False), ("", False), ("gal būt", None), (1, True),
])
def test_booleans(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize(("value", "price"), [
    ("12,50", 12.5), ("12.50 €", 12.5), ("1 200,00", 1200.0), (0, 0.0), ("nemokamai", 0.0),
    ("bezmaksas", 0.0), ("Free", 0.0), ("-5", None), ("kaina sutartinė", None), (None, None),
])
def test_prices(value: object, price: float | None) -> None:
    assert parse_price(value) == price


def test_decoding_prefers_a_bom_then_utf8_then_the_declared_charset() -> None:
    text = "Šiaulių „Aušros“ muziejus"
    assert decode_text(text.encode("utf-8-sig"), "iso-8859-1") == text
    assert decode_text(text.encode("utf-16"), None) == text
    assert decode_text(text.encode("cp1257"), "windows-1257") == text
    assert decode_text(text.encode("cp1257"), None) == text  # the Baltic fallback
    assert decode_text(text.encode("iso-8859-13"), "iso-8859-13") == text
    assert decode_text(text.encode("utf-8"), "no-such-charset") == text
