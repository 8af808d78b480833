"""Understanding a chat query: places, filters, dates, stop words, and the words to match.

'anglu kalbos kursai vilniuje nemokamai' becomes: place filter {vilnius}, kind filter
{course}, free filter, and the terms 'anglu', 'kalbos' (each with its expansions and the
concepts they spell: lang.english). Filters are recognised in every supported language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from catalog.search.index import KINDS, ONE_EDIT, Index
from catalog.search.normalize import tokens
from catalog.search.phrases import find_alternatives
from catalog.search.stem import concept_key

DATE_FILTERS = ("today", "tomorrow", "this_week", "weekend", "next_week", "this_month")
DEFAULT_ZONE = ZoneInfo("Europe/Vilnius")
MIN_FUZZY_FILTER = 6  # filter words and town names are corrected only from this length
MIN_FUZZY_PLACE = 6


@dataclass(frozen=True)
class Filters:
    places: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    online: bool = False
    free: bool = False
    date: str | None = None  # one of DATE_FILTERS
    window: tuple[float, float] | None = None  # epoch seconds [from, to)

    def active(self) -> list[str]:
        """Names of the filters in force, in the order they are relaxed when nothing is left."""
        names = []
        if self.date:
            names.append("date")
        if self.free:
            names.append("free")
        if self.kinds:
            names.append("kind")
        if self.online:
            names.append("online")
        if self.places:
            names.append("place")
        return names

    def without(self, name: str) -> Filters:
        """The same filters with `name` (as listed by `active()`) lifted."""
        if name == "date":
            return replace(self, date=None, window=None)
        if name == "kind":
            return replace(self, kinds=frozenset())
        if name == "place":
            return replace(self, places=frozenset())
        if name == "free":
            return replace(self, free=False)
        return replace(self, online=False)


@dataclass(frozen=True)
class Term:
    word: str
    position: int
    expansions: dict[int, float]


@dataclass(frozen=True)
class Plan:
    """A query, understood."""

    text: str
    terms: tuple[Term, ...]
    # (concept id, first term index, last term index + 1, quality)
    concepts: tuple[tuple[str, int, int, float], ...]
    filters: Filters
    unknown: tuple[str, ...] = field(default=())  # words that match nothing at all


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


def understand(index: Index, text: str, now: datetime | None = None) -> Plan:
    """Turn a chat query into filters and terms for `index`."""
    lexicon = index.lexicon
    now = (now or datetime.now(DEFAULT_ZONE)).astimezone(DEFAULT_ZONE)
    words = tokens(text)
    used = [False] * len(words)

    def claim(found: list[tuple[int, int, str, float]]) -> list[str]:
        values = []
        # Longest phrases first, and never two claims on one word.
        for start, end, value, _q in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if not any(used[start:end]):
                used[start:end] = [True] * (end - start)
                values.append(value)
        return values

    places = claim(find_alternatives([_forms(index, w, MIN_FUZZY_PLACE) for w in words],
                                     lexicon.place_names))
    filter_keys = claim(find_alternatives(
        [{} if used[i] else _forms(index, w, MIN_FUZZY_FILTER) for i, w in enumerate(words)],
        lexicon.filters))
    dates = [key for key in filter_keys if key in DATE_FILTERS]
    filters = Filters(
        places=frozenset(places),
        kinds=frozenset(key for key in filter_keys if key in KINDS),
        online="online" in filter_keys,
        free="free" in filter_keys,
        date=dates[0] if dates else None,
        window=_window(dates[0], now) if dates else None,
    )
    remaining = [i for i, w in enumerate(words) if not used[i]]
    content = [i for i in remaining if words[i] not in lexicon.stopwords]
    if not content and not any(used):
        content = remaining  # a query of nothing but stop words: match them after all
    terms = tuple(Term(words[i], i, index.expand(words[i])) for i in content)
    positions: list[dict[str, float]] = []
    for term in terms:
        keys = {concept_key(term.word): 1.0}
        for candidate, quality in index.corrections(term.word).items():
            keys.setdefault(concept_key(candidate), quality)
        positions.append(keys)
    concepts = tuple(
        (concept, start, end, quality)
        for start, end, concept, quality in find_alternatives(positions, lexicon.labels)
    )
    covered = {i for _c, start, end, _q in concepts for i in range(start, end)}
    unknown = tuple(t.word for i, t in enumerate(terms)
                    if not t.expansions and i not in covered
                    and t.word not in lexicon.vocabulary)
    return Plan(text=text, terms=terms, concepts=concepts, filters=filters, unknown=unknown)
