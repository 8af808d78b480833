"""schema.org JSON-LD feeds: a realistic Lithuanian feed field by field, every wrapper shape,
and the documents that must be refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from catalog.formats import parse_feed
from catalog.model import FeedError, FeedFormat, Kind, ParseResult

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
VILNIUS = ZoneInfo("Europe/Vilnius")


def parse(document: Any, **kwargs: Any) -> ParseResult:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parse_feed(body, FeedFormat.JSONLD, now=NOW, **kwargs)


@pytest.fixture(scope="module")
def sample() -> ParseResult:
    return parse_feed((FEEDS / "kursai_lt.jsonld").read_bytes(), None, now=NOW)


def test_course_takes_the_first_upcoming_instance(sample: ParseResult) -> None:
    course = sample.items[0]
    assert course.source_id == "https://kaunosmc.example/kursai/anglu-a2"
    assert course.title == "Anglų kalbos kursai suaugusiesiems (A2 lygis)"
    assert course.kind == Kind.COURSE
    assert course.language == "lt"
    assert course.description == ("Kursai suaugusiesiems, kurie nori kalbėti drąsiau & aiškiau."
                                  "\n\nPokalbiai\nGramatika")
    assert course.provider == "Kauno suaugusiųjų mokymo centras"
    assert (course.city, course.country) == ("Kaunas", "LT")
    assert (course.latitude, course.longitude) == (54.8985, 23.9036)
    assert course.online is False
    # Naive times in a Lithuanian place are Vilnius time.
    assert course.start == datetime(2027, 1, 12, 18, tzinfo=VILNIUS)
    assert course.end == datetime(2027, 3, 30, 19, 30, tzinfo=VILNIUS)
    assert course.hours == 36.0
    assert (course.price, course.currency) == (45.0, "EUR")
    assert course.keywords == ("anglų kalba", "A2", "suaugusiųjų mokymas")
    assert course.url == "https://kaunosmc.example/kursai/anglu-a2"


def test_online_education_event(sample: ParseResult) -> None:
    event = sample.items[1]
    assert event.kind == Kind.EVENT
    assert event.online is True
    assert event.city is None
    assert event.provider == "Kauno suaugusiųjų mokymo centras"
    assert event.start == datetime(2026, 12, 3, 16, tzinfo=UTC)
    assert event.hours == 1.5
    assert (event.price, event.currency) == (0.0, None)
    assert event.keywords == ("dirbtinis intelektas", "technologijos", "paskaita")
    assert event.url == "https://kaunosmc.example/renginiai/webinaras-ai"  # from @id


def test_volunteering_from_additional_type(sample: ParseResult) -> None:
    action = sample.items[2]
    assert action.kind == Kind.VOLUNTEERING
    assert action.source_id == "https://kaunosmc.example/savanoryste/prieglauda"  # url, no @id
    assert action.language == "lt"  # "lit"
    assert action.provider == "Gyvūnų prieglauda „Ausytė“"
    assert (action.city, action.country) == ("Vilnius", "LT")
    assert action.start == datetime(2026, 12, 12, tzinfo=VILNIUS)  # a date-only value
    assert action.price == 0.0


def test_missing_title_duplicate_and_blank_node_ids_are_skipped(sample: ParseResult) -> None:
    assert len(sample.items) == 3
    assert sample.skipped == [
        "item 4: no title",
        "item 5: duplicate id 'https://kaunosmc.example/kursai/anglu-a2'",
        "item 6: no id",
    ]


def test_script_in_description_is_gone(sample: ParseResult) -> None:
    assert all("alert" not in item.description for item in sample.items)


EVENT = {"@type": "Event", "@id": "https://x.example/e/1", "name": "Paskaita",
         "startDate": "2026-12-01T18:00:00+02:00"}
COURSE = {"@type": "Course", "@id": "https://x.example/c/1", "name": "Kursai"}


@pytest.mark.parametrize("document", [
    {"@context": "https://schema.org", **EVENT},
    [EVENT, COURSE],
    {"@context": "https://schema.org", "@graph": [EVENT, COURSE, {"@type": "Organization"}]},
    {"@type": "ItemList", "itemListElement": [EVENT, COURSE]},
    {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": EVENT},
                                              {"@type": "ListItem", "item": COURSE}]},
    {"@type": "WebPage", "mainEntity": {"@type": "ItemList", "itemListElement": [EVENT]}},
    {"@type": ["Thing", "https://schema.org/Event"], "@id": "https://x.example/e/1",
     "name": "Paskaita"},
], ids=["object", "array", "graph", "itemlist", "listitems", "mainentity", "type-list-iri"])
def test_wrapper_shapes(document: Any) -> None:
    result = parse(document)
    assert result.items
    assert result.items[0].source_id == "https://x.example/e/1"
    assert not result.skipped


def test_event_subtypes_and_course_instance() -> None:
    document = [
        {"@type": "SocialEvent", "@id": "s", "name": "Šventė"},
        {"@type": "CourseInstance", "@id": "ci", "name": "Grupė A", "courseMode": "online",
         "startDate": "2027-02-01"},
        {"@type": "Organization", "@id": "o", "name": "Nereikalinga"},
    ]
    result = parse(document)
    assert [(i.source_id, i.kind, i.online) for i in result.items] == [
        ("s", Kind.EVENT, False), ("ci", Kind.COURSE, True)]


def test_past_instances_only_give_the_latest() -> None:
    course = {**COURSE, "hasCourseInstance": [
        {"@type": "CourseInstance", "startDate": "2025-01-10T10:00:00+02:00"},
        {"@type": "CourseInstance", "startDate": "2026-03-10T10:00:00+02:00"},
    ]}
    assert parse(course).items[0].start == datetime(2026, 3, 10, 8, tzinfo=UTC)


def test_context_language_and_language_tagged_names() -> None:
    document = {"@context": ["https://schema.org", {"@language": "lv"}],
                "@graph": [{"@type": "Event", "@id": "a", "name": "Lekcija"},
                           {"@type": "Event", "@id": "b",
                            "name": {"@value": "Лекция", "@language": "ru"}}]}
    result = parse(document)
    assert result.language == "lv"
    assert [(i.title, i.language) for i in result.items] == [("Lekcija", "lv"), ("Лекция", "ru")]


def test_operator_language_then_detection_fill_the_gaps() -> None:
    events = [{"@type": "Event", "@id": "a", "name": "Sveiki"},
              {"@type": "Event", "@id": "b", "name": "Vakaras",
               "description": "Kviečiame visus į vakarą bibliotekoje, kuriame skaitysime eiles."}]
    assert [i.language for i in parse(events, feed_language="LV").items] == ["lv", "lv"]
    assert [i.language for i in parse(events).items] == [None, "lt"]


def test_cancelled_events_are_skipped() -> None:
    result = parse([{**EVENT, "eventStatus": "https://schema.org/EventCancelled"}])
    assert result.items == []
    assert result.skipped == ["item 1: cancelled"]


def test_naive_times_without_a_place_are_utc() -> None:
    result = parse([{"@type": "Event", "@id": "a", "name": "Talk",
                     "startDate": "2026-12-01T18:00"}])
    assert result.items[0].start == datetime(2026, 12, 1, 18, tzinfo=UTC)


def test_offset_times_keep_their_instant() -> None:
    result = parse([{**EVENT, "startDate": "2026-12-01T18:00:00-05:00"}])
    assert result.items[0].start == datetime(2026, 12, 1, 18, tzinfo=timezone(timedelta(hours=-5)))


def test_an_empty_list_is_an_empty_feed() -> None:
    assert parse([]).items == []
    assert parse({"@type": "ItemList", "itemListElement": []}).items == []


@pytest.mark.parametrize(("body", "message"), [
    (b'{"@type": "Event", "name": "x",', "malformed JSON"),
    (b"[" * 100_000, "malformed JSON"),
    (b'{"a": 1}', "no schema.org"),
    (b'"just a string"', "no schema.org"),
    (b'{"price": 1' + b"0" * 5000 + b"}", "malformed JSON"),
])
def test_unusable_documents(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(body)


def test_json_in_a_legacy_charset_is_still_read() -> None:
    body = json.dumps([{**EVENT, "name": "Šiaulių šventė"}], ensure_ascii=False).encode("cp1257")
    result = parse_feed(body, FeedFormat.JSONLD, content_type="application/json; charset=cp1257",
                        now=NOW)
    assert result.items[0].title == "Šiaulių šventė"
