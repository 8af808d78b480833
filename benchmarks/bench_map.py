"""The Mini App's map data at scale: 100,000 synthetic items, boxes at typical zooms.

Usage:
    .venv/bin/python -m benchmarks.bench_map [--items 100000] [--requests 400] [--http]

Generates the catalog with ../shared/tools/make_feeds.py --synthetic (as bench_search
does), syncs it into SQLite and loads it the way the bot does. The synthetic feeds name
only towns, so half the items are given coordinates of their own scattered around their
town (the other half stay at the town centre, "approximate") and every date is moved into
the coming six months (the map hides what is over). Then it times what `GET /api/map`
does per request (filters, box, clusters or list, the JSON body), p50 and p99, for:

- the whole Baltics at zoom 6, a region at zoom 9, a city at zoom 12, a street at 15;
- the same with the chips (free, a kind, a month);
- with a search `q` (perturbed titles from the generator): the first request of each
  query, and the same query again while the map is panned (its matches are kept);

and the one-off cost of building the map's point index for the snapshot. `--http` also
times real requests through aiohttp on 127.0.0.1 (loopback, JSON parsing included).
Target (issue 18): p50 < 20 ms on 100,000 items.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.common import synced_database
from bot.web import mapdata
from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService, load_docs

BALTICS = (20.5, 53.8, 28.3, 59.7)
ZOOMS = {"country z6": 6, "region z9": 9, "city z12": 12, "street z15": 15}


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def box_around(lat: float, lon: float, zoom: int) -> tuple[float, float, float, float]:
    """What a 400 x 700 px phone shows at `zoom` around a point."""
    width = 360 / 2 ** zoom * 400 / 256
    height = width * 700 / 400 * 0.6  # degrees of latitude are longer up here
    return lon - width / 2, lat - height / 2, lon + width / 2, lat + height / 2


def spread(docs: list[SearchDoc], seed: int = 7) -> list[SearchDoc]:
    """Half the items get their own point near their town; every date moves ahead."""
    rng = random.Random(seed)
    index = build_index(docs[:1])  # only for the gazetteer
    places = index.lexicon.places
    now = datetime.now(UTC)
    out = []
    for doc in docs:
        start = now + timedelta(hours=rng.uniform(2, 24 * 180))
        end = start + timedelta(hours=rng.choice((2, 3, 48))) if doc.end else None
        changes: dict[str, object] = {"start": start, "end": end}
        place = index.lexicon.place_of(doc.city)
        if place in places and rng.random() < 0.5:
            town = places[place]
            changes["latitude"] = town.latitude + rng.gauss(0, 0.04)
            changes["longitude"] = town.longitude + rng.gauss(0, 0.06)
        out.append(dataclasses.replace(doc, **changes))
    return out


def answer(search: SearchService, points: mapdata.MapIndex, query: mapdata.MapQuery) -> bytes:
    """What the endpoint does after parsing: match, box, cluster or list, JSON."""
    matches = search.matching(query.q, language=query.lang) if query.q else None
    result = mapdata.query_map(points, query, matches, time.time())
    return mapdata.result_body(points, result)


def timed(search: SearchService, points: mapdata.MapIndex, query: mapdata.MapQuery) -> float:
    """Milliseconds `answer` takes."""
    started = time.perf_counter()
    answer(search, points, query)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="per scenario")
    parser.add_argument("--http", action="store_true", help="also time real HTTP requests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="takas-bench-map-") as folder:
        db = asyncio.run(synced_database(Path(folder), "--synthetic", str(args.items)))
        docs = asyncio.run(load_docs(db))
        queries = [q for q in (Path(folder) / "feeds" / "queries.txt").read_text(
            encoding="utf-8").splitlines() if q.strip()]
        asyncio.run(db.close())
    docs = spread(docs)
    search = SearchService(db)
    search.index = build_index(docs)
    cache = mapdata.MapCache(search)
    started = time.perf_counter()
    points = cache.build()
    build_ms = (time.perf_counter() - started) * 1000
    placed = len(points.by_lat)
    approximate = int(points.approximate.sum())
    print(f"catalog: {len(docs)} items, {placed} placed ({approximate} at a town centre), "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"point index build (once per snapshot): {build_ms:.0f} ms")
    rng = random.Random(11)
    centres = [(float(points.lat[n]), float(points.lon[n]))
               for n in rng.sample(list(points.by_lat), min(2000, placed))]
    month = date.today().replace(day=1) + timedelta(days=40)
    chips = {"free": True, "kind": "course", "date_from": month.replace(day=1),
             "date_to": month.replace(day=28)}
    answer(search, points, mapdata.MapQuery(*BALTICS, zoom=6))  # warm up
    rows = []
    for label, zoom in ZOOMS.items():
        for with_chips in (False, True):
            samples = []
            for i in range(args.requests):
                box = BALTICS if zoom == 6 else box_around(*centres[i % len(centres)], zoom)
                query = mapdata.MapQuery(*box, zoom=zoom, **(chips if with_chips else {}))
                samples.append(timed(search, points, query))
            rows.append((label + (" + chips" if with_chips else ""), *percentiles(samples)))
    for label, zoom in (("country z6 + q", 6), ("city z12 + q", 12)):
        first, again = [], []
        for i in range(min(args.requests, len(queries))):
            box = BALTICS if zoom == 6 else box_around(*centres[i % len(centres)], zoom)
            query = mapdata.MapQuery(*box, zoom=zoom, q=queries[i], lang="lt")
            first.append(timed(search, points, query))
            moved = dataclasses.replace(query, west=query.west + 0.01, east=query.east + 0.01)
            again.append(timed(search, points, moved))
        rows.append((label + " (first)", *percentiles(first)))
        rows.append((label + " (panned)", *percentiles(again)))
    print(f"{'scenario':32} {'p50 ms':>8} {'p99 ms':>8}")
    for label, p50, p99 in rows:
        print(f"{label:32} {p50:8.2f} {p99:8.2f}")
    if args.http:
        asyncio.run(over_http(search, cache, centres, args.requests))


async def over_http(search: SearchService, cache: mapdata.MapCache,
                    centres: list[tuple[float, float]], requests: int) -> None:
    """Real requests to the endpoint on loopback (auth and JSON included)."""
    import aiohttp
    from aiohttp import web

    from bot.badges.keys import SigningKey
    from bot.config import load_settings
    from bot.delivery.badges import BadgeDocuments
    from bot.flood import FloodGuard
    from bot.i18n import I18n
    from bot.services.badges import Issuer
    from bot.web.app import mount
    from bot.web.auth import DevLogin
    from bot.web.context import Limits, make_web

    i18n, dev = I18n.load(), DevLogin()
    badges = BadgeDocuments(search.db, i18n, Issuer(SigningKey.generate(), None))
    services = make_web(load_settings(_env_file=None), i18n, search.db, search, badges,
                        dev=dev)
    services.limits = Limits(calls=FloodGuard(10**9, 10**9))  # measure, do not throttle
    services.maps = cache
    app = web.Application()
    mount(app, services)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    headers = {"Authorization": f"dev {dev.token}"}
    samples: dict[int, list[float]] = {6: [], 12: []}
    async with aiohttp.ClientSession(headers=headers) as http:
        for i in range(requests):
            for zoom in samples:
                box = BALTICS if zoom == 6 else box_around(*centres[i % len(centres)], zoom)
                url = (f"http://127.0.0.1:{port}/api/map?bbox={','.join(map(str, box))}"
                       f"&zoom={zoom}")
                started = time.perf_counter()
                async with http.get(url) as response:
                    await response.json()
                samples[zoom].append((time.perf_counter() - started) * 1000)
    await runner.cleanup()
    for zoom, values in samples.items():
        p50, p99 = percentiles(values)
        print(f"{'HTTP z' + str(zoom):32} {p50:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main()
