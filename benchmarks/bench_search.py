"""Search speed at scale: 100,000 synthetic items and their 1,000 perturbed queries.

Usage:
    .venv/bin/python -m benchmarks.bench_search [--items 100000] [--scan-sample 50]

Generates the catalog with ../shared/tools/make_feeds.py --synthetic, syncs it into SQLite,
loads it the way the bot does, then prints: index build time, memory the index adds, p50 and
p99 latency per query without and with a place filter (a town appended to each query), and
the two anchors' latency in the same run (the full scan on a sample: it is slow). CPU times
are printed beside wall times, and the load average: on a shared machine the wall times
say as much about the neighbours as about the code.
Targets (issue 14): p50 <= 1.5x and p99 <= 3x tantivy's in the same run, build <= 20 s,
index memory <= 400 MB, at least 50x faster than the full scan. The data every process loads
once (the lexicon, stop words, CLDR names, simplemma's dictionaries) is loaded and timed
before the build.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import synced_database
from catalog.search import morphology
from catalog.search.build import build_index
from catalog.search.engine import search
from catalog.search.index import SearchDoc
from catalog.search.lexicon import load_lexicon
from catalog.search.morphology import SIMPLEMMA
from catalog.search.service import load_docs

TOWNS = ("Vilniuje", "Rīgā", "Kaune", "Daugavpilī", "Utenoje", "Liepājā", "Klaipėdoje",
         "Jelgavā", "Šiauliuose", "Rēzeknē")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


@dataclass(frozen=True)
class Latency:
    """p50 and p99 in ms, of wall time and of this process's CPU time (which a loaded
    machine inflates far less)."""

    p50: float
    p99: float
    cpu50: float
    cpu99: float

    def __str__(self) -> str:
        return (f"p50 {self.p50:.2f} ms, p99 {self.p99:.2f} ms "
                f"(CPU p50 {self.cpu50:.2f} ms, p99 {self.cpu99:.2f} ms)")

    def ratio(self, other: Latency) -> str:
        return (f"p50 {self.p50 / other.p50:.2f}x, p99 {self.p99 / other.p99:.2f}x "
                f"(CPU {self.cpu50 / other.cpu50:.2f}x, {self.cpu99 / other.cpu99:.2f}x)")


def timed(run: Callable[[str], object], queries: Sequence[str]) -> Latency:
    wall, cpu = [], []
    for query in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        run(query)
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return Latency(*percentiles(wall), *percentiles(cpu))


async def load(items: int, folder: Path) -> tuple[list[SearchDoc], list[str]]:
    db = await synced_database(folder, "--synthetic", str(items))
    docs = await load_docs(db)
    await db.close()
    queries = (folder / "feeds" / "queries.txt").read_text(encoding="utf-8").splitlines()
    return docs, [q for q in queries if q.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--scan-sample", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takas-bench-search-") as folder:
        docs, queries = asyncio.run(load(args.items, Path(folder)))
    print(f"catalog: {len(docs)} items, {len(queries)} queries; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times need a quiet "
          "machine; CPU times less so)")
    started = time.perf_counter()
    load_lexicon()
    for language in SIMPLEMMA:  # dictionaries load on first use, once per process
        morphology.keys("warm", language)
    print(f"data loaded once:   {time.perf_counter() - started:.2f} s")
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    index = build_index(docs)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # Memory: a second build under tracemalloc (numpy reports its buffers to it), counting
    # what the finished index keeps, not the garbage made while building it.
    del index
    gc.collect()
    tracemalloc.start()
    index = build_index(docs)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    print(f"index build:        {build:.2f} s (CPU {build_cpu:.2f} s), memory added "
          f"{kept:.0f} MB (process RSS now {rss_mb():.0f} MB)")
    search(index, "warm up")  # lazily built vocabulary buckets are part of the first query
    placed = [f"{q} {TOWNS[i % len(TOWNS)]}" for i, q in enumerate(queries)]
    takas = timed(lambda q: search(index, q), queries)
    print(f"takas:              {takas}")
    placed_takas = timed(lambda q: search(index, q), placed)
    print(f"takas + place:      {placed_takas}")
    from benchmarks.anchors import FullScanAnchor, TantivyAnchor

    started = time.perf_counter()
    tantivy = TantivyAnchor(index.docs)
    print(f"tantivy build:      {time.perf_counter() - started:.2f} s")
    anchor = timed(tantivy.search, queries)
    print(f"tantivy:            {anchor}")
    print(f"takas / tantivy:    {takas.ratio(anchor)}")
    print(f"  with a place:     {placed_takas.ratio(anchor)}")
    scan = FullScanAnchor(index.docs)
    scanned = timed(scan.search, queries[: args.scan_sample])
    print(f"full scan (n={args.scan_sample}):  {scanned}")
    print(f"speed-up over the full scan at p50: {scanned.p50 / takas.p50:.0f}x")


if __name__ == "__main__":
    main()
