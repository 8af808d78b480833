"""RSS 2.0, RSS 1.0 and Atom feeds, and the XML that must never reach a parser."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from catalog.formats import parse_feed
from catalog.model import FeedError, FeedFormat, Kind, ParseResult

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def parse(body: bytes, **kwargs: str) -> ParseResult:
    return parse_feed(body, FeedFormat.RSS, now=NOW, **kwargs)


@pytest.fixture(scope="module")
def latvian() -> ParseResult:
    return parse_feed((FEEDS / "renginiai_lv.xml").read_bytes(), None, now=NOW)


def test_rss2_event_with_the_event_module(latvian: ParseResult) -> None:
    lecture = latvian.items[0]
    assert latvian.language == "lv"
    assert lecture.source_id == "rcb-2026-118"
    assert lecture.title == "Lekcija: Baltijas jūras piesārņojums un mēs"
    assert lecture.description == ('Lekcijā runāsim par mikroplastmasu & "ziedošām" aļģēm.'
                                   "\n\nIeeja bez maksas.")
    assert lecture.language == "lv"
    assert lecture.provider == "Rīgas Centrālā bibliotēka"  # the channel's title
    assert lecture.city == "Rīga"
    assert (lecture.latitude, lecture.longitude) == (56.9561, 24.1211)
    # A naive ev:startdate in a Latvian feed is Riga time, and wins over pubDate.
    assert lecture.start == datetime(2026, 12, 10, 18, tzinfo=ZoneInfo("Europe/Riga"))
    assert lecture.end == datetime(2026, 12, 10, 19, 30, tzinfo=ZoneInfo("Europe/Riga"))
    assert lecture.hours == 1.5
    assert lecture.keywords == ("lekcija", "ekoloģija")
    assert lecture.kind == Kind.EVENT
    assert lecture.url == "https://rcb.example/pasakumi/jura"


def test_link_is_the_id_without_guid_and_categories_give_the_kind(latvian: ParseResult) -> None:
    volunteers = latvian.items[1]
    assert volunteers.source_id == "https://rcb.example/brivpratigie/tirgus"
    assert volunteers.kind == Kind.VOLUNTEERING
    assert volunteers.start == datetime(2026, 12, 5, 8, tzinfo=UTC)  # pubDate


def test_place_and_date_footer_line(latvian: ParseResult) -> None:
    course = latvian.items[2]
    assert course.kind == Kind.COURSE
    assert course.city == "Rīga"
    assert course.start == datetime(2027, 1, 11, 16, tzinfo=UTC)
    assert course.description == "Nodarbības divreiz nedēļā."  # the footer is taken out


def test_untitled_duplicate_and_unidentified_entries_are_counted(latvian: ParseResult) -> None:
    assert len(latvian.items) == 3
    assert latvian.skipped == ["entry 4: no title", "entry 5: duplicate id 'rcb-2026-118'",
                               "entry 6: no id"]


def test_scripts_never_reach_descriptions(latvian: ParseResult) -> None:
    assert all("evil" not in i.description and "document" not in i.description
               for i in latvian.items)


def test_atom() -> None:
    result = parse_feed((FEEDS / "veranstaltungen_de.atom").read_bytes(), None, now=NOW)
    assert result.language == "de"
    course, open_day = result.items
    assert course.source_id == "urn:vhs:kurs:4711"
    assert course.title == "Töpferkurs für Erwachsene (Anfänger)"
    assert course.description == "Acht Abende an der Drehscheibe – Ton und Glasur inklusive."
    assert course.kind == Kind.COURSE
    assert course.language == "de"
    assert course.start == datetime(2027, 1, 14, 17, 30, tzinfo=UTC)  # published, not updated
    assert course.keywords == ("Töpfern", "Keramik")
    assert course.url == "https://vhs-spreebogen.example/kurse/4711"
    assert open_day.language == "en"  # the entry's own xml:lang
    assert open_day.start == datetime(2026, 12, 1, 10, tzinfo=UTC)  # only updated


def test_rss1() -> None:
    result = parse_feed((FEEDS / "kursy_ru.rdf").read_bytes(), None, now=NOW)
    assert result.language == "ru"
    course, cleanup = result.items
    assert course.source_id == "https://most.example/kursy/latyshskij"
    assert course.title == "Латышский язык для начинающих"
    assert course.kind == Kind.COURSE
    assert course.language == "ru"
    assert course.start == datetime(2027, 1, 12, 16, tzinfo=UTC)
    assert course.keywords == ("курсы", "латышский язык")
    assert cleanup.kind == Kind.VOLUNTEERING  # "Субботник"


def test_malformed_xml_is_one_clear_line() -> None:
    body = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>x</title>\n</rss>'
    with pytest.raises(FeedError, match=r"^malformed XML: mismatched tag at line 5$"):
        parse(body)


def test_recoverable_markup_errors_still_give_entries() -> None:
    body = ("<rss version='2.0'><channel><title>Bibliotēka</title>"
            "<item><title>Lekcija &nbsp; par jūru</title><guid>1</guid><br></item>"
            "</channel></rss>").encode()
    result = parse(body)
    assert [i.title for i in result.items] == ["Lekcija par jūru"]


BILLION_LAUGHS = b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n' + b"".join(
    b'<!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
    for i in range(1, 10)) + b']>\n<rss version="2.0"><channel><title>&lol9;</title>' \
    b"<item><title>&lol9;</title><guid>1</guid></item></channel></rss>"


def test_billion_laughs_is_refused() -> None:
    """Refused by its declarations, never expanded (how fast: bench_hostile_feeds.py)."""
    with pytest.raises(FeedError, match="declares entities"):
        parse(BILLION_LAUGHS)


def test_quadratic_blowup_is_refused() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
            b"<rss><channel><item><title>" + b"&a;" * 50_000 + b"</title></item></channel></rss>")
    with pytest.raises(FeedError, match="declares entities"):
        parse(body)


@pytest.mark.parametrize("system_id", [b"file:///etc/passwd", b"http://169.254.169.254/latest/"])
def test_external_entities_are_refused(system_id: bytes) -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "' + system_id + b'">]>'
            b"<rss version='2.0'><channel><item><title>&xxe;</title><guid>1</guid></item>"
            b"</channel></rss>")
    with pytest.raises(FeedError, match="declares entities"):
        parse(body)


def test_entities_in_malformed_xml_are_refused_too() -> None:
    # Not well-formed (so defusedxml gives up early), but feedparser's lenient parser would try.
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "boom">]><rss><channel>'
            b"<item><title>&x;</title><guid>1</guid></channel></rss>")
    with pytest.raises(FeedError, match="declares entities"):
        parse(body)


def test_a_short_body_is_never_taken_for_a_file_name(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<rss version='2.0'><channel><item><title>leak</title><guid>1</guid>"
                      "</item></channel></rss>")
    with pytest.raises(FeedError):
        parse(str(secret).encode())


def test_wrong_declared_charset_does_not_garble_utf8() -> None:
    body = ("<rss version='2.0'><channel><item><title>Žvakių liejimo dirbtuvės</title>"
            "<guid>1</guid></item></channel></rss>").encode()
    result = parse(body, content_type="text/xml; charset=iso-8859-1")
    assert result.items[0].title == "Žvakių liejimo dirbtuvės"


def test_legacy_charset_from_the_xml_declaration_or_the_server() -> None:
    xml = ("<rss version='2.0'><channel><item><title>Šiaulių „Aušros“ muziejus</title>"
           "<guid>1</guid></item></channel></rss>")
    declared = ('<?xml version="1.0" encoding="windows-1257"?>' + xml).encode("cp1257")
    assert parse(declared).items[0].title == "Šiaulių „Aušros“ muziejus"
    served = xml.encode("cp1257")
    assert parse(served, content_type="application/rss+xml; charset=windows-1257").items[0].title \
        == "Šiaulių „Aušros“ muziejus"


def test_xml_that_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse(b'<?xml version="1.0"?><catalog><book id="1"/></catalog>')


def test_a_feed_without_entries_is_empty_not_an_error() -> None:
    result = parse("<rss version='2.0'><channel><title>Tuščia</title></channel></rss>".encode())
    assert result.items == []
    assert result.skipped == []
