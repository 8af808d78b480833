"""Building the search index (`catalog.search.index.Index`) from the catalog's documents.

    index = build_index(docs)   # CPU-bound: run it off the event loop

Per document: the words of each field (`index.FIELDS`), each weighing what the weightiest
field naming it weighs; the lexicon's concepts named in the topic fields (`§concept`); its
town (`@place`); the lemma keys of its words (`morphology`); the constraint columns
(`constraints.item_columns`) and its exact title.

Most of a catalog repeats: words, titles, towns, providers, keywords. The build reads each
distinct value once (`_Reader`, whose caches live as long as one build) and turns text into
words a whitespace-separated chunk at a time (see `normalize.chunks`), so 100,000 items
cost about what their distinct words and field values cost. The result is the same,
term ids included, as reading every document from scratch; `tests/unit/test_search_build.py`
holds it to a plain reference build.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import chain
from typing import TypeVar

import numpy as np

from catalog.search.constraints import ItemColumns, item_columns, item_zone
from catalog.search.index import DESCRIPTION_EVIDENCE, FIELDS, KINDS, TOPIC_FIELDS, Index, SearchDoc
from catalog.search.lexicon import Lexicon, load_lexicon
from catalog.search.morphology import keys as morph_keys
from catalog.search.morphology import raw_words
from catalog.search.normalize import chunks, tokens
from catalog.search.phrases import find_exact
from catalog.search.stem import concept_key, stem

_V = TypeVar("_V")
TITLE, KEYWORDS, PROVIDER, CITY, DESCRIPTION = (weight for _name, weight in FIELDS)


class _Memo(dict[str, _V]):
    """A dict that computes a missing value once; `map(memo.__getitem__, words)` looks
    many up without leaving C."""

    def __init__(self, compute: Callable[[str], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> _V:
        value = self[key] = self.compute(key)
        return value


@dataclass(frozen=True, slots=True)
class _Field:
    """One field's text as the index reads it."""

    words: list[str]  # folded tokens
    keys: list[str]  # their `concept_key`s
    terms: tuple[str, ...]  # the words, then the '§concept's named (topic fields only)
    weighted: dict[str, float]  # each term with the field's weight


class _Reader:
    """Everything the build reads per distinct word or field value, read once."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.chunk_tokens: _Memo[list[str]] = _Memo(tokens)
        self.concept_keys: _Memo[str] = _Memo(concept_key)
        self.titles = self._topic_fields(TITLE)
        self.keywords = self._topic_fields(KEYWORDS)
        self.providers = self._topic_fields(PROVIDER)
        self.cities = self._topic_fields(CITY)
        self.stemmed_titles: _Memo[str] = _Memo(
            lambda title: " ".join(map(stem, title.split(" "))))
        self.places: _Memo[str | None] = _Memo(lexicon.place_of)
        self.zones: dict[tuple[str | None, str | None], tzinfo | None] = {}

    def tokens(self, text: str) -> list[str]:
        """`normalize.tokens(text)`, a chunk at a time."""
        return list(chain.from_iterable(map(self.chunk_tokens.__getitem__, chunks(text))))

    def _topic_fields(self, weight: float) -> _Memo[_Field]:
        """Field text -> how it reads in a topic field weighing `weight`."""
        def read(text: str) -> _Field:
            words = self.tokens(text)
            keys = list(map(self.concept_keys.__getitem__, words))
            terms = (*words, *("§" + concept for _s, _e, concept
                               in find_exact(keys, self.lexicon.labels)))
            return _Field(words, keys, terms, dict.fromkeys(terms, weight))
        return _Memo(read)

    def description(self, text: str) -> _Field:
        """Descriptions are read for words only: they mention too much in passing to stand
        for a topic, and are rarely repeated, so they are not kept."""
        words = self.tokens(text)
        return _Field(words, list(map(self.concept_keys.__getitem__, words)), (), {})

    def morphology(self, chunks_by_language: dict[str, set[str]]) -> dict[str, set[str]]:
        """Morphology key -> the folded words of the catalog that have it, from the distinct
        chunks of text in each language (`morphology.keys` over `morphology.raw_words`)."""
        morph: dict[str, set[str]] = defaultdict(set)
        for language, seen in chunks_by_language.items():
            for chunk in seen:
                for raw, folded in raw_words(chunk):
                    for key in morph_keys(raw, language):
                        morph[key].add(folded)
        return morph

    def zone(self, country: str | None, timezone: str | None) -> tzinfo | None:
        key = (country, timezone)
        if key not in self.zones:
            self.zones[key] = item_zone(country, timezone)
        return self.zones[key]


def kinds_named(words: Sequence[str], lexicon: Lexicon) -> int:
    """Bit mask of KINDS that the words name ('kursai' -> course)."""
    mask = 0
    for _start, _end, key in find_exact(words, lexicon.filters):
        if key in KINDS:
            mask |= 1 << KINDS.index(key)
    return mask


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("nan")


def build_index(docs: Sequence[SearchDoc], lexicon: Lexicon | None = None) -> Index:
    """Index `docs` (CPU-bound: call it off the event loop)."""
    lexicon = lexicon or load_lexicon()
    read = _Reader(lexicon)
    term_ids: _Memo[int] = _Memo(lambda _term: len(term_ids))  # numbered as first seen
    p_terms, p_weights, p_counts = array("i"), array("f"), array("i")
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
    chunks_by_language: dict[str, set[str]] = defaultdict(set)  # for morphology keys
    for number, doc in enumerate(docs):
        keywords = " ".join(doc.keywords)
        title, named = read.titles[doc.title], read.keywords[keywords]
        provider, city = read.providers[doc.provider or ""], read.cities[doc.city or ""]
        described = read.description(doc.description)
        if title.words:
            joined = " ".join(title.words)
            titles[joined].append(number)
            stemmed = read.stemmed_titles[joined]
            if stemmed != joined:
                titles[stemmed].append(number)
        # A term weighs what the weightiest field naming it weighs, and keeps its place
        # among the terms in the order they first appear (the order of new term ids).
        weights = dict.fromkeys(chain(title.terms, named.terms, provider.terms, city.terms,
                                      described.words), DESCRIPTION)
        for part in (city, provider, named, title):  # lightest first: heavier overwrite
            weights.update(part.weighted)
        if doc.language:
            seen = chunks_by_language[doc.language]
            for text in (doc.title, keywords, doc.description):
                seen.update(chunks(text))
        place = read.places[doc.city] if doc.city else None
        country = doc.country or (lexicon.places[place].country if place else None)
        columns.append(item_columns(
            [*title.words, *named.words, *provider.words, *city.words, *described.words],
            keys=[*title.keys, *named.keys, *provider.keys, *city.keys, *described.keys],
            language=doc.language, kind=doc.kind, start=doc.start, end=doc.end,
            zone=read.zone(country, doc.timezone), lexicon=lexicon))
        places.append(place)
        if place:
            weights["@" + place] = 1.0
        title_tokens.append(tuple(title.words))
        p_terms.extend(map(term_ids.__getitem__, weights))
        p_weights.extend(weights.values())
        p_counts.append(len(weights))
        kind[number] = KINDS.index(doc.kind) if doc.kind in KINDS else KINDS.index("event")
        kind_in_text[number] = kinds_named(title.words + named.words, lexicon)
        online[number] = doc.online
        if doc.price is not None:
            price[number] = doc.price
        start[number], end[number] = _timestamp(doc.start), _timestamp(doc.end)
    terms_arr = np.frombuffer(p_terms, dtype=np.int32) if p_terms else np.zeros(0, np.int32)
    order = np.argsort(terms_arr, kind="stable")
    per_doc = np.frombuffer(p_counts, dtype=np.int32) if p_counts else np.zeros(0, np.int32)
    post_docs = np.repeat(np.arange(n, dtype=np.intp), per_doc)[order]
    post_weights = (np.frombuffer(p_weights, dtype=np.float32)[order] if p_weights
                    else np.zeros(0, np.float32))
    counts = np.bincount(terms_arr, minlength=len(term_ids)) if len(terms_arr) else np.zeros(0)
    offsets = np.zeros(len(term_ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    morph = read.morphology(chunks_by_language)
    stems: dict[str, list[int]] = defaultdict(list)
    for term, tid in term_ids.items():
        if term[:1].isalnum():
            stems[stem(term)].append(tid)
    return Index(
        docs=tuple(docs), lexicon=lexicon, term_ids=dict(term_ids), offsets=offsets,
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
        min_age=np.array([c.min_age for c in columns], dtype=np.uint8),
        max_age=np.array([c.max_age for c in columns], dtype=np.uint8),
        titles={key: tuple(value) for key, value in titles.items()},
        morph={key: tuple(sorted(term_ids[w] for w in words if w in term_ids))
               for key, words in morph.items()},
    )


__all__ = ["build_index", "kinds_named"]
