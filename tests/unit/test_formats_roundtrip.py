"""The dev catalog through make_feeds.py and back: all 400 items, in all four formats.

`../shared/tools/make_feeds.py` publishes each provider of `eval/dev/catalog.json` as one feed
in JSON-LD, RSS 2.0, iCalendar or CSV. Parsing every feed must give back every item (matched
through `urls.json`) with its title, language, city, start instant, url and provider; kind
where the format states it (JSON-LD, CSV). RSS and iCalendar say nothing of course vs event,
so there the kind is a guess: it may fall back to 'event', but must never claim a kind the
item does not have.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from catalog.formats import detect_format, parse_feed
from catalog.model import FeedFormat, Item, Kind

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_FEEDS = SHARED / "tools" / "make_feeds.py"
CATALOG = SHARED / "eval" / "dev" / "catalog.json"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
EXPLICIT_KIND = {FeedFormat.JSONLD, FeedFormat.CSV}


def _published(outdir: Path, encoding: str) -> tuple[dict[str, tuple[Item, FeedFormat]], int]:
    if not MAKE_FEEDS.exists() or not CATALOG.exists():
        pytest.skip(f"../shared/eval/dev is missing: no {CATALOG} or {MAKE_FEEDS}")
    subprocess.run([sys.executable, str(MAKE_FEEDS), str(CATALOG), str(outdir),
                    "--csv-encoding", encoding], check=True, capture_output=True, timeout=60)
    feeds = tomllib.loads((outdir / "feeds.toml").read_text())["feed"]
    items: dict[str, tuple[Item, FeedFormat]] = {}
    skipped = 0
    for feed in feeds:
        body = (outdir / feed["url"].rsplit("/", 1)[-1]).read_bytes()
        fmt = FeedFormat(feed["format"])
        assert detect_format(None, body, feed["url"]) == fmt, feed["name"]
        result = parse_feed(body, fmt, now=NOW)
        skipped += len(result.skipped)
        for item in result.items:
            assert item.url is not None
            items[item.url] = (item, fmt)
    return items, skipped


@pytest.fixture(scope="module", params=["utf-8-sig", "cp1257"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[dict[str, tuple[Item, FeedFormat]], int, Path]:
    outdir = tmp_path_factory.mktemp(f"feeds-{request.param}")
    items, skipped = _published(outdir, request.param)
    return items, skipped, outdir


def _catalog(outdir: Path) -> list[tuple[dict[str, Any], str]]:
    entries = {e["id"]: e for e in json.loads(CATALOG.read_text())}
    urls = json.loads((outdir / "urls.json").read_text())
    return [(entries[catalog_id], url) for catalog_id, url in urls.items()]


def test_every_item_comes_back(published: tuple[dict[str, tuple[Item, FeedFormat]], int, Path]
                               ) -> None:
    items, skipped, outdir = published
    expected = _catalog(outdir)
    assert len(expected) == 400
    assert skipped == 0
    assert {url for _, url in expected} == set(items)


def test_fields_survive_the_round_trip(
        published: tuple[dict[str, tuple[Item, FeedFormat]], int, Path]) -> None:
    items, _, outdir = published
    for entry, url in _catalog(outdir):
        item, fmt = items[url]
        where = f"{entry['id']} ({fmt})"
        assert item.title == entry["title"], where
        assert item.language == entry["lang"], where
        assert item.city == entry["city"], where
        assert item.online == entry["online"], where
        assert item.start == datetime.fromisoformat(entry["start"]), where
        assert item.url == entry["url"], where
        assert item.provider == entry["provider"], where
        assert item.keywords == tuple(entry["keywords"]), where
        if fmt in EXPLICIT_KIND:
            assert item.kind == entry["type"], where
            if fmt == FeedFormat.CSV or entry["city"]:  # JSON-LD has no place for online items
                assert item.country == entry["country"], where
            assert item.hours == entry["hours"], where
            assert item.price == entry["price_eur"], where
        else:
            assert item.kind in (entry["type"], Kind.EVENT), where
        if entry["end"] and fmt != FeedFormat.RSS:
            assert item.end == datetime.fromisoformat(entry["end"]), where


def test_kind_guess_where_the_format_is_silent(
        published: tuple[dict[str, tuple[Item, FeedFormat]], int, Path]) -> None:
    items, _, outdir = published
    guessed = [(items[url][0].kind, entry["type"]) for entry, url in _catalog(outdir)
               if items[url][1] not in EXPLICIT_KIND]
    volunteering = [got for got, want in guessed if want == Kind.VOLUNTEERING]
    courses = [got for got, want in guessed if want == Kind.COURSE]
    print(f"\nkind guessed from RSS/iCalendar: volunteering "
          f"{volunteering.count(Kind.VOLUNTEERING)}/{len(volunteering)}, courses "
          f"{courses.count(Kind.COURSE)}/{len(courses)}")
    assert volunteering.count(Kind.VOLUNTEERING) >= 0.9 * len(volunteering)
