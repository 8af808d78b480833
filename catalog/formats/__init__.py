"""Partner feeds in, `Item`s out: format detection and the one entry point every sync uses.

    fmt = detect_format(response.content_type, body, url)
    result = parse_feed(body, fmt, content_type=..., feed_language=feed.language, now=now)

Formats: schema.org JSON-LD (`jsonld`), RSS/Atom (`rss`), iCalendar (`ics`), CSV (`csv`).
Each parser returns a `ParseResult` or raises `FeedError` with one line fit for `feeds list`;
`parse_feed` turns any other failure of a parser on hostile input into a `FeedError` too, and
gives every item a language: its own, else the feed's declared one, else the operator's
`feed_language`, else one detected from its title and description.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime

from catalog.formats import csv_feed, ics, jsonld, rss
from catalog.formats.fields import language_code
from catalog.langdetect import detect_language
from catalog.model import FeedError, FeedFormat, ParseResult
from catalog.text import clean_line

__all__ = ["detect_format", "parse_feed"]

Parser = Callable[..., ParseResult]
_PARSERS: dict[FeedFormat, Parser] = {
    FeedFormat.JSONLD: jsonld.parse,
    FeedFormat.RSS: rss.parse,
    FeedFormat.ICS: ics.parse,
    FeedFormat.CSV: csv_feed.parse,
}
_CONTENT_TYPES = {
    "application/ld+json": FeedFormat.JSONLD, "application/json": FeedFormat.JSONLD,
    "text/json": FeedFormat.JSONLD,
    "application/rss+xml": FeedFormat.RSS, "application/atom+xml": FeedFormat.RSS,
    "application/rdf+xml": FeedFormat.RSS, "text/xml": FeedFormat.RSS,
    "application/xml": FeedFormat.RSS,
    "text/calendar": FeedFormat.ICS,
    "text/csv": FeedFormat.CSV, "application/csv": FeedFormat.CSV,
    "text/comma-separated-values": FeedFormat.CSV,
}
_EXTENSIONS = {
    "jsonld": FeedFormat.JSONLD, "json": FeedFormat.JSONLD, "xml": FeedFormat.RSS,
    "rss": FeedFormat.RSS, "atom": FeedFormat.RSS, "rdf": FeedFormat.RSS, "ics": FeedFormat.ICS,
    "ical": FeedFormat.ICS, "csv": FeedFormat.CSV,
}
_BOMS = (b"\xef\xbb\xbf", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC, which feedparser can still read
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*",
                     re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_HEAD_BYTES = 8192


def _head(body: bytes) -> str:
    """The start of the document as text good enough for sniffing markers, in any Unicode form."""
    head = body[:_HEAD_BYTES]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    # UTF-16/32 without a BOM: dropping NULs leaves the ASCII markers readable.
    return head.replace(b"\x00", b"").decode("utf-8", errors="replace").lstrip()


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _sniff(body: bytes) -> FeedFormat | None:
    """A format the first bytes prove; raises FeedError for an HTML page."""
    if body.startswith(_EBCDIC_XML):
        return FeedFormat.RSS
    head = _head(body)
    if head[:1] in ("{", "["):
        return FeedFormat.JSONLD
    if head[:15].upper() == "BEGIN:VCALENDAR":
        return FeedFormat.ICS
    if head[:1] == "<":
        prolog = _PROLOG.match(head)
        rest = head[prolog.end() if prolog else 0:]
        root = _ROOT.match(rest)
        if re.match(r"<!DOCTYPE\s+html", head, re.IGNORECASE) or (
                root and root.group(1).lower() == "html"):
            raise FeedError("an HTML page, not a feed")
        return FeedFormat.RSS
    return None


def _looks_like_csv(body: bytes) -> bool:
    first_line = _head(body).split("\n", 1)[0]
    return "<" not in first_line and any(d in first_line for d in (",", ";", "\t"))


def detect_format(content_type: str | None, body: bytes, url: str | None = None) -> FeedFormat:
    """The feed's format from its content type, its first bytes, its URL, in that order.

    A content type the body plainly contradicts (RSS served as application/json) loses to
    the body. Raises FeedError when nothing identifies a format we read.
    """
    declared = _CONTENT_TYPES.get(_media_type(content_type))
    sniffed = _sniff(body)
    if declared is not None and sniffed in (None, declared):
        return declared
    if sniffed is not None:
        return sniffed
    path = (url or "").split("?", 1)[0].split("#", 1)[0]
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if _looks_like_csv(body):
        return FeedFormat.CSV
    shown = _media_type(content_type) or "none"
    raise FeedError(f"unknown feed format (content type: {shown})")


def _with_languages(result: ParseResult, feed_language: str | None) -> ParseResult:
    fallback = result.language or language_code(feed_language)
    items = []
    for item in result.items:
        language = item.language or fallback or detect_language(
            f"{item.title}\n{item.description}")
        items.append(item if language == item.language else
                     dataclasses.replace(item, language=language))
    return ParseResult(items=items, skipped=result.skipped, language=result.language)


def parse_feed(body: bytes, fmt: FeedFormat | None, *, content_type: str | None = None,
               feed_language: str | None = None, now: datetime) -> ParseResult:
    """Parse one fetched document; `fmt` None means detect it. Raises only FeedError.

    `now` anchors the expansion of recurring iCalendar events (and the choice of a course's
    upcoming instance); nothing is dropped for being in the past.
    """
    if not body.strip():
        raise FeedError("empty document")
    if fmt is None:
        fmt = detect_format(content_type, body)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        result = _PARSERS[FeedFormat(fmt)](body, charset=_charset(content_type), now=now)
    except RecursionError:
        raise FeedError("the document is nested too deeply") from None
    except FeedError as exc:
        # Parsers quote libraries' messages; `feeds list` shows exactly one line.
        line = clean_line(str(exc), 300) or "unusable feed"
        if line != str(exc):
            raise FeedError(line) from None
        raise
    return _with_languages(result, feed_language)
