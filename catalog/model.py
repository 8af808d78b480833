"""The canonical opportunity every feed format is turned into.

Parsers produce `Item`s; the sync stores them as `Opportunity` rows (see `catalog.store`),
adding the feed name, a content hash and first-seen/updated times.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    COURSE = "course"
    EVENT = "event"
    VOLUNTEERING = "volunteering"


class FeedFormat(StrEnum):
    JSONLD = "jsonld"
    RSS = "rss"
    ICS = "ics"
    CSV = "csv"


@dataclass(frozen=True)
class Item:
    """One opportunity as a partner published it, normalised.

    `source_id` is stable across syncs (JSON-LD `@id`/`url`, RSS guid/link, iCal UID, CSV id).
    Times are time-zone aware. `description` is plain text (HTML already stripped).
    """

    source_id: str
    title: str
    kind: Kind = Kind.EVENT
    language: str | None = None
    description: str = ""
    provider: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    latitude: float | None = None
    longitude: float | None = None
    online: bool = False
    start: datetime | None = None
    end: datetime | None = None
    hours: float | None = None
    price: float | None = None  # None: unknown; 0: free
    currency: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    url: str | None = None

    def content_hash(self) -> str:
        """A digest of everything a user could see; equal hashes mean nothing changed."""
        # Field values in declaration order; datetimes as ISO text (with their offset, so a
        # partner moving an event to another time zone counts as a change).
        values = [getattr(self, name) for name in _FIELD_NAMES]
        payload = json.dumps(values, ensure_ascii=False, default=_iso)
        return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


_FIELD_NAMES = tuple(f.name for f in fields(Item))


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


@dataclass
class ParseResult:
    """What a parser got out of one document."""

    items: list[Item] = field(default_factory=list)
    # One human-readable reason per item that was skipped (missing title or id, ...).
    skipped: list[str] = field(default_factory=list)
    language: str | None = None  # the feed's declared language, if any


class FeedError(Exception):
    """A feed cannot be used at all; the message is one line fit for `feeds list`."""
