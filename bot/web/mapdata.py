"""The map's data: which opportunities lie in a bounding box, filtered as the chat filters,
and grouped into clusters when there are too many to draw.

`MapIndex` is built once per search snapshot (off the event loop): every opportunity's
point (its own coordinates, else its town's centre from the gazetteer, marked
approximate) and the placed ones sorted by latitude, so a box is two binary searches and
a longitude test over that band instead of a scan of the catalog. Clusters are a grid of
about `CELL_PIXELS` screen pixels at the zoom asked for (Web Mercator, like the tiles),
counted and averaged with numpy.

Filters: a query `q` goes through the same query understanding and matching as the chat
(`SearchService.matching`, its own constraints included); the chips (kind, free, online,
dates, language) become the same constraints the chat reads out of a query. Opportunities
already over are not shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from catalog.search.constraints import Constraints, item_zone
from catalog.search.engine import Matches
from catalog.search.index import KINDS, Index, SearchDoc
from catalog.search.rank import filter_mask
from catalog.search.service import SearchService

LOCAL_ZONE = "Europe/Vilnius"
CELL_PIXELS = 64  # a cluster cell's size on screen
TILE_PIXELS = 256
MAX_LIMIT = 500
MAX_MERCATOR_LAT = 85.05112878
PREPARED_ZOOMS = range(5, 15)  # a country to a street; others are sorted when first asked


@dataclass(frozen=True)
class MapQuery:
    west: float
    south: float
    east: float
    north: float
    zoom: int = 10
    q: str = ""
    kind: str | None = None
    free: bool = False
    online: bool = False
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    language: str | None = None  # taught in
    lang: str | None = None  # the asker's language (ranks ties, reads the query)
    limit: int = 200


@dataclass(frozen=True)
class Cluster:
    lat: float
    lon: float
    count: int
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class MapResult:
    total: int
    unplaced: int
    clusters: tuple[Cluster, ...]
    items: tuple[int, ...]  # document numbers, in the order to list them
    clustered: bool


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    clipped = np.radians(np.clip(lat, -MAX_MERCATOR_LAT, MAX_MERCATOR_LAT))
    return np.asarray(np.log(np.tan(np.pi / 4 + clipped / 2)))


@dataclass(frozen=True)
class Cells:
    """One zoom's grid: placed document numbers sorted by cell, and in that order their
    cell keys, latitudes and longitudes (contiguous, so a request only compresses them)."""

    numbers: np.ndarray
    keys: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


class MapIndex:
    """Points of one index snapshot, sorted for box queries (immutable once built)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.numbers = {doc.id: number for number, doc in enumerate(index.docs)}
        n = index.size
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        approximate = np.zeros(n, dtype=bool)
        places = index.lexicon.places
        for number, doc in enumerate(index.docs):
            if (doc.latitude is not None and doc.longitude is not None
                    and -90 <= doc.latitude <= 90 and -180 <= doc.longitude <= 180):
                lat[number], lon[number] = doc.latitude, doc.longitude
                continue
            place = index.place[number]
            if place is not None and place in places:
                town = places[place]
                lat[number], lon[number] = town.latitude, town.longitude
                approximate[number] = True
        placed = ~np.isnan(lat)
        self.lat, self.lon, self.approximate = lat, lon, approximate
        self.merc_y = _mercator_y(np.nan_to_num(lat))
        numbers = np.flatnonzero(placed)
        order = np.argsort(lat[numbers], kind="stable")
        self.by_lat = numbers[order]  # placed document numbers by latitude
        self.sorted_lat, self.sorted_lon = lat[self.by_lat], lon[self.by_lat]
        self.unplaced = np.flatnonzero(~placed)
        # When an opportunity is over (its end, else its start), epoch seconds; nan: never.
        self.over_at = np.where(np.isnan(index.end), index.start, index.end)
        # Each listed item's JSON, made the first time it is listed (an item's JSON never
        # changes within a snapshot): a response is then mostly a join.
        self._json: dict[int, str] = {}
        # Document numbers by start (undated last), and per zoom by grid cell (made the
        # first time a zoom is asked for): requests filter these orders, never sort.
        start = np.where(np.isnan(index.start), np.inf, index.start)
        self.by_start = np.lexsort((np.arange(n), start))
        self._cells: dict[int, Cells] = {}
        for zoom in PREPARED_ZOOMS:  # the zooms people use, while still off the event loop
            self.cells(zoom)

    def item_text(self, number: int) -> str:
        """The listed item's JSON (made once per snapshot)."""
        text = self._json.get(number)
        if text is None:
            text = self._json[number] = json.dumps(item_json(self, number),
                                                   ensure_ascii=False)
        return text

    def cells(self, zoom: int) -> Cells:
        """The placed points in the order of their grid cell at `zoom` (CELL_PIXELS cells
        in Web Mercator), with their cell keys and coordinates in that order."""
        found = self._cells.get(zoom)
        if found is None:
            scale = 2.0 ** zoom * TILE_PIXELS / CELL_PIXELS
            placed = self.by_lat
            cx = np.floor((self.lon[placed] + 180.0) / 360.0 * scale).astype(np.int64)
            cy = np.floor((math.pi - self.merc_y[placed]) / (2 * math.pi) * scale
                          ).astype(np.int64)
            keys = cx * (1 << 31) + cy
            order = np.argsort(keys, kind="stable")
            numbers = placed[order]
            found = self._cells[zoom] = Cells(numbers, keys[order], self.lat[numbers],
                                              self.lon[numbers])
        return found

    def in_box(self, west: float, south: float, east: float, north: float) -> np.ndarray:
        """Numbers of the placed documents inside the box (edges included)."""
        lo = int(np.searchsorted(self.sorted_lat, south, side="left"))
        hi = int(np.searchsorted(self.sorted_lat, north, side="right"))
        lon = self.sorted_lon[lo:hi]
        found: np.ndarray = self.by_lat[lo:hi][(lon >= west) & (lon <= east)]
        return found


class MapCache:
    """The `MapIndex` of the search service's current snapshot, rebuilt after a swap."""

    def __init__(self, search: SearchService) -> None:
        self.search = search
        self._built: MapIndex | None = None

    def current(self) -> MapIndex | None:
        """The map index of the current snapshot, or None when it must be built."""
        built = self._built
        return built if built is not None and built.index is self.search.index else None

    def build(self) -> MapIndex:
        """Build for the current snapshot (CPU work: call it in a thread)."""
        index = self.search.index
        built = MapIndex(index)
        if index is self.search.index:
            self._built = built
        return built


def _window(first: date | None, last: date | None) -> tuple[float, float] | None:
    if first is None and last is None:
        return None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(LOCAL_ZONE)
    begin = (datetime.combine(first, time(), zone).timestamp() if first else -math.inf)
    end = (datetime.combine(last + timedelta(days=1), time(), zone).timestamp() if last
           else math.inf)
    return begin, end


def chip_constraints(query: MapQuery) -> Constraints:
    """The chips as the constraints the chat reads from a query."""
    return Constraints(kinds=frozenset({query.kind}) if query.kind else frozenset(),
                       free=query.free, online=query.online,
                       window=_window(query.date_from, query.date_to),
                       taught_in=frozenset({query.language}) if query.language
                       else frozenset())


def _kind_mask(index: Index, kind: str) -> np.ndarray:
    """The kind chip narrows (in the chat, course and event only rank first): the item's
    kind, or the kind its title or keywords name."""
    number = KINDS.index(kind)
    return np.asarray((index.kind == number) | ((index.kind_in_text & np.uint8(1 << number)) > 0))


def wanted(points: MapIndex, query: MapQuery, matches: Matches | None,
           now: float) -> np.ndarray:
    """The mask of what the query and chips accept, not over yet."""
    index = points.index
    mask = filter_mask(index, chip_constraints(query))
    if query.kind in KINDS:
        mask &= _kind_mask(index, query.kind)
    if matches is not None:
        mask &= matches.mask
    mask &= ~(points.over_at < now)
    return np.asarray(mask)


def clusters(points: MapIndex, selected: np.ndarray, zoom: int) -> tuple[Cluster, ...]:
    """A grid of CELL_PIXELS cells at `zoom` over the `selected` documents (a mask over
    the index): per non-empty cell its count, the mean of its points and their bounding
    box. The points are in cell order already (`MapIndex.cells`): no sort per request."""
    cells = points.cells(zoom)
    keep = selected[cells.numbers]
    sorted_keys = cells.keys[keep]
    if sorted_keys.size == 0:
        return ()
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    counts = np.diff(np.r_[starts, len(sorted_keys)])
    lat, lon = cells.lat[keep], cells.lon[keep]
    mean_lat = np.add.reduceat(lat, starts) / counts
    mean_lon = np.add.reduceat(lon, starts) / counts
    bounds = zip(np.minimum.reduceat(lon, starts).tolist(),
                 np.minimum.reduceat(lat, starts).tolist(),
                 np.maximum.reduceat(lon, starts).tolist(),
                 np.maximum.reduceat(lat, starts).tolist(), strict=True)
    return tuple(Cluster(lat_, lon_, count, box) for lat_, lon_, count, box in zip(
        np.round(mean_lat, 5).tolist(), np.round(mean_lon, 5).tolist(), counts.tolist(),
        bounds, strict=True))


def listed(points: MapIndex, selected: np.ndarray, numbers: np.ndarray,
           matches: Matches | None, limit: int) -> np.ndarray:
    """At most `limit` of the `selected` documents (`numbers`) in list order: with a query
    the best matches first, else by start (what is on now, then the soonest upcoming, then
    the undated)."""
    if numbers.size == 0:
        return numbers
    if matches is None:  # the snapshot's order by start, filtered: no sort per request
        first: np.ndarray = points.by_start[selected[points.by_start]][:limit]
        return first
    key = -matches.scores[numbers].astype(np.float64)
    if numbers.size > limit:
        part = np.argpartition(key, limit - 1)[:limit]
        numbers, key = numbers[part], key[part]
    return numbers[np.lexsort((numbers, key))]


def query_map(points: MapIndex, query: MapQuery, matches: Matches | None,
              now: float) -> MapResult:
    """Answer one map request over a built `MapIndex`."""
    mask = wanted(points, query, matches, now)
    inside = points.in_box(query.west, query.south, query.east, query.north)
    chosen = inside[mask[inside]]
    selected = np.zeros(points.index.size, dtype=bool)
    selected[chosen] = True
    unplaced = int(np.count_nonzero(mask[points.unplaced]))
    limit = max(1, min(MAX_LIMIT, query.limit))
    shown = tuple(listed(points, selected, chosen, matches, limit).tolist())
    if chosen.size > limit:
        return MapResult(int(chosen.size), unplaced,
                         clusters(points, selected, max(0, min(22, query.zoom))), shown,
                         clustered=True)
    return MapResult(int(chosen.size), unplaced, (), shown, clustered=False)


def moment(value: datetime | None, doc: SearchDoc) -> str | None:
    """ISO 8601 in the opportunity's own time zone."""
    if value is None:
        return None
    zone = item_zone(doc.country, doc.timezone)
    return (value.astimezone(zone) if zone else value).isoformat()


def town_of(index: Index, number: int) -> str | None:
    doc = index.docs[number]
    place = index.place[number]
    if doc.city:
        return doc.city
    return index.lexicon.places[place].name if place in index.lexicon.places else None


def item_json(points: MapIndex, number: int) -> dict[str, Any]:
    index = points.index
    doc = index.docs[number]
    lat, lon = points.lat[number], points.lon[number]
    return {
        "id": doc.id, "title": doc.title,
        "lat": None if math.isnan(lat) else round(float(lat), 6),
        "lon": None if math.isnan(lon) else round(float(lon), 6),
        "approximate": bool(points.approximate[number]), "kind": doc.kind,
        "free": doc.price == 0, "price": doc.price, "online": doc.online,
        "start": moment(doc.start, doc), "end": moment(doc.end, doc),
        "town": town_of(index, number), "provider": doc.provider, "language": doc.language,
    }


def result_json(points: MapIndex, result: MapResult) -> dict[str, Any]:
    """The answer as data (`result_body` is the same, already encoded)."""
    return json.loads(result_body(points, result))  # type: ignore[no-any-return]


def result_body(points: MapIndex, result: MapResult) -> bytes:
    """The answer's JSON: the head and clusters encoded now, the items' JSON joined from
    the map index's cache."""
    head = json.dumps({
        "total": result.total, "unplaced": result.unplaced, "clustered": result.clustered,
        "clusters": [{"lat": c.lat, "lon": c.lon, "count": c.count, "bbox": list(c.bbox)}
                     for c in result.clusters]})
    items = ",".join(points.item_text(number) for number in result.items)
    return f'{head[:-1]}, "items": [{items}]}}'.encode()


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'w,s,e,n' in degrees -> floats; ValueError when it is not a box."""
    parts: Sequence[str] = text.split(",")
    if len(parts) != 4:
        raise ValueError("bbox is w,s,e,n")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError("bbox is w,s,e,n in degrees") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("bbox is not finite")
    # A map panned round the world asks beyond +-180: the part on this side of it.
    west, east = max(-180.0, west), min(180.0, east)
    south, north = max(-90.0, south), min(90.0, north)
    if not (south < north and west < east):
        raise ValueError("bbox is not w<e and s<n")
    return west, south, east, north
