"""From the loose fields a parser found to clean `Item`s, with the skipped ones accounted for.

Every parser fills a `Draft` per entry and hands it to a `Collector`, which applies the size
limits of `catalog.text`, normalises codes, drops values that cannot be right (a latitude of
200, a negative price, an end before the start), skips entries without a title or an id and
later duplicates of an id, and writes one reason per skipped entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from catalog.formats.dates import hours_between
from catalog.formats.fields import country_code, language_code
from catalog.formats.zones import in_local_zone
from catalog.model import Item, Kind, ParseResult
from catalog.text import (
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    TITLE_LIMIT,
    clean_keywords,
    clean_line,
    clean_url,
    clip,
)

SOURCE_ID_LIMIT = 500


@dataclass
class Draft:
    """An entry as a parser read it; `description` is already plain text."""

    source_id: str | None = None
    title: str | None = None
    kind: Kind = Kind.EVENT
    language: str | None = None
    description: str = ""
    provider: str | None = None
    city: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    online: bool = False
    start: datetime | None = None
    end: datetime | None = None
    hours: float | None = None
    price: float | None = None
    currency: str | None = None
    keywords: list[str] = field(default_factory=list)
    url: str | None = None


def _coordinate(value: float | None, bound: float) -> float | None:
    if value is None or not math.isfinite(value) or abs(value) > bound:
        return None
    return value


def _currency(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def to_item(draft: Draft) -> Item | str:
    """The cleaned `Item`, or the reason it cannot be one ('no title', 'no id')."""
    title = clean_line(draft.title, TITLE_LIMIT)
    if not title:
        return "no title"
    source_id = clean_line(draft.source_id, SOURCE_ID_LIMIT)
    if not source_id:
        return "no id"
    latitude = _coordinate(draft.latitude, 90.0)
    longitude = _coordinate(draft.longitude, 180.0)
    if latitude is None or longitude is None:
        latitude = longitude = None
    end = draft.end if draft.start is None or draft.end is None or draft.end >= draft.start \
        else None
    hours = draft.hours if draft.hours is not None else hours_between(draft.start, end)
    price = draft.price if draft.price is not None and math.isfinite(draft.price) \
        and draft.price >= 0 else None
    # Times move into the zone where the item happens (a UTC time in Vilnius is shown at
    # Vilnius time); the instant stays the same, and the store keeps the zone's name.
    zone = in_local_zone(draft)
    start = draft.start.astimezone(zone) if zone and draft.start else draft.start
    end = end.astimezone(zone) if zone and end else end
    return Item(
        source_id=source_id,
        title=title,
        kind=draft.kind,
        language=language_code(draft.language),
        description=clip(draft.description, DESCRIPTION_LIMIT),
        provider=clean_line(draft.provider, NAME_LIMIT) or None,
        city=clean_line(draft.city, NAME_LIMIT) or None,
        country=country_code(draft.country),
        latitude=latitude,
        longitude=longitude,
        online=draft.online,
        start=start,
        end=end,
        hours=hours,
        price=price,
        currency=_currency(draft.currency) if price is not None else None,
        keywords=clean_keywords(draft.keywords),
        url=clean_url(draft.url),
    )


class Collector:
    """Accumulates one document's items and skip reasons; the first of duplicate ids wins."""

    def __init__(self, language: str | None = None) -> None:
        self.result = ParseResult(language=language_code(language))
        self._seen: set[str] = set()

    def skip(self, where: str, reason: str) -> None:
        self.result.skipped.append(clip(f"{where}: {reason}", 300))

    def add(self, where: str, draft: Draft) -> None:
        item = to_item(draft)
        if isinstance(item, str):
            self.skip(where, item)
        elif item.source_id in self._seen:
            self.skip(where, f"duplicate id {item.source_id!r}")
        else:
            self._seen.add(item.source_id)
            self.result.items.append(item)
