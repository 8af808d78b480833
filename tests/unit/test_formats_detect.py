"""Format detection and `parse_feed` as a whole: whatever bytes arrive, a result or a FeedError."""

from __future__ import annotations

import codecs
import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.formats import detect_format, parse_feed
from catalog.model import FeedError, FeedFormat

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
RSS = b"<rss version='2.0'><channel><item><title>x</title><guid>1</guid></item></channel></rss>"


@pytest.mark.parametrize(("content_type", "fmt"), [
    ("application/ld+json", FeedFormat.JSONLD),
    ("application/json; charset=utf-8", FeedFormat.JSONLD),
    ("application/rss+xml", FeedFormat.RSS),
    ("application/atom+xml", FeedFormat.RSS),
    ("application/rdf+xml", FeedFormat.RSS),
    ("text/xml; charset=iso-8859-13", FeedFormat.RSS),
    ("application/xml", FeedFormat.RSS),
    ("text/calendar; charset=utf-8", FeedFormat.ICS),
    ("TEXT/CSV", FeedFormat.CSV),
])
def test_content_type_decides_when_the_body_does_not_contradict(content_type: str,
                                                                fmt: FeedFormat) -> None:
    assert detect_format(content_type, b"something else entirely") == fmt


@pytest.mark.parametrize(("body", "fmt"), [
    (b'  {"@context": "https://schema.org"}', FeedFormat.JSONLD),
    (b"[]", FeedFormat.JSONLD),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", FeedFormat.ICS),
    (b"begin:vcalendar\n", FeedFormat.ICS),
    (RSS, FeedFormat.RSS),
    (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', FeedFormat.RSS),
    (b"<!-- comment --><rdf:RDF/>", FeedFormat.RSS),
    (codecs.BOM_UTF8 + b"id;pavadinimas\n1;x\n", FeedFormat.CSV),
    (codecs.BOM_UTF8 + b"<rss/>", FeedFormat.RSS),
    ("<?xml version='1.0' encoding='utf-16'?><rss/>".encode("utf-16"), FeedFormat.RSS),
    ("<rss/>".encode("utf-16-le"), FeedFormat.RSS),
    (b"id,title,url\n", FeedFormat.CSV),
])
def test_sniffing(body: bytes, fmt: FeedFormat) -> None:
    assert detect_format(None, body) == fmt
    assert detect_format("application/octet-stream", body) == fmt


def test_a_body_that_plainly_is_something_else_beats_the_content_type() -> None:
    assert detect_format("application/json", RSS) == FeedFormat.RSS
    assert detect_format("text/html", b"BEGIN:VCALENDAR\r\n") == FeedFormat.ICS


def test_the_url_helps_when_nothing_else_does() -> None:
    assert detect_format(None, b"plain words", "https://x.example/feed.ics?v=2") == FeedFormat.ICS


@pytest.mark.parametrize("body", [b"hello world", b"\x00\x01\x02\xff\xfe\x89PNG", b"   ",
                                  b"<!DOCTYPE html><html><body>Not found</body></html>",
                                  b"<html><head><title>Feed</title></head></html>"])
def test_unknown_formats_and_html_pages_are_refused(body: bytes) -> None:
    with pytest.raises(FeedError):
        detect_format("text/html", body)


@pytest.mark.parametrize("body", [b"", b" \r\n\t "])
def test_empty_body(body: bytes) -> None:
    with pytest.raises(FeedError, match="empty document"):
        parse_feed(body, None, now=NOW)


def test_binary_garbage() -> None:
    garbage = bytes(range(256)) * 64
    with pytest.raises(FeedError):
        parse_feed(garbage, None, now=NOW)
    for fmt in FeedFormat:
        with contextlib.suppress(FeedError):
            parse_feed(garbage, fmt, now=NOW)


def test_naive_now_is_taken_as_utc() -> None:
    result = parse_feed(RSS, None, now=datetime(2026, 11, 20))
    assert [i.title for i in result.items] == ["x"]


_PREFIXES = st.sampled_from([
    b"", b"<?xml version='1.0'?>", b"<rss version='2.0'><channel><item>", b"<feed>",
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b'{"@type": "Event", "name": ', b"[{",
    b"id;title;start\n1;", b"\xef\xbb\xbf", b"<!DOCTYPE rss [<!ENTITY a 'b'>]>",
])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, body=st.binary(max_size=2000),
       fmt=st.one_of(st.none(), st.sampled_from(list(FeedFormat))),
       content_type=st.one_of(st.none(), st.sampled_from(["text/csv", "application/json",
                                                          "text/xml; charset=bogus"])))
def test_any_bytes_give_a_result_or_a_feed_error(prefix: bytes, body: bytes,
                                                 fmt: FeedFormat | None,
                                                 content_type: str | None) -> None:
    try:
        result = parse_feed(prefix + body, fmt, content_type=content_type, now=NOW)
    except FeedError as exc:
        message = str(exc)
    else:
        message = "ok"
        assert all(item.title and item.source_id for item in result.items)
    assert message
    assert "\n" not in message
