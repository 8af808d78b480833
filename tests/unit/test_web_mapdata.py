"""The map's data: boxes, the chips and a search narrowing them, town centres for items
without a point of their own, what is over left out, clusters that add up, and the fast
box query held to a plain scan."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web import mapdata
from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService

NOW = datetime.now(UTC)
VILNIUS_BOX = (25.1, 54.6, 25.4, 54.8)
BALTICS = (20.5, 53.8, 28.3, 59.7)


def doc(number: int, title: str, *, city: str | None = "Vilnius", lat: float | None = None,
        lon: float | None = None, days: float = 10, kind: str = "event",
        price: float | None = 5.0, online: bool = False, language: str = "lt") -> SearchDoc:
    start = NOW + timedelta(days=days)
    return SearchDoc(id=number, feed="f", source_id=str(number), title=title, kind=kind,
                     language=language, city=city, country="LT" if city else None,
                     latitude=lat, longitude=lon, online=online, start=start,
                     end=start + timedelta(hours=2), price=price, provider="Biblioteka",
                     timezone="Europe/Vilnius")


@pytest.fixture(scope="module")
def catalog() -> tuple[SearchService, mapdata.MapIndex]:
    docs = [
        doc(1, "Keramikos kursai", lat=54.69, lon=25.28, kind="course"),
        doc(2, "Gitaros pamokos", lat=54.70, lon=25.25, price=0.0),
        doc(3, "Tapybos vakaras"),  # no point: Vilnius's centre, approximate
        doc(4, "Senjorų kompiuterių kursai", city="Kaunas", kind="course", price=None),
        doc(5, "Savanorystė gyvūnų prieglaudoje", lat=54.72, lon=25.30, kind="volunteering",
            price=0.0),
        doc(6, "Online English course", city=None, online=True, kind="course",
            language="en"),  # nowhere on the map
        doc(7, "Praėjusi paskaita", lat=54.69, lon=25.27, days=-3),  # over
        doc(8, "Keramika vaikams", lat=54.68, lon=25.29, days=60),
    ]
    search = SearchService(None)
    search.index = build_index(docs)
    return search, mapdata.MapCache(search).build()


def ask(catalog, box=VILNIUS_BOX, **options) -> dict[str, Any]:
    search, points = catalog
    query = mapdata.MapQuery(*box, **options)
    matches = search.matching(query.q, language="lt") if query.q else None
    body = mapdata.result_body(points, mapdata.query_map(points, query, matches, time.time()))
    answer: dict[str, Any] = json.loads(body)
    return answer


def ids(answer: dict[str, Any]) -> set[int]:
    return {item["id"] for item in answer["items"]}


def test_a_box_lists_what_is_in_it_with_town_centres_marked(catalog) -> None:
    answer = ask(catalog)
    assert ids(answer) == {1, 2, 3, 5, 8}  # not Kaunas, not online, not what is over
    assert answer["total"] == 5
    assert answer["unplaced"] == 1  # the online course
    assert answer["clustered"] is False
    assert answer["clusters"] == []
    placed = {item["id"]: item for item in answer["items"]}
    assert placed[3]["approximate"] is True
    assert placed[3]["town"] == "Vilnius"
    assert placed[1]["approximate"] is False
    assert (placed[1]["lat"], placed[1]["lon"]) == (54.69, 25.28)
    assert placed[2]["free"] is True
    assert placed[1]["start"].endswith("+02:00") or placed[1]["start"].endswith("+03:00")
    assert answer["items"][0]["id"] == 1  # soonest first: 8 is last
    assert answer["items"][-1]["id"] == 8
    assert ids(ask(catalog, BALTICS)) == {1, 2, 3, 4, 5, 8}


def test_the_chips_narrow_as_the_chat_reads_them(catalog) -> None:
    # a course by its kind, or by what its title calls it ("pamokos", lessons)
    assert ids(ask(catalog, BALTICS, kind="course")) == {1, 2, 4}
    assert ids(ask(catalog, BALTICS, kind="volunteering")) == {5}
    # "Free" as in the chat: known to be free, and those whose price the feed left out
    assert ids(ask(catalog, BALTICS, free=True)) == {2, 4, 5}
    assert ask(catalog, BALTICS, online=True)["unplaced"] == 1
    assert ask(catalog, BALTICS, online=True)["total"] == 0
    later = (NOW + timedelta(days=30)).date()
    assert ids(ask(catalog, BALTICS, date_from=later)) == {8}
    assert ids(ask(catalog, BALTICS, date_to=(NOW + timedelta(days=20)).date())) == \
        {1, 2, 3, 4, 5}
    assert ask(catalog, BALTICS, language="en")["unplaced"] == 1
    assert ids(ask(catalog, BALTICS, language="lt")) == {1, 2, 3, 4, 5, 8}


def test_a_search_narrows_the_map_as_it_would_in_the_chat(catalog) -> None:
    found = ask(catalog, BALTICS, q="keramika")
    assert ids(found) == {1, 8}
    assert ids(ask(catalog, BALTICS, q="keramika", kind="course")) == {1}
    assert ids(ask(catalog, BALTICS, q="kursai kaune")) == {4}  # the town is a constraint
    assert ask(catalog, BALTICS, q="zzzz nothing")["total"] == 0


def test_more_than_the_limit_is_clustered_and_the_clusters_add_up(catalog) -> None:
    answer = ask(catalog, BALTICS, zoom=6, limit=2)
    assert answer["clustered"] is True
    assert answer["total"] == 6
    assert sum(c["count"] for c in answer["clusters"]) == 6
    assert len(answer["items"]) == 2  # the list still shows the soonest
    for cluster in answer["clusters"]:
        west, south, east, north = cluster["bbox"]
        assert west <= cluster["lon"] <= east
        assert south <= cluster["lat"] <= north
    # closer in, Vilnius's points fall into more cells
    near = ask(catalog, VILNIUS_BOX, zoom=15, limit=2)
    far = ask(catalog, VILNIUS_BOX, zoom=8, limit=2)
    assert len(near["clusters"]) > len(far["clusters"])


@pytest.mark.parametrize("text", ["", "1,2,3", "a,b,c,d", "nan,1,2,3", "5,5,5,5",
                                  "10,60,5,50"])
def test_bad_boxes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bbox"):
        mapdata.parse_bbox(text)


def test_a_box_beyond_the_world_is_clipped() -> None:
    assert mapdata.parse_bbox("-200,-95,200,95") == (-180.0, -90.0, 180.0, 90.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.floats(-0.5, 0.5), st.floats(-0.5, 0.5),
       st.floats(0.01, 2.0), st.floats(0.01, 2.0), st.integers(0, 18))
def test_the_box_index_agrees_with_a_plain_scan(seed, dx, dy, width, height, zoom) -> None:
    rng = random.Random(seed)
    docs = [doc(n, f"Renginys {n}", lat=54.7 + rng.uniform(-1, 1),
                lon=25.3 + rng.uniform(-1, 1)) for n in range(1, 80)]
    docs += [doc(n, f"Be vietos {n}") for n in range(80, 90)]  # at Vilnius's centre
    search = SearchService(None)
    search.index = build_index(docs)
    points = mapdata.MapIndex(search.index)
    west, south = 25.3 + dx - width / 2, 54.7 + dy - height / 2
    box = (west, south, west + width, south + height)
    inside = set(points.in_box(*box).tolist())
    expected = {n for n in range(len(docs))
                if box[0] <= points.lon[n] <= box[2] and box[1] <= points.lat[n] <= box[3]}
    assert inside == expected
    selected = np.zeros(len(docs), dtype=bool)
    selected[sorted(inside)] = True
    cells = mapdata.clusters(points, selected, zoom)
    assert sum(c.count for c in cells) == len(inside)
    for cell in cells:
        assert box[0] <= cell.bbox[0] <= cell.lon + 1e-5  # the mean is rounded to 5 places
        assert cell.lon - 1e-5 <= cell.bbox[2] <= box[2]


def test_dates_are_days_in_vilnius() -> None:
    window = mapdata.chip_constraints(mapdata.MapQuery(
        *BALTICS, date_from=date(2027, 3, 1), date_to=date(2027, 3, 1))).window
    assert window is not None
    begin, end = window
    assert end - begin == 86400
    assert datetime.fromtimestamp(begin, UTC).hour == 22  # midnight in Vilnius (UTC+2)
