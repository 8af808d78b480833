"""Hostile feeds, timed: how long the parsers take to refuse or get past feeds built to be
slow (a 300,000-character CSV field, RRULEs that never match or recur every minute, a
billion laughs), and the slowest files of feedparser's corpus.

Usage:
    .venv/bin/python -m benchmarks.bench_hostile_feeds [--rounds 5]

It replaced the timing assertions of tests/unit/test_formats_{csv,ics,rss,corpus}.py (which
fail on a loaded machine: tests carry no timing targets; they still check each outcome).
Targets, as those assertions had them: CSV field under 2 s, each RRULE under 1 s, the
billion laughs under 0.5 s, every corpus file under 2 s and the corpus under 60 s.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable

from catalog.formats import detect_format, parse_feed
from catalog.model import FeedError
from tests.unit.test_formats_corpus import CORPUS, NOW, _content_type
from tests.unit.test_formats_csv import parse as parse_csv
from tests.unit.test_formats_ics import calendar
from tests.unit.test_formats_ics import parse as parse_ics
from tests.unit.test_formats_rss import BILLION_LAUGHS
from tests.unit.test_formats_rss import parse as parse_rss

RULES = ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
         "FREQ=MINUTELY", "FREQ=SOMETIMES")


def slowest_of(rounds: int, work: Callable[[], object]) -> float:
    """The slowest of `rounds` runs, in seconds (a refusal by FeedError counts as done)."""
    worst = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        with contextlib.suppress(FeedError):
            work()
        worst = max(worst, time.perf_counter() - started)
    return worst


def corpus() -> None:
    if not CORPUS.is_dir():
        print(f"feedparser corpus:  missing ({CORPUS})")
        return
    times: list[tuple[float, str]] = []
    started = time.perf_counter()
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        body = path.read_bytes()
        content_type = _content_type(body)
        began = time.perf_counter()
        with contextlib.suppress(FeedError):
            parse_feed(body, detect_format(content_type, body, path.name),
                       content_type=content_type, now=NOW)
        times.append((time.perf_counter() - began, path.name))
    total = time.perf_counter() - started
    times.sort(reverse=True)
    print(f"feedparser corpus:  {len(times)} files in {total:.1f} s (target < 60 s); slowest: "
          + ", ".join(f"{name} {took * 1000:.0f} ms" for took, name in times[:3])
          + " (target < 2 s each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    huge = ("id;title\n1;" + "ž" * 300_000 + "\n2;Paskaita\n").encode()
    took = slowest_of(args.rounds, lambda: parse_csv(huge))
    print(f"CSV, huge field:    {took * 1000:.0f} ms (target < 2000 ms)")
    for rule in RULES:
        body = calendar(f"UID:r@x\nSUMMARY:R\nDTSTART:19700101T000000Z\nRRULE:{rule}")
        took = slowest_of(args.rounds, lambda body=body: parse_ics(body))  # type: ignore[misc]
        print(f"RRULE {rule:36} {took * 1000:.0f} ms (target < 1000 ms)")
    took = slowest_of(args.rounds, lambda: parse_rss(BILLION_LAUGHS))
    print(f"billion laughs:     {took * 1000:.0f} ms (target < 500 ms)")
    corpus()


if __name__ == "__main__":
    main()
