"""The search entry point: a chat query in, ranked opportunities (or an honest nothing) out.

    result = search(index, "anglu kalbos kursai vilniuje", language="lt")

Results below the confidence threshold are dropped, so a query with no good match gets no
results and, when a close word exists, "did you mean" suggestions. When filters (a town,
online, free, a kind, a date) leave nothing, the filter that emptied the list is named and
the best matches without it are returned instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from catalog.search.constraints import Constraints as Filters
from catalog.search.index import Index, SearchDoc
from catalog.search.normalize import tokens
from catalog.search.rank import filter_mask, rerank, stage1, top_candidates
from catalog.search.stem import stem
from catalog.search.understand import Request as Plan
from catalog.search.understand import understand

THRESHOLD = 0.5


@dataclass(frozen=True)
class Hit:
    doc: SearchDoc
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]  # what matches the query as asked, filters included
    plan: Plan
    # When the query's own filters left nothing: the filter that emptied the list and the
    # best matches without it (shown as "nothing in Šiauliai; elsewhere: ...").
    emptied_by: str | None = None
    relaxed: tuple[Hit, ...] = field(default=())
    suggestions: tuple[str, ...] = field(default=())
    took_ms: float = 0.0


def _ranked(index: Index, plan: Plan, scores: np.ndarray, confidence: np.ndarray,
            filters: Filters, *, language: str | None, only_language: bool, threshold: float,
            now: float) -> list[Hit]:
    mask = filter_mask(index, filters)
    if only_language and language:
        mask &= index.language == language
    if plan.terms:
        mask &= confidence >= threshold
    numbers = top_candidates(scores, mask)
    ranked = rerank(index, plan, scores, numbers, language=language, now=now)
    return [Hit(index.docs[s.number], s.score) for s in ranked]


def _filters_only_scores(index: Index) -> tuple[np.ndarray, np.ndarray]:
    # With no words to match, every document that passes the filters qualifies equally;
    # the re-ranking then prefers what is ahead.
    ones = np.ones(index.size, dtype=np.float32)
    return ones, ones


def suggest(index: Index, plan: Plan, now: datetime | None = None) -> tuple[str, ...]:
    """'Did you mean' queries: weakly matched words replaced by catalog words one edit
    further than matching allows ('kermik' -> 'keramika'). Only suggestions that would find
    something are offered, and never for numbers or one-letter words."""
    words = [term.word for term in plan.terms]
    suggestions: list[str] = []
    for position, term in enumerate(plan.terms):
        if len(term.word) <= 1 or not term.word.isalpha():
            continue
        if term.expansions and max(term.expansions.values()) >= 0.95:
            continue
        candidates = sorted(
            ((quality, index.df(word), word) for word, quality in
             index.corrections(term.word, extra=1).items() if index.df(word) > 0),
            reverse=True,
        )
        for _quality, _df, word in candidates[:2]:
            suggestion = " ".join([*words[:position], word, *words[position + 1 :]])
            if suggestion not in suggestions and search(index, suggestion, now=now,
                                                        suggest_words=False).hits:
                suggestions.append(suggestion)
    return tuple(suggestions[:3])


def title_matches(index: Index, text: str) -> tuple[int, ...]:
    """Documents whose title is the query, word for word or stem for stem: an exact title
    outranks any filter reading of its words ('Savaitgalio savanorystė ...' is a title
    before 'savaitgalio' is a weekend)."""
    words = tokens(text)
    if len(words) < 2:
        return ()
    found = index.titles.get(" ".join(words), ())
    stemmed = index.titles.get(" ".join(stem(w) for w in words), ())
    return tuple(dict.fromkeys((*found, *stemmed)))


@dataclass(frozen=True)
class Matches:
    """Every document a query accepts (not only the head `search` ranks), for views that
    show all of them at once (the Mini App's map): a mask over the index and the stage-1
    score of each (exact titles score 2)."""

    mask: np.ndarray  # bool, one per document
    scores: np.ndarray  # float32
    plan: Plan


def match_mask(index: Index, text: str, *, language: str | None = None,
               now: datetime | None = None, threshold: float = THRESHOLD) -> Matches:
    """What `search` would accept for `text`, its filters included, as a mask."""
    plan = understand(index, text, now, language)
    pinned = np.array(title_matches(index, text), dtype=np.intp)
    if not plan.terms and not plan.filters.active():
        mask = np.zeros(index.size, dtype=bool)
        mask[pinned] = True
        scores = mask.astype(np.float32) * np.float32(2.0)
        return Matches(mask, scores, plan)
    scores, confidence = stage1(index, plan) if plan.terms else _filters_only_scores(index)
    mask = filter_mask(index, plan.filters) & (scores > 0)
    if plan.terms:
        mask &= confidence >= threshold
    scores = scores.copy()
    mask[pinned] = True
    scores[pinned] = 2.0
    return Matches(mask, scores, plan)


def search(
    index: Index,
    text: str,
    *,
    language: str | None = None,
    only_language: bool = False,
    now: datetime | None = None,
    threshold: float = THRESHOLD,
    suggest_words: bool = True,
) -> SearchResult:
    """Every accepted match for `text`, best first (callers page through them)."""
    started = time.perf_counter()
    plan = understand(index, text, now, language)
    moment = (now or datetime.now().astimezone()).timestamp()
    pinned = [Hit(index.docs[n], 2.0) for n in title_matches(index, text)]
    if not plan.terms and not plan.filters.active():
        return SearchResult(tuple(pinned), plan,
                            took_ms=(time.perf_counter() - started) * 1000)
    scores, confidence = stage1(index, plan) if plan.terms else _filters_only_scores(index)
    options = {"language": language, "only_language": only_language, "threshold": threshold,
               "now": moment}
    hits = _ranked(index, plan, scores, confidence, plan.filters,
                   **options)  # type: ignore[arg-type]
    if pinned:
        seen = {hit.doc.id for hit in pinned}
        hits = pinned + [hit for hit in hits if hit.doc.id not in seen]
    emptied_by, relaxed = None, []
    if not hits:
        for name in plan.filters.active():
            relaxed = _ranked(index, plan, scores, confidence, plan.filters.without(name),
                              **options)  # type: ignore[arg-type]
            if relaxed:
                emptied_by = name
                break
    suggestions = (suggest(index, plan, now) if suggest_words and not hits and not relaxed
                   else ())
    took = (time.perf_counter() - started) * 1000
    return SearchResult(tuple(hits), plan, emptied_by, tuple(relaxed), suggestions, took)
