"""The search index: an immutable snapshot of the catalog, built once, read by many queries.

Postings are two flat numpy arrays (document numbers and field weights) sorted by term, so a
term's postings are slices: memory stays near 12 bytes a posting and no per-term objects are
kept. Concepts from the lexicon and each document's town are indexed as pseudo-terms
(`§concept`, `@place`), so the same machinery finds them.

A query word is expanded against the vocabulary (`Index.expand`): the word itself, words with
the same stem, words within a small edit distance (0 edits up to 4 letters, 1 up to 8, 2
beyond; transpositions count once), and longer derivations sharing a long prefix. The
vocabulary includes the lexicon's words, so a typo in a word only the lexicon knows
('englsh') is still corrected.
"""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from catalog.search.constraints import ItemColumns, item_columns, item_zone
from catalog.search.lexicon import Lexicon, load_lexicon
from catalog.search.morphology import keys as morph_keys
from catalog.search.morphology import raw_words
from catalog.search.normalize import fold, tokens
from catalog.search.phrases import find_exact
from catalog.search.stem import concept_key, stem

FIELDS = (("title", 1.0), ("keywords", 0.8), ("provider", 0.5), ("city", 0.5),
          ("description", 0.35))
KINDS = ("course", "event", "volunteering")
EXACT, SAME_STEM, ONE_EDIT, TWO_EDITS, DERIVED = 1.0, 0.95, 0.85, 0.72, 0.7
MIN_DERIVED_PREFIX = 6
# Fields weighing at least this name the opportunity's topic (title, keywords, provider,
# place); the description only mentions things. Concepts are read from topic fields, and a
# match in the description is weaker evidence.
TOPIC_FIELDS = 0.5
DESCRIPTION_EVIDENCE = 0.8


@dataclass(frozen=True)
class SearchDoc:
    """What search needs of one opportunity (and what results show)."""

    id: int
    feed: str
    source_id: str
    title: str
    kind: str = "event"
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
    keywords: tuple[str, ...] = ()
    url: str | None = None
    timezone: str | None = None


def evidence_of(field_weight: float) -> float:
    """How much a match in a field counts as evidence that a document is relevant (as
    opposed to how high it ranks): a word found only in the description is still a real
    match, a little less sure than one in the title."""
    return 1.0 if field_weight >= TOPIC_FIELDS else DESCRIPTION_EVIDENCE


def edit_budget(length: int) -> int:
    """How many typos a word of `length` letters may carry (as Meilisearch does)."""
    return 0 if length <= 4 else 1 if length <= 8 else 2


@dataclass
class Index:
    """Postings and per-document columns; never mutated after `build_index` returns."""

    docs: tuple[SearchDoc, ...]
    lexicon: Lexicon
    term_ids: dict[str, int]
    offsets: np.ndarray  # int64, len(terms) + 1
    post_docs: np.ndarray  # intp (what fancy indexing takes without a copy), sorted by term
    post_weights: np.ndarray  # float32, the field weight of the best field
    post_evidence: np.ndarray  # float32, `evidence_of` that field weight
    stems: dict[str, tuple[int, ...]]
    kind: np.ndarray  # int8 index into KINDS
    kind_in_text: np.ndarray  # uint8 bit mask of KINDS named in title/keywords
    online: np.ndarray  # bool
    price: np.ndarray  # float32, nan when unknown
    start: np.ndarray  # float64 epoch seconds, nan when unknown
    end: np.ndarray  # float64 epoch seconds, nan when unknown
    place: list[str | None]
    title_tokens: list[tuple[str, ...]]
    language: np.ndarray  # object array of each document's language code (or None)
    # constraint columns (see catalog.search.constraints.ItemColumns)
    start_month: np.ndarray  # int32
    end_month: np.ndarray  # int32
    start_minute: np.ndarray  # int16
    weekdays: np.ndarray  # uint8
    audiences: np.ndarray  # uint8
    levels: np.ndarray  # uint8
    taught_in: np.ndarray  # uint8
    # folded title (and its stems) -> document numbers, for exact-title queries
    titles: dict[str, tuple[int, ...]]
    # lemma or Snowball keys (see catalog.search.morphology) -> term ids of the surface words
    morph: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _expansions: dict[str, dict[int, float]] = field(default_factory=dict, repr=False)
    _corrections: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict,
                                                                  repr=False)

    @property
    def size(self) -> int:
        return len(self.docs)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        tid = self.term_ids.get(term)
        if tid is None:
            return _EMPTY_DOCS, _EMPTY_WEIGHTS
        lo, hi = int(self.offsets[tid]), int(self.offsets[tid + 1])
        return self.post_docs[lo:hi], self.post_weights[lo:hi]

    def df(self, term: str) -> int:
        tid = self.term_ids.get(term)
        return 0 if tid is None else int(self.offsets[tid + 1] - self.offsets[tid])

    @cached_property
    def _words(self) -> list[str]:
        """Real words (not pseudo-terms) of the catalog and the lexicon, sorted."""
        words = {t for t in self.term_ids if t[:1].isalnum()} | set(self.lexicon.vocabulary)
        return sorted(words)

    @cached_property
    def _by_shape(self) -> dict[tuple[str, int], list[str]]:
        shapes: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self._words:
            shapes[(word[0], len(word))].append(word)
        return dict(shapes)

    def corrections(self, word: str, extra: int = 0) -> dict[str, float]:
        """Known words within the edit budget of `word`, with a quality for each.

        A word the catalog or the lexicon knows is taken as typed: 'šokių' (dances) is not a
        typo of the town 'Šakių', nor 'darbo' of 'daržo'. A short word that nobody knows
        ('exel', 'mgė') gets one edit anyway: it cannot be right as typed.
        `extra` widens the budget, for "did you mean" suggestions. Cached: one query asks
        about the same word for places, filters, concepts and matching."""
        cached = self._corrections.get((word, extra))
        if cached is not None:
            return cached
        found = self._corrections_uncached(word, extra)
        if len(self._corrections) < 200_000:
            self._corrections[(word, extra)] = found
        return found

    def _corrections_uncached(self, word: str, extra: int) -> dict[str, float]:
        known = word in self.term_ids or word in self.lexicon.vocabulary
        if known and not extra:
            return {}
        budget = edit_budget(len(word))
        if budget == 0 and len(word) >= 3 and not known and stem(word) not in self.stems:
            budget = 1
        budget += extra
        if budget == 0 or not word.isalpha():
            return {}
        found: dict[str, float] = {}
        firsts = {word[0]} | ({word[1]} if len(word) > 1 else set())  # first letters swapped
        for first in firsts:
            for length in range(len(word) - budget, len(word) + budget + 1):
                bucket = self._by_shape.get((first, length))
                if not bucket:
                    continue
                for candidate, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=budget, limit=None
                ):
                    if candidate != word:
                        found[candidate] = ONE_EDIT if distance <= 1 else TWO_EDITS
        return found

    def derived(self, word: str) -> list[str]:
        """Catalog words sharing a long prefix with `word` ('programuoti' ~ 'programavimo')."""
        if len(word) < MIN_DERIVED_PREFIX + 1:
            return []
        prefix = word[:MIN_DERIVED_PREFIX]
        words = self._words
        start = bisect.bisect_left(words, prefix)
        out = []
        for candidate in words[start:]:
            if not candidate.startswith(prefix):
                break
            shared = len(_common_prefix(word, candidate))
            if candidate != word and shared >= 0.7 * min(len(word), len(candidate)):
                out.append(candidate)
        return out

    def expand(self, word: str) -> dict[int, float]:
        """Term ids a query word may match, with the quality of each match (cached)."""
        cached = self._expansions.get(word)
        if cached is not None:
            return cached
        result: dict[int, float] = {}

        def add(term: str, quality: float) -> None:
            tid = self.term_ids.get(term)
            if tid is not None and result.get(tid, 0.0) < quality:
                result[tid] = quality

        def add_stem(term: str, quality: float) -> None:
            for tid in self.stems.get(stem(term), ()):
                if result.get(tid, 0.0) < quality:
                    result[tid] = quality

        add(word, EXACT)
        add_stem(word, SAME_STEM)
        for candidate, quality in self.corrections(word).items():
            add(candidate, quality)
            add_stem(candidate, quality * SAME_STEM)
        for candidate in self.derived(word):
            add(candidate, DERIVED)
        if len(self._expansions) < 200_000:
            self._expansions[word] = result
        return result


_EMPTY_DOCS = np.zeros(0, dtype=np.intp)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("nan")


def doc_fields(doc: SearchDoc) -> list[tuple[list[str], float]]:
    values = {
        "title": doc.title, "keywords": " ".join(doc.keywords), "provider": doc.provider or "",
        "city": doc.city or "", "description": doc.description,
    }
    return [(tokens(values[name]), weight) for name, weight in FIELDS]


def kinds_named(words: Sequence[str], lexicon: Lexicon) -> int:
    """Bit mask of KINDS that the words name ('kursai' -> course)."""
    mask = 0
    for _start, _end, key in find_exact(list(words), lexicon.filters):
        if key in KINDS:
            mask |= 1 << KINDS.index(key)
    return mask


def build_index(docs: Sequence[SearchDoc], lexicon: Lexicon | None = None) -> Index:
    """Index `docs` (CPU-bound: call it off the event loop)."""
    lexicon = lexicon or load_lexicon()
    term_ids: dict[str, int] = {}
    p_terms, p_docs, p_weights = array("i"), array("i"), array("f")
    n = len(docs)
    kind = np.zeros(n, dtype=np.int8)
    kind_in_text = np.zeros(n, dtype=np.uint8)
    online = np.zeros(n, dtype=bool)
    price = np.full(n, np.nan, dtype=np.float32)
    start = np.full(n, np.nan, dtype=np.float64)
    end = np.full(n, np.nan, dtype=np.float64)
    places: list[str | None] = []
    title_tokens: list[tuple[str, ...]] = []
    columns: list[ItemColumns] = []
    titles: dict[str, list[int]] = defaultdict(list)
    morph: dict[str, set[str]] = defaultdict(set)
    for number, doc in enumerate(docs):
        weights: dict[str, float] = {}
        fields = doc_fields(doc)
        title_words = fields[0][0]
        if title_words:
            titles[" ".join(title_words)].append(number)
            stemmed = " ".join(stem(w) for w in title_words)
            if stemmed != " ".join(title_words):
                titles[stemmed].append(number)
        for words, weight in fields:
            for word in words:
                if weights.get(word, 0.0) < weight:
                    weights[word] = weight
            if weight < TOPIC_FIELDS:
                continue  # descriptions mention too much in passing to stand for a topic
            for _s, _e, concept in find_exact([concept_key(w) for w in words],
                                              lexicon.labels):
                key = "§" + concept
                if weights.get(key, 0.0) < weight:
                    weights[key] = weight
        language = doc.language or ""
        for text in (doc.title, " ".join(doc.keywords), doc.description):
            for raw, folded in raw_words(text):
                for key in morph_keys(raw, language):
                    morph[key].add(folded)
        place = lexicon.place_of(doc.city)
        country = doc.country or (lexicon.places[place].country if place else None)
        columns.append(item_columns(
            [w for words, _weight in fields for w in words], language=doc.language,
            kind=doc.kind, start=doc.start, end=doc.end,
            zone=item_zone(country, doc.timezone), lexicon=lexicon))
        places.append(place)
        if place:
            weights["@" + place] = 1.0
        title_tokens.append(tuple(fields[0][0]))
        for word, weight in weights.items():
            tid = term_ids.setdefault(word, len(term_ids))
            p_terms.append(tid)
            p_docs.append(number)
            p_weights.append(weight)
        kind[number] = KINDS.index(doc.kind) if doc.kind in KINDS else KINDS.index("event")
        kind_in_text[number] = kinds_named(fields[0][0] + fields[1][0], lexicon)
        online[number] = doc.online
        if doc.price is not None:
            price[number] = doc.price
        start[number], end[number] = _timestamp(doc.start), _timestamp(doc.end)
    terms_arr = np.frombuffer(p_terms, dtype=np.int32) if p_terms else np.zeros(0, np.int32)
    order = np.argsort(terms_arr, kind="stable")
    post_docs = (np.frombuffer(p_docs, dtype=np.int32)[order].astype(np.intp) if p_docs
                 else np.zeros(0, np.intp))
    post_weights = (np.frombuffer(p_weights, dtype=np.float32)[order] if p_weights
                    else np.zeros(0, np.float32))
    counts = np.bincount(terms_arr, minlength=len(term_ids)) if len(terms_arr) else np.zeros(0)
    offsets = np.zeros(len(term_ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    stems: dict[str, list[int]] = defaultdict(list)
    for term, tid in term_ids.items():
        if term[:1].isalnum():
            stems[stem(term)].append(tid)
    return Index(
        docs=tuple(docs), lexicon=lexicon, term_ids=term_ids, offsets=offsets,
        post_docs=np.ascontiguousarray(post_docs), post_weights=np.ascontiguousarray(post_weights),
        post_evidence=np.where(post_weights >= TOPIC_FIELDS, np.float32(1.0),
                               np.float32(DESCRIPTION_EVIDENCE)).astype(np.float32),
        stems={k: tuple(v) for k, v in stems.items()}, kind=kind, kind_in_text=kind_in_text,
        online=online, price=price, start=start, end=end, place=places,
        title_tokens=title_tokens,
        language=np.array([doc.language for doc in docs], dtype=object),
        start_month=np.array([c.start_month for c in columns], dtype=np.int32),
        end_month=np.array([c.end_month for c in columns], dtype=np.int32),
        start_minute=np.array([c.start_minute for c in columns], dtype=np.int16),
        weekdays=np.array([c.weekdays for c in columns], dtype=np.uint8),
        audiences=np.array([c.audiences for c in columns], dtype=np.uint8),
        levels=np.array([c.levels for c in columns], dtype=np.uint8),
        taught_in=np.array([c.taught_in for c in columns], dtype=np.uint8),
        titles={key: tuple(value) for key, value in titles.items()},
        morph={key: tuple(term_ids[w] for w in words if w in term_ids)
               for key, words in morph.items()},
    )


__all__ = ["EXACT", "FIELDS", "KINDS", "Index", "SearchDoc", "build_index", "edit_budget",
           "fold"]
