"""Query understanding: a chat message in, a typed request out (intent, topic, constraints).

    request = understand(index, "Sveiki, gal žinot ar Kaune yra nemokamų kursų senjorams?")
    request.terms        -> the topic words ('senjorams'), each with its expansions
    request.constraints  -> place kaunas, free, kind course, audience seniors
    request.framing      -> ('sveiki', 'gal', 'zinot', 'ar', 'yra')

In this order, each step claiming the words it reads so that no word is read twice:
towns (the gazetteer), price caps ('iki 50 eur'), ages ('sūnui 15 metų'), language levels
('B1 līmeņa'), filter phrases (online, in person, free, kinds, dates, weekends, time of day,
language of instruction), month and weekday names (CLDR through Babel, any inflection),
framing phrases ('gibt es', 'есть ли'); what is left are topic words unless they are stop
words. Audience words stay topic words (they are what the item is about) and, when
explicit, also constrain. Coverage and confidence are computed over the topic words only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from catalog.langdetect import detect_language
from catalog.search.constraints import DEFAULT_ZONE, LEVELS, Constraints, month_number
from catalog.search.index import KINDS, ONE_EDIT, SAME_STEM, Index
from catalog.search.lexicon import CalendarIndex, Lexicon
from catalog.search.morphology import keys as morph_keys
from catalog.search.morphology import raw_words
from catalog.search.normalize import tokens
from catalog.search.phrases import find_alternatives, find_exact
from catalog.search.stem import concept_key, stem

DATE_FILTERS = ("today", "tomorrow", "this_week", "weekend", "next_week", "this_month")
MIN_FUZZY_FILTER = 6  # filter words and town names are corrected only from this length
MIN_FUZZY_PLACE = 6
# English 'may' and German 'mai' are months only after 'in'/'im' ('may I join' is not May).
SHORT_MONTH_AFTER = frozenset({"in", "im", "v", "w", "u", "during"})
NOT_MONTHS = frozenset({"vasara", "vasaros", "vasarai", "vasaroje", "vasaras"})  # summer


@dataclass(frozen=True)
class Term:
    word: str
    position: int
    expansions: dict[int, float]


@dataclass(frozen=True)
class Request:
    """A query, understood."""

    text: str
    terms: tuple[Term, ...]  # topic words
    # (concept id, first term index, last term index + 1, quality)
    concepts: tuple[tuple[str, int, int, float], ...]
    constraints: Constraints
    unknown: tuple[str, ...] = field(default=())  # topic words that match nothing at all
    framing: tuple[str, ...] = field(default=())  # words that only wrap the request
    intent: str = "search"  # search: topic words; browse: constraints only; empty: neither

    @property
    def filters(self) -> Constraints:
        """The constraints (the name the search handler and older callers use)."""
        return self.constraints


def _window(key: str, now: datetime) -> tuple[float, float]:
    today = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    weekday = today.weekday()
    if key == "today":
        start, end = today, today + timedelta(days=1)
    elif key == "tomorrow":
        start, end = today + timedelta(days=1), today + timedelta(days=2)
    elif key == "this_week":
        start, end = today, today + timedelta(days=7 - weekday)
    elif key == "weekend":
        start = today + timedelta(days=max(5 - weekday, 0))  # Saturday, or today at weekends
        end = today + timedelta(days=7 - weekday)
    elif key == "next_week":
        start = today + timedelta(days=7 - weekday)
        end = start + timedelta(days=7)
    else:  # this_month
        start = today
        end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start.timestamp(), end.timestamp()


def _forms(index: Index, word: str, min_fuzzy: int) -> dict[str, float]:
    forms = {word: 1.0}
    # A word the catalog itself uses is taken as typed ('saugi' is not a typo of 'Šauļi').
    if len(word) >= min_fuzzy and word not in index.term_ids:
        for candidate, quality in index.corrections(word).items():
            if quality >= ONE_EDIT:
                forms.setdefault(candidate, quality)
    return forms


def calendar_word(word: str, names: CalendarIndex) -> int | None:
    """The month or weekday a folded word names in any inflection ('kovą', 'martā',
    'marte', 'märtsis', 'marcu'; 'šeštadieniais', 'subbotam', 'samstags'), else None:
    the same stem as a name, or a name of four letters or more plus an ending of up to
    three."""
    stems, prefixes = names
    found = stems.get(stem(word))
    if found is not None:
        return found
    for length in range(max(4, len(word) - 3), len(word) + 1):
        found = prefixes.get(word[:length])
        if found is not None:
            return found
    return None


def _number(word: str) -> int | None:
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 6 else None


class _Reader:
    """The words of one query and which of them are already read."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.used = [False] * len(words)

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.words) and not self.used[i]

    def take(self, *positions: int) -> None:
        for i in positions:
            self.used[i] = True

    def phrase_before(self, i: int, phrases: frozenset[str]) -> int | None:
        """Where a phrase of `phrases` (up to three words) ends right before position i."""
        for length in (3, 2, 1):
            start = i - length
            if start >= 0 and all(self.free(j) for j in range(start, i)) and \
                    " ".join(self.words[start:i]) in phrases:
                return start
        return None

    def claim(self, found: list[tuple[int, int, str, float]]) -> list[str]:
        values = []
        # Longest phrases first, and never two claims on one word.
        for start, end, value, _q in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if not any(self.used[start:end]):
                self.take(*range(start, end))
                values.append(value)
        return values


def _price_cap(reader: _Reader, lexicon: Lexicon) -> float | None:
    caps, alone = lexicon.constraint_words["cap_words"], lexicon.constraint_words[
        "cap_words_alone"]
    currency = lexicon.constraint_words["currency"]
    for i, word in enumerate(reader.words):
        value = _number(word)
        if value is None or not reader.free(i):
            continue
        start = reader.phrase_before(i, caps)
        if start is None:
            continue
        has_currency = reader.free(i + 1) and reader.words[i + 1] in currency
        if has_currency or " ".join(reader.words[start:i]) in alone:
            reader.take(*range(start, i + 1))
            if has_currency:
                reader.take(i + 1)
            return float(value)
    return None


def _age(reader: _Reader, lexicon: Lexicon) -> int | None:
    ages, kin = lexicon.constraint_words["age_words"], lexicon.constraint_words["kin_words"]
    for i, word in enumerate(reader.words):
        value = _number(word)
        if value is None or not reader.free(i) or value > 110:
            continue
        if reader.free(i + 1) and reader.words[i + 1] in ages:
            reader.take(i, i + 1)
            return value
        near = reader.words[max(0, i - 3):i]
        if any(w in kin for w in near):
            reader.take(i)
            return value
    return None


def _levels(reader: _Reader, lexicon: Lexicon) -> frozenset[str]:
    levels = set()
    for i, word in enumerate(reader.words):
        if word in LEVELS and reader.free(i):
            levels.add(word)
            reader.take(i)
    if levels:
        for i, word in enumerate(reader.words):
            if word in lexicon.constraint_words["level_words"] and reader.free(i):
                reader.take(i)
    return frozenset(levels)


def _months_ahead(numbers: set[int], now: datetime) -> frozenset[int]:
    """Each month asked for, as its next occurrence from `now` (this month included)."""
    out = set()
    for month in numbers:
        year = now.year if month >= now.month else now.year + 1
        out.add(year * 12 + month - 1)
    return frozenset(out)


def _calendar(reader: _Reader, lexicon: Lexicon) -> tuple[set[int], set[int]]:
    months: set[int] = set()
    days: set[int] = set()
    for i, word in enumerate(reader.words):
        if not reader.free(i) or len(word) < 3 or not word.isalpha() or word in NOT_MONTHS:
            continue
        month = calendar_word(word, lexicon.month_names)
        if month is not None:
            if len(word) <= 3 and (i == 0 or reader.words[i - 1] not in SHORT_MONTH_AFTER):
                continue
            months.add(month)
            reader.take(i)
            continue
        day = calendar_word(word, lexicon.day_names)
        if day is not None and len(word) >= 5:
            days.add(day)
            reader.take(i)
    return months, days


def _age_audience(age: int | None, lexicon: Lexicon) -> frozenset[str]:
    if age is None:
        return frozenset()
    return frozenset(concept for lo, hi, concept in lexicon.age_audiences if lo <= age <= hi)


def _morphology(index: Index, text: str, language: str | None) -> dict[str, tuple[str, ...]]:
    """Lemma or stem keys of each folded query word, in the languages the query may be in."""
    languages = sorted({code for code in (language, detect_language(text)) if code})
    found: dict[str, tuple[str, ...]] = {}
    if not languages or not index.morph:
        return found
    for raw, folded in raw_words(text):
        found[folded] = tuple(key for code in languages for key in morph_keys(raw, code))
    return found


def _expansions(index: Index, word: str, morph: tuple[str, ...]) -> dict[int, float]:
    expansions = index.expand(word)
    extra = {tid for key in morph for tid in index.morph.get(key, ())}
    if not extra - expansions.keys():
        return expansions
    merged = dict(expansions)
    for tid in extra:
        if merged.get(tid, 0.0) < SAME_STEM:
            merged[tid] = SAME_STEM
    return merged


def understand(index: Index, text: str, now: datetime | None = None,
               language: str | None = None) -> Request:
    """Turn a chat query into a typed request for `index` (`language`: the user's)."""
    lexicon = index.lexicon
    now = (now or datetime.now(DEFAULT_ZONE)).astimezone(DEFAULT_ZONE)
    words = tokens(re.sub(r"€", " eur ", text))
    reader = _Reader(words)
    places = reader.claim(find_alternatives([_forms(index, w, MIN_FUZZY_PLACE) for w in words],
                                            lexicon.place_names))
    max_price = _price_cap(reader, lexicon)
    age = _age(reader, lexicon)
    levels = _levels(reader, lexicon)
    filter_keys = reader.claim(find_alternatives(
        [{} if reader.used[i] else _forms(index, w, MIN_FUZZY_FILTER)
         for i, w in enumerate(words)], lexicon.filters))
    months, weekdays = _calendar(reader, lexicon)
    if "weekends" in filter_keys:
        weekdays |= {5, 6}
    before = list(reader.used)
    reader.claim([(s, e, v, 1.0) for s, e, v in find_exact(words, lexicon.framing)])
    framed = [i for i, (was, now_used) in enumerate(zip(before, reader.used, strict=True))
              if now_used and not was]
    dates = [key for key in filter_keys if key in DATE_FILTERS]
    parts = [key for key in filter_keys if key in ("morning", "afternoon", "evening")]
    remaining = [i for i, w in enumerate(words) if not reader.used[i]]
    content = [i for i in remaining if words[i] not in lexicon.stopwords]
    if not content and not any(reader.used):
        content = remaining  # a query of nothing but stop words: match them after all
    framing = tuple(words[i] for i in sorted({*framed, *(set(remaining) - set(content))}))
    morph = _morphology(index, text, language)
    terms = tuple(Term(words[i], i, _expansions(index, words[i], morph.get(words[i], ())))
                  for i in content)
    positions: list[dict[str, float]] = []
    for term in terms:
        keys = {concept_key(term.word): 1.0}
        for key in morph.get(term.word, ()):
            if key.startswith("~"):  # a lemma: '~' and the language code, then the word
                keys.setdefault(concept_key(key[3:]), SAME_STEM)
        for candidate, quality in index.corrections(term.word).items():
            keys.setdefault(concept_key(candidate), quality)
        positions.append(keys)
    concepts = tuple(
        (concept, start, end, quality)
        for start, end, concept, quality in find_alternatives(positions, lexicon.labels)
    )
    kin = lexicon.constraint_words["kin_words"]
    audiences = frozenset(
        concept for concept, start, end, quality in concepts
        if concept in lexicon.hard_audiences and quality >= ONE_EDIT
        and not any(terms[i].word in kin for i in range(start, end))
    )
    constraints = Constraints(
        places=frozenset(places),
        kinds=frozenset(key for key in filter_keys if key in KINDS),
        online="online" in filter_keys,
        in_person="in_person" in filter_keys,
        free="free" in filter_keys,
        max_price=max_price,
        date=dates[0] if dates else None,
        window=_window(dates[0], now) if dates else None,
        months=_months_ahead(months, now),
        weekdays=frozenset(weekdays),
        day_part=parts[0] if parts else None,
        audiences=audiences,
        levels=levels,
        taught_in=frozenset(key.removeprefix("in_language.") for key in filter_keys
                            if key.startswith("in_language.")),
        age_audiences=_age_audience(age, lexicon),
        age=age,
    )
    covered = {i for _c, start, end, _q in concepts for i in range(start, end)}
    unknown = tuple(t.word for i, t in enumerate(terms)
                    if not t.expansions and i not in covered
                    and t.word not in lexicon.vocabulary)
    intent = "search" if terms else "browse" if constraints.active() else "empty"
    return Request(text=text, terms=terms, concepts=concepts, constraints=constraints,
                   unknown=unknown, framing=framing, intent=intent)


__all__ = ["DEFAULT_ZONE", "Constraints", "Request", "Term", "month_number", "understand"]
