"""Scoring: which documents match a query plan, and how well.

Stage 1 (vectorised over the whole index, but touching only postings): for each query term,
the best match in each document = match quality x field weight (title 1.0 > keywords 0.8 >
provider and place 0.5 > description 0.35), where a concept spelled by the term counts as a
match too. Terms are weighted by IDF; a document's score is the weighted share of the query
it covers, in [0, 1]. Stage 2 re-ranks the best candidates with what needs the text: words
matched in the title, rapidfuzz similarity of query and title, the user's language, and
whether the opportunity is still ahead.

`stage1_reference` computes stage 1 document by document without the inverted index; the
property tests hold the fast path to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from catalog.search.constraints import DAY_PARTS, LEVELS, Constraints
from catalog.search.index import KINDS, Index, doc_fields, evidence_of
from catalog.search.lexicon import LANGUAGES
from catalog.search.understand import Request

Plan = Request  # the name stage 1 has always used for an understood query

VOLUNTEERING = "volunteering"
KIND_PREFERENCE = 0.04
AGE_PREFERENCE = 0.04
UNKNOWN_PRICE = 0.02
CONCEPT_MATCH = 0.9
UNKNOWN_WORD = 0.5
CANDIDATES = 200
RERANKED = 50  # stage 2 refines the head; results beyond keep their stage-1 order
MAX_RESULTS = 50  # ten pages of five: nobody reads further


def term_weight(df: int, size: int) -> float:
    """IDF of a term matched in `df` of `size` documents; unmatched terms weigh most."""
    return math.log(1.0 + size / (1.0 + df))


def _matches(index: Index, plan: Plan, position: int) -> list[tuple[int, float]]:
    """(term id, quality) of everything the term at `position` matches, concepts included."""
    matches: list[tuple[int, float]] = list(plan.terms[position].expansions.items())
    for concept, start, end, quality in plan.concepts:
        tid = index.term_ids.get("§" + concept)
        if start <= position < end and tid is not None:
            matches.append((tid, quality * CONCEPT_MATCH))
    return matches


def term_vectors(index: Index, plan: Plan) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Per term, in every document: (rank score, evidence) of its best match (float32), and
    in how many documents it matches."""
    size = index.size
    offsets, post_docs = index.offsets, index.post_docs
    post_weights, post_evidence = index.post_weights, index.post_evidence
    vectors = []
    for position in range(len(plan.terms)):
        scores = np.zeros(size, dtype=np.float32)
        evidence = np.zeros(size, dtype=np.float32)
        # The longest posting list is written first; each further one only where it beats
        # what is there (a term's postings name each document once, so gather, maximum and
        # scatter is exact and much cheaper than np.maximum.at).
        spans = sorted(((int(offsets[tid]), int(offsets[tid + 1]), np.float32(quality))
                        for tid, quality in _matches(index, plan, position)),
                       key=lambda span: span[0] - span[1])
        for number, (lo, hi, q) in enumerate(spans):
            docs = post_docs[lo:hi]
            if number == 0:
                scores[docs] = post_weights[lo:hi] * q
                evidence[docs] = post_evidence[lo:hi] * q
                continue
            best = scores[docs]
            np.maximum(best, post_weights[lo:hi] * q, out=best)
            scores[docs] = best
            best = evidence[docs]
            np.maximum(best, post_evidence[lo:hi] * q, out=best)
            evidence[docs] = best
        # Qualities and weights are positive, so a match is a non-zero bit pattern (counting
        # int32 words is several times faster than comparing floats).
        found = (spans[0][1] - spans[0][0] if len(spans) == 1
                 else int(np.count_nonzero(evidence.view(np.int32))) if spans else 0)
        vectors.append((scores, evidence, found))
    return vectors


def combine(vectors: list[tuple[np.ndarray, np.ndarray, int]], size: int,
            plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """IDF-weighted shares of the query: (rank scores, confidence), each in [0, 1].

    A word that matches nothing weighs the most, as the rarest word would: asking for a
    topic the catalog lacks must not be answered with what the other words match. A word
    that neither the catalog nor the lexicon knows at all weighs half that: in a chat
    query it is more often a filler or a paraphrase ('pabendrauti') than the topic.
    The term vectors are scaled in place (they are scratch by now)."""
    weights = [term_weight(found, size) for _s, _e, found in vectors]
    for position, term in enumerate(plan.terms):
        if term.word in plan.unknown:
            weights[position] *= UNKNOWN_WORD
    total = np.zeros(size, dtype=np.float32)
    sure = np.zeros(size, dtype=np.float32)
    for weight, (scores, evidence, _found) in zip(weights, vectors, strict=True):
        scale = np.float32(weight)
        scores *= scale
        total += scores
        evidence *= scale
        sure += evidence
    norm = sum(weights)
    if norm > 0:
        total /= np.float32(norm)
        sure /= np.float32(norm)
    return total, sure


def filter_mask(index: Index, filters: Constraints) -> np.ndarray:
    """Which documents satisfy every constraint (see catalog.search.constraints)."""
    mask = np.ones(index.size, dtype=bool)
    if filters.places:
        in_place = np.zeros(index.size, dtype=bool)
        for place in filters.places:
            in_place[index.postings("@" + place)[0]] = True
        mask &= in_place
    if VOLUNTEERING in filters.kinds:
        # Volunteering narrows. Course and event only rank first (see `rerank`): many feeds
        # (RSS, iCalendar) cannot say whether an item is a course or an event, so a hard
        # filter would hide the very course that was asked for.
        bit = np.uint8(1 << KINDS.index(VOLUNTEERING))
        mask &= (index.kind == KINDS.index(VOLUNTEERING)) | ((index.kind_in_text & bit) > 0)
    if filters.online:
        mask &= index.online
    if filters.in_person:
        mask &= ~index.online
    # A price the feed did not give is not known to fit a cap: "under 50 euros" must never
    # list a course that costs 120 (RSS and iCalendar feeds carry no price). "Free" lets such
    # items through after those known to be free: partners often leave out a price of nothing.
    if filters.free:
        mask &= (index.price == 0) | np.isnan(index.price)
    if filters.max_price is not None:
        mask &= index.price <= filters.max_price
    if filters.window is not None:
        begin, end = filters.window
        starts_inside = (index.start >= begin) & (index.start < end)
        ongoing = (index.start < begin) & (index.end >= begin)
        mask &= starts_inside | ongoing
    if filters.months:
        in_month = np.zeros(index.size, dtype=bool)
        for month in filters.months:
            in_month |= (index.start_month == month) | (
                (index.start_month >= 0) & (index.start_month < month)
                & (index.end_month >= month))
        mask &= in_month
    if filters.weekdays:
        bits = np.uint8(sum(1 << day for day in filters.weekdays))
        mask &= (index.weekdays & bits) > 0
    if filters.day_part:
        lo, hi = DAY_PARTS[filters.day_part]
        mask &= (index.start_minute >= lo) & (index.start_minute < hi)
    if filters.audiences:
        hard = index.lexicon.hard_audiences
        bits = np.uint8(sum(1 << hard.index(a) for a in filters.audiences if a in hard))
        mask &= (index.audiences & bits) > 0
    if filters.age is not None:
        mask &= (index.min_age <= filters.age) & (index.max_age >= filters.age)
    if filters.levels:
        bits = np.uint8(sum(1 << LEVELS.index(level) for level in filters.levels))
        mask &= (index.levels & bits) > 0
    if filters.taught_in:
        bits = np.uint8(sum(1 << LANGUAGES.index(code) for code in filters.taught_in
                            if code in LANGUAGES))
        mask &= (index.taught_in & bits) > 0
    return mask


def stage1(index: Index, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """(rank score, confidence) of every document; 0 where nothing matches."""
    if not plan.terms:
        zeros = np.zeros(index.size, dtype=np.float32)
        return zeros, zeros
    return combine(term_vectors(index, plan), index.size, plan)


def stage1_reference(index: Index, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """The same as `stage1`, document by document from the text (for tests)."""
    size = index.size
    id_of = index.term_ids
    vectors = [(np.zeros(size, dtype=np.float32), np.zeros(size, dtype=np.float32))
               for _ in plan.terms]
    for number, doc in enumerate(index.docs):
        fields = doc_fields(doc)
        for position, term in enumerate(plan.terms):
            found: list[tuple[np.float32, np.float32]] = []  # (field weight, quality)
            for words, weight in fields:
                for word in words:
                    matched = term.expansions.get(id_of.get(word, -1), 0.0)
                    if matched:
                        found.append((np.float32(weight), np.float32(matched)))
            for concept, start, end, quality in plan.concepts:
                if start <= position < end:
                    docs, weights = index.postings("§" + concept)
                    hit = np.flatnonzero(docs == number)
                    if hit.size:
                        found.append((weights[hit[0]], np.float32(quality * CONCEPT_MATCH)))
            scores, evidence = vectors[position]
            for field_weight, match in found:
                factor = np.float32(evidence_of(float(field_weight)))
                scores[number] = np.maximum(scores[number], field_weight * match)
                evidence[number] = np.maximum(evidence[number], factor * match)
    if not plan.terms:
        zeros = np.zeros(size, dtype=np.float32)
        return zeros, zeros
    return combine([(s, e, int(np.count_nonzero(e))) for s, e in vectors], size, plan)


@dataclass(frozen=True)
class Scored:
    number: int  # the document's position in the index
    score: float
    coverage: float


def top_candidates(scores: np.ndarray, mask: np.ndarray, limit: int = CANDIDATES) -> np.ndarray:
    """Document numbers with a positive score under `mask`, best first (ties: lower number)."""
    eligible = np.flatnonzero((scores > 0) & mask)
    if eligible.size > limit:
        part = np.argpartition(-scores[eligible], limit - 1)[:limit]
        eligible = eligible[part]
    order = np.lexsort((eligible, -scores[eligible]))
    return eligible[order]


def rerank(
    index: Index, plan: Plan, scores: np.ndarray, numbers: Iterable[int], *,
    language: str | None, now: float,
) -> list[Scored]:
    """Stage 2: refine the order of the head of the candidates (already best first).

    Among equally good matches (scores equal to two decimals): upcoming first (the soonest
    start not yet over), then the user's language, then the rest; never by feed."""
    numbers = list(numbers)[:MAX_RESULTS]
    head = np.array(numbers[:RERANKED], dtype=np.intp)
    # float64 from here, term by term in the order a loop over the documents would add them
    # (the arithmetic is the same per document, only done for the whole head at once).
    score = scores[head].astype(np.float64)
    coverage = score.copy()
    if plan.terms and head.size:
        ids = index.term_ids
        expansions = [term.expansions.keys() for term in plan.terms]
        titles = [index.title_tokens[number] for number in head.tolist()]
        in_title = np.array([
            sum(1 for keys in expansions if not keys.isdisjoint([ids.get(w, -1) for w in words]))
            for words in titles], dtype=np.int64)
        similarity = process.cdist([" ".join(term.word for term in plan.terms)],
                                   [" ".join(words) for words in titles],
                                   scorer=fuzz.token_set_ratio, dtype=np.float64)[0]
        score += 0.08 * in_title / len(plan.terms) + 0.05 * similarity / 100.0
    wanted = plan.filters
    if wanted.kinds:
        wanted_kinds = [KINDS.index(k) for k in wanted.kinds]
        wanted_bits = np.uint8(sum(1 << k for k in wanted_kinds))
        kind_asked = np.isin(index.kind[head], wanted_kinds) | (
            (index.kind_in_text[head] & wanted_bits) > 0)
        score[kind_asked] += KIND_PREFERENCE
    hard = index.lexicon.hard_audiences
    age_bits = sum(1 << hard.index(a) for a in wanted.age_audiences if a in hard)
    if age_bits:
        score[(index.audiences[head] & np.uint8(age_bits)) > 0] += AGE_PREFERENCE
    if wanted.free:  # may qualify; what is known to qualify comes first
        score[np.isnan(index.price[head])] -= UNKNOWN_PRICE
    starts = index.start[head]
    ends = np.where(np.isnan(index.end[head]), starts, index.end[head])
    over = ends < now  # NaN compares False: undated items are never "over"
    score[over] -= 0.03  # over already: still findable, but after what is ahead
    upcoming = ~over & ~np.isnan(starts)
    soonest = np.where(upcoming, starts, np.inf).tolist()
    own = (index.language[head] == language).tolist() if language else [False] * head.size
    keys = [(-round(value, 2), not up, start, not mine, number)
            for value, up, start, mine, number in zip(
                score.tolist(), upcoming.tolist(), soonest, own, head.tolist(), strict=True)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    values, covered = score.tolist(), coverage.tolist()
    ranked = [Scored(numbers[i], values[i], covered[i]) for i in order]
    # Beyond the head: the stage-1 order and score.
    return ranked + [Scored(n, float(scores[n]), float(scores[n]))
                     for n in numbers[RERANKED:]]
