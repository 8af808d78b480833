"""RSS 0.9x/1.0/2.0 and Atom feeds, read with feedparser from bytes only.

Mapping: guid/id, else link -> source_id; title; content, else summary -> description (HTML
stripped); link -> url; categories -> keywords; the channel or entry language (or xml:lang).
Events: the RSS event module (`ev:startdate`, `ev:enddate`, `ev:location`, `ev:organizer`,
`ev:type`) when present; GeoRSS or W3C geo -> coordinates. Some feeds (make_feeds.py's among
them) end the description with a 'Place, 2026-12-05T14:00:00+01:00' line: that line gives the
city (or 'online') and the start, and is taken out of the description. Otherwise the start is
the entry's published (else updated) date. RSS says nothing of course or volunteering, so the kind
is guessed from categories and the title (default: event). The provider is the organizer,
else the feed's title (a partner publishes its own opportunities), else the author.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from catalog.formats.collect import Collector, Draft
from catalog.formats.dates import parse_datetime, zone_for
from catalog.formats.fields import guess_kind, language_code, parse_number, place_parts
from catalog.formats.xmlguard import refuse_entities
from catalog.model import FeedError, ParseResult
from catalog.text import DESCRIPTION_LIMIT, clean_line, clip, html_to_text

_FOOTER = re.compile(
    r"(?:\A|\n)(?P<where>[^,\d\n]{1,80}),[ \t]*"
    r"(?P<when>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)\Z")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _bozo_reason(exc: object) -> str:
    name = type(exc).__name__
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):
        return f"malformed XML: {exc.getMessage()} at line {exc.getLineNumber()}"
    if name == "CharacterEncodingUnknown":
        return "unknown character encoding"
    if name == "NonXMLContentType":
        return "not XML"
    return clean_line(f"unusable feed: {name}: {exc}", 200)


def _field(entry: dict[str, Any], suffix: str) -> Any:
    """An event-module field whatever prefix the feed bound the namespace to ('ev_startdate')."""
    for key, value in entry.items():
        if key.endswith(suffix) and key.count("_") == 1 and key != suffix:
            return value
    return None


def _parsed_time(value: Any) -> datetime | None:
    """feedparser's own reading (UTC) of a date our parser did not understand."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _text_of(detail: Any, value: Any) -> str:
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    return html_to_text(value) if kind in _HTML_TYPES else value


def _coordinates(entry: dict[str, Any]) -> tuple[float | None, float | None]:
    where = entry.get("where")
    if isinstance(where, dict) and where.get("type") == "Point":
        point = where.get("coordinates")
        if isinstance(point, tuple | list) and len(point) >= 2:
            return parse_number(point[1]), parse_number(point[0])  # GeoJSON order: lon, lat
    return parse_number(entry.get("geo_lat")), parse_number(entry.get("geo_long"))


def _draft(entry: dict[str, Any], feed: dict[str, Any], feed_language: str | None) -> Draft:
    language = language_code((entry.get("title_detail") or {}).get("language"))
    contents = entry.get("content") or []
    if contents and isinstance(contents[0], dict):
        description = _text_of(contents[0], contents[0].get("value"))
    else:
        description = _text_of(entry.get("summary_detail"), entry.get("summary"))
    footer = _FOOTER.search(description)
    if footer:
        description = description[: footer.start()].rstrip()
    city, country, online = place_parts(_field(entry, "_location"))
    if footer and city is None and not online:
        city, _, online = place_parts(footer["where"])
    zone = zone_for(country, language or feed_language, city)
    start = parse_datetime(_field(entry, "_startdate"), zone) \
        or (parse_datetime(footer["when"], zone) if footer else None) \
        or parse_datetime(entry.get("published"), zone) \
        or _parsed_time(entry.get("published_parsed")) \
        or parse_datetime(entry.get("updated"), zone) \
        or _parsed_time(entry.get("updated_parsed"))
    tags = [t.get("term") or t.get("label") or "" for t in entry.get("tags") or []
            if isinstance(t, dict)]
    title = _text_of(entry.get("title_detail"), entry.get("title"))
    event_type = _field(entry, "_type")
    lat, lon = _coordinates(entry)
    return Draft(
        source_id=entry.get("id") or entry.get("link"),
        title=title,
        kind=guess_kind([*tags, event_type if isinstance(event_type, str) else ""], title),
        language=language,
        description=clip(description, DESCRIPTION_LIMIT),
        provider=_field(entry, "_organizer") or feed.get("title") or entry.get("author"),
        city=city, country=country, latitude=lat, longitude=lon, online=online,
        start=start,
        end=parse_datetime(_field(entry, "_enddate"), zone),
        keywords=[t for t in tags if t],
        url=entry.get("link"),
    )


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse(body: bytes, *, charset: str | None = None, now: datetime) -> ParseResult:
    """Items from an RSS or Atom document; FeedError when nothing usable could be read."""
    refuse_entities(body)
    # A declared charset only helps bytes that are not UTF-8; servers often get it wrong.
    headers = {"content-type": f"application/xml; charset={charset}"} \
        if charset and not _is_utf8(body) else {}
    try:
        # BytesIO, never raw bytes: feedparser opens a short bytes value as a file name.
        # Its HTML sanitizer stays off: it would drop an <iframe> tag but keep the fallback
        # text inside, while html_to_text drops script, style, iframe and object whole.
        doc = feedparser.parse(io.BytesIO(body), response_headers=headers,
                               resolve_relative_uris=False, sanitize_html=False)
    except Exception as exc:  # a third-party parser meeting hostile input
        raise FeedError(f"unusable feed: the feed parser failed ({type(exc).__name__})") from None
    entries = doc.get("entries") or []
    if not entries:
        if doc.get("bozo"):
            raise FeedError(_bozo_reason(doc.get("bozo_exception")))
        if not doc.get("version"):
            raise FeedError("not an RSS or Atom feed")
    feed = doc.get("feed") or {}
    language = language_code(feed.get("language"))
    collector = Collector(language)
    for position, entry in enumerate(entries, start=1):
        collector.add(f"entry {position}", _draft(entry, feed, language))
    return collector.result
