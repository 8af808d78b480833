"""feedparser's own 2,100 test feeds, well- and ill-formed, as messy partner feeds.

Each file goes through `detect_format` and `parse_feed` and must end in a ParseResult or a
FeedError: no other exception (the time each file takes: benchmarks/bench_hostile_feeds.py).
Some files carry an HTTP header in their leading comment ('Header: Content-type: ...'); it
is passed on as the content type.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.formats import detect_format, parse_feed
from catalog.model import FeedError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "feedparser" / "tests"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
_HEADER = re.compile(rb"^Header:\s*Content-type:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def _content_type(body: bytes) -> str | None:
    match = _HEADER.search(body[:2000])
    return match.group(1).decode("latin-1") if match else None


def test_every_corpus_file_is_ingested_or_rejected_cleanly() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpora/feedparser is missing: no {CORPUS}")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 2000
    ingested = rejected = items = skipped = 0
    reasons: dict[str, int] = {}
    for path in files:
        body = path.read_bytes()
        content_type = _content_type(body)
        try:
            result = parse_feed(body, detect_format(content_type, body, path.name),
                                content_type=content_type, now=NOW)
        except FeedError as exc:
            rejected += 1
            message = str(exc)
            assert message, path
            assert "\n" not in message, path
            kind = re.sub(r"\d+", "N", message.split(":")[0])
            reasons[kind] = reasons.get(kind, 0) + 1
        else:
            ingested += 1
            items += len(result.items)
            skipped += len(result.skipped)
            assert all(i.title and i.source_id for i in result.items), path
    # Most files test one element each, so their entries lack a title or an id: skipped.
    print(f"\nfeedparser corpus: {len(files)} files, {ingested} ingested ({items} items kept, "
          f"{skipped} entries skipped), {rejected} rejected")
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5d}  {reason}")
    assert ingested > rejected
