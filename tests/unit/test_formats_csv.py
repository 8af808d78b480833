"""CSV exports: Lithuanian and Latvian headers, ';' and ',', UTF-8 with and without BOM,
Windows-1257, and the rows and files that cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from catalog.formats import detect_format, parse_feed
from catalog.model import FeedError, FeedFormat, Kind, ParseResult

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
VILNIUS = ZoneInfo("Europe/Vilnius")
RIGA = ZoneInfo("Europe/Riga")


def parse(body: bytes, **kwargs: str) -> ParseResult:
    return parse_feed(body, FeedFormat.CSV, now=NOW, **kwargs)


@pytest.mark.parametrize("name", ["renginiai_lt.csv", "renginiai_lt_cp1257.csv"])
def test_lithuanian_export_semicolons(name: str) -> None:
    body = (FEEDS / name).read_bytes()
    assert detect_format(None, body) == FeedFormat.CSV
    result = parse(body)
    course, workshop, volunteers, online = result.items
    assert course.source_id == "101"
    assert course.title == "Kompiuterinio raštingumo kursai senjorams"
    assert course.description == ("Mokysimės naudotis el. paštu; naršyti internete ir saugiai "
                                  "atsiskaityti.")
    assert course.provider == "Utenos rajono savivaldybės viešoji biblioteka"
    assert (course.city, course.country, course.language) == ("Utena", "LT", "lt")
    assert course.kind == Kind.COURSE
    assert course.start == datetime(2027, 2, 2, 10, tzinfo=VILNIUS)
    assert course.end == datetime(2027, 4, 6, 12, tzinfo=VILNIUS)
    assert (course.hours, course.price, course.currency) == (20.0, 0.0, "EUR")
    assert course.keywords == ("kompiuteris", "senjorai", "el. paštas")
    assert course.url == "https://utenos-biblioteka.example/kursai/101"
    assert course.online is False

    assert workshop.kind == Kind.EVENT
    assert workshop.description == ("Išsiliesime žvakes iš bičių vaško.\n"
                                    "Medžiagos įskaičiuotos į kainą.")
    assert workshop.country == "LT"  # "Lietuva"
    assert workshop.start == datetime(2026, 11, 21, 18, tzinfo=VILNIUS)
    assert (workshop.hours, workshop.price) == (2.5, 12.5)

    assert volunteers.kind == Kind.VOLUNTEERING
    assert volunteers.title == "Savanoriai „Maisto banko“ akcijai"
    assert volunteers.keywords == ("savanorystė", "labdara", "maistas")

    assert online.online is True
    assert online.kind == Kind.COURSE  # no type given: "kursas" in the title
    assert online.start == datetime(2027, 2, 15, tzinfo=VILNIUS)  # "15/02/2027", from "lt"

    assert result.skipped == ["row 5: no title", "row 7: duplicate id '101'"]


def test_latvian_export_commas_without_bom() -> None:
    body = (FEEDS / "pasakumi_lv.csv").read_bytes()
    assert not body.startswith(b"\xef\xbb\xbf")
    course, cleanup, webinar = parse(body).items
    assert course.source_id == "LV-7"
    assert course.title == "Angļu valodas kursi pieaugušajiem"
    assert course.description == "Nodarbības divreiz nedēļā, mācību materiāli iekļauti."
    assert course.provider == "Daugavpils Mūžizglītības centrs"
    assert (course.city, course.country, course.language) == ("Daugavpils", "LV", "lv")
    assert course.start == datetime(2027, 1, 11, 18, tzinfo=RIGA)
    assert (course.hours, course.price) == (48.0, 120.0)
    assert course.keywords == ("angļu valoda", "pieaugušajiem", "A1")
    assert course.kind == Kind.COURSE
    assert cleanup.kind == Kind.VOLUNTEERING  # "brīvprātīgais darbs"
    assert cleanup.start == datetime(2027, 4, 25, 10, tzinfo=RIGA)
    assert webinar.online is True  # "jā"
    assert webinar.kind == Kind.EVENT  # "pasākums"
    assert (webinar.hours, webinar.price) == (1.5, None)


def test_cp1257_is_detected_without_a_declared_charset() -> None:
    body = (FEEDS / "renginiai_lt_cp1257.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert parse(body).items[1].title == "Žvakių liejimo dirbtuvės"
    declared = parse(body, content_type="text/csv; charset=windows-1257")
    assert declared.items[1].title == "Žvakių liejimo dirbtuvės"


def test_tabs_url_as_id_and_english_headers() -> None:
    body = (b"Title\tURL\tStart\tPrice_EUR\tOnline\n"
            b"Open day\thttps://x.example/open\t2026-12-01 10:00\t0\tno\n")
    item = parse(body).items[0]
    assert item.source_id == "https://x.example/open"
    assert (item.price, item.currency, item.online) == (0.0, "EUR", False)
    assert item.start == datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_a_huge_single_line_field_skips_only_its_row() -> None:
    body = ("id;title\n1;" + "ž" * 300_000 + "\n2;Paskaita\n").encode()
    result = parse(body)  # how long it takes: benchmarks/bench_hostile_feeds.py
    assert [i.title for i in result.items] == ["Paskaita"]
    assert len(result.skipped) == 1
    assert result.skipped[0].startswith("row 2: field larger")


def test_a_long_title_is_cut_to_the_limit() -> None:
    body = ("id;title\n1;" + "Labai ilgas pavadinimas " * 100 + "\n").encode()
    assert len(parse(body).items[0].title) <= 300


@pytest.mark.parametrize(("body", "message"), [
    (b"name_of_thing;other\n1;2\n", "title column"),
    (b"title;description\nx;y\n", "id or url column"),
    (b"\n", "empty document"),
])
def test_unusable_exports(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(body)


def test_blank_lines_are_not_rows() -> None:
    body = b"id,title\n\n1,Kursai\n,\n"
    result = parse(body)
    assert [i.title for i in result.items] == ["Kursai"]
    assert result.skipped == []
