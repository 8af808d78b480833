"""schema.org JSON-LD feeds: Course, CourseInstance and Event (any type ending in 'Event').

Accepted shapes: a single object, a top-level array, `@graph`, an `ItemList` of `ListItem`s
(or of the objects themselves), and a page whose `mainEntity` is one of those. A Course takes
its dates, place, mode and workload from its first upcoming `hasCourseInstance` (the latest
one when all are past). Mapping: `@id` (not a blank node) or `url` -> source_id; name;
description (HTML stripped); provider/organizer; location (Place + PostalAddress, geo,
VirtualLocation); courseMode/eventAttendanceMode; startDate/endDate; duration, timeRequired or
courseWorkload -> hours; offers (or isAccessibleForFree) -> price; keywords; inLanguage.
Volunteering is recognised from `@type` or `additionalType` (make_feeds.py writes
`"additionalType": "VolunteerAction"`), not from keywords: JSON-LD states what a thing is, and
a volunteering fair tagged 'savanorystė' is still an event. Cancelled events are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from catalog.formats.collect import Collector, Draft
from catalog.formats.dates import parse_datetime, parse_hours, zone_for
from catalog.formats.fields import (
    country_code,
    decode_text,
    is_volunteering,
    language_code,
    parse_bool,
    parse_number,
    parse_price,
    place_parts,
)
from catalog.model import FeedError, Kind, ParseResult
from catalog.text import clean_description

_MAX_DEPTH = 16
_COURSES = frozenset({"Course", "CourseInstance"})


def _load(body: bytes, charset: str | None) -> Any:
    try:
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            return json.loads(decode_text(body, charset))
    except json.JSONDecodeError as exc:
        raise FeedError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")\
            from None
    except RecursionError:
        raise FeedError("malformed JSON: nested too deeply") from None
    except (ValueError, UnicodeError) as exc:  # e.g. an integer with 5000 digits
        raise FeedError(f"malformed JSON: {str(exc)[:120]}") from None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _types(node: dict[str, Any]) -> list[str]:
    # "https://schema.org/Event", "schema:Event" and "Event" are the same type.
    names = (t.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]
             for t in _list(node.get("@type")) if isinstance(t, str))
    return [n for n in names if n]


def _is_opportunity(types: list[str]) -> bool:
    return any(t in _COURSES or t.endswith("Event") for t in types)


def _text(value: Any) -> str | None:
    """A string from a string, a number, a {"@value"} or {"name"} object, or the first of a list."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _text(value.get("@value", value.get("name")))
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    return None


def _nodes(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every opportunity object in the document, in document order, not looking inside them."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for element in value:
            yield from _nodes(element, depth + 1)
    elif isinstance(value, dict):
        if _is_opportunity(_types(value)):
            yield value
            return
        for key in ("@graph", "itemListElement", "item", "mainEntity"):
            if key in value:
                yield from _nodes(value[key], depth + 1)


def _context_language(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    for context in _list(data.get("@context")):
        if isinstance(context, dict) and isinstance(context.get("@language"), str):
            return language_code(context["@language"])
    return None


def _location(value: Any) -> tuple[str | None, str | None, float | None, float | None, bool]:
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    online = False
    for place in _list(value):
        if isinstance(place, str):
            found_city, found_country, found_online = place_parts(place)
            city, country = city or found_city, country or found_country
            online = online or found_online
            continue
        if not isinstance(place, dict):
            continue
        if "VirtualLocation" in _types(place):
            online = True
            continue
        address = place.get("address")
        if isinstance(address, dict):
            city = city or _text(address.get("addressLocality"))
            country = country or country_code(_text(address.get("addressCountry")))
        elif isinstance(address, str):
            found_city, found_country, _ = place_parts(address)
            city, country = city or found_city, country or found_country
        geo = place.get("geo")
        if isinstance(geo, dict) and lat is None:
            lat, lon = parse_number(geo.get("latitude")), parse_number(geo.get("longitude"))
    return city, country, lat, lon, online


def _is_online_mode(value: Any) -> bool:
    modes = [m.casefold() for m in _list(value) if isinstance(m, str)]
    return any(word in m for m in modes for word in ("online", "virtual", "remote", "distance",
                                                     "mixed"))


def _price(node: dict[str, Any]) -> tuple[float | None, str | None]:
    prices: list[tuple[float, str | None]] = []
    for offer in _list(node.get("offers")):
        if isinstance(offer, dict):
            price = parse_price(offer.get("price"))
            if price is not None:
                prices.append((price, _text(offer.get("priceCurrency"))))
    if parse_bool(node.get("isAccessibleForFree")):
        prices.append((0.0, None))
    if not prices:
        return None, None
    return min(prices, key=lambda p: p[0])


def _instance(course: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The first upcoming course instance, else the latest one, else the course itself."""
    instances = [i for i in _list(course.get("hasCourseInstance")) if isinstance(i, dict)]
    dated: list[tuple[datetime, dict[str, Any]]] = []
    for instance in instances:
        town, country, *_ = _location(instance.get("location"))
        zone = zone_for(country, language_code(_text(course.get("inLanguage"))), town)
        start = parse_datetime(_text(instance.get("startDate")), zone)
        end = parse_datetime(_text(instance.get("endDate")), zone)
        if start is not None:
            dated.append((start if end is None or end < start else end, instance))
    upcoming = [d for d in dated if d[0] >= now]
    if upcoming:
        return min(upcoming, key=lambda d: d[0])[1]
    if dated:
        return max(dated, key=lambda d: d[0])[1]
    return instances[0] if instances else course


def _keywords(value: Any) -> list[str]:
    words: list[str] = []
    for element in _list(value):
        text = _text(element)
        if text:
            words.extend(w.strip() for w in text.split(","))
    return words


def _draft(node: dict[str, Any], now: datetime) -> Draft:
    types = _types(node)
    session = _instance(node, now) if "Course" in types else node
    language = language_code(_text(node.get("inLanguage"))) or language_code(
        next((v.get("@language") for v in _list(node.get("name")) if isinstance(v, dict)), None))
    city, country, lat, lon, online = _location(session.get("location") or node.get("location"))
    zone = zone_for(country, language, city)
    modes = [session.get(k) or node.get(k) for k in ("courseMode", "eventAttendanceMode")]
    keywords = _keywords(node.get("keywords"))
    additional = [t for t in map(_text, _list(node.get("additionalType"))) if t]
    base = Kind.COURSE if _COURSES.intersection(types) else Kind.EVENT
    hours = next((h for h in (parse_hours(_text(source.get(key)))
                              for source in (session, node)
                              for key in ("courseWorkload", "duration", "timeRequired"))
                  if h is not None), None)
    price, currency = _price(node) if node.get("offers") or "isAccessibleForFree" in node \
        else _price(session)
    node_id = _text(node.get("@id"))
    url = _text(node.get("url"))
    return Draft(
        source_id=node_id if node_id and not node_id.startswith("_:") else url,
        title=_text(node.get("name")),
        kind=Kind.VOLUNTEERING if is_volunteering(types + additional) else base,
        language=language,
        description=clean_description(_text(node.get("description"))),
        provider=_text(node.get("provider")) or _text(node.get("organizer")),
        city=city, country=country, latitude=lat, longitude=lon,
        online=online or any(_is_online_mode(m) for m in modes),
        start=parse_datetime(_text(session.get("startDate")), zone),
        end=parse_datetime(_text(session.get("endDate")), zone),
        hours=hours, price=price, currency=currency, keywords=keywords,
        url=url or (node_id if node_id and node_id.startswith(("http://", "https://")) else None),
    )


def parse(body: bytes, *, charset: str | None = None, now: datetime) -> ParseResult:
    """Items from a JSON-LD document; FeedError when it is not JSON or holds no schema.org data."""
    data = _load(body, charset)
    nodes = list(_nodes(data))
    is_container = data == [] or (isinstance(data, dict) and (
        "@graph" in data or "ItemList" in _types(data)))
    if not nodes and not is_container:
        raise FeedError("no schema.org Course or Event in the JSON document")
    collector = Collector(_context_language(data))
    for position, node in enumerate(nodes, start=1):
        where = f"item {position}"
        status = (_text(node.get("eventStatus")) or "").casefold()
        if status.endswith("eventcancelled"):
            collector.skip(where, "cancelled")
            continue
        collector.add(where, _draft(node, now))
    return collector.result
