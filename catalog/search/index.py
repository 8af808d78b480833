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

`catalog.search.build.build_index` makes one.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from catalog.search.lexicon import Lexicon
from catalog.search.normalize import fold, tokens
from catalog.search.stem import stem

# Weightiest first: a term weighs what the first field naming it weighs (`build.py`).
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
    """Postings and per-document columns; never mutated after `build.build_index` returns."""

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
    min_age: np.ndarray  # uint8, the ages the item states it is for (0 and ANY_AGE: none)
    max_age: np.ndarray  # uint8
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


def doc_fields(doc: SearchDoc) -> list[tuple[list[str], float]]:
    values = {
        "title": doc.title, "keywords": " ".join(doc.keywords), "provider": doc.provider or "",
        "city": doc.city or "", "description": doc.description,
    }
    return [(tokens(values[name]), weight) for name, weight in FIELDS]


__all__ = ["EXACT", "FIELDS", "KINDS", "Index", "SearchDoc", "edit_budget", "fold"]
