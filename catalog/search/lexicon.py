"""The multilingual lexicon shipped as data in `catalog/data/`.

- `lexicon.json`: concepts (languages taught, skills, audiences, kinds of activity,
  volunteering places) with labels in every supported language, so 'english course' meets
  'anglų kalbos kursai';
- `places.json`: towns of Lithuania, Latvia and Estonia (and a few abroad) with inflected and
  foreign names and the town centre's coordinates (the gazetteer);
- `filters.json`: words that become filters (online, free, volunteering, course, event, dates);
- `stopwords.json`, `framing.json`: words that carry no topic in a query; the general lists of
  stopwords-iso (the `stopwordsiso` package) are added, less the words this lexicon knows;
- `constraints.json`: the words around numbers (price caps, ages) and for levels;
- month and weekday names come from CLDR through Babel, in every case form it offers.

Everything is folded and stemmed once at load; the result is immutable and shared by every
index snapshot.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import stopwordsiso
from babel.dates import get_day_names, get_month_names

from catalog.search import morphology
from catalog.search.normalize import fold, tokens
from catalog.search.stem import concept_key, stem

LANGUAGES = ("lt", "lv", "en", "ru", "de", "et", "pl", "uk")

DATA = Path(__file__).resolve().parent.parent / "data"

Phrase = tuple[str, ...]
# (stem of a name -> number, name of four letters or more -> number), for `calendar_word`
CalendarIndex = tuple[dict[str, int], dict[str, int]]


@dataclass(frozen=True)
class Place:
    id: str
    country: str
    latitude: float
    longitude: float
    name: str  # the official name, for display


@dataclass(frozen=True)
class Lexicon:
    """Folded, stemmed views of the data files."""

    # concept id -> group ("language", "skill", ...)
    concept_groups: dict[str, str]
    # first key of a label -> [(label keys, concept id)], longest labels first (see
    # `stem.concept_key`)
    labels: dict[str, tuple[tuple[Phrase, str], ...]]
    places: dict[str, Place]
    # first folded token of a place name -> [(name tokens, place id)], longest first
    place_names: dict[str, tuple[tuple[Phrase, str], ...]]
    # first folded token of a filter phrase -> [(phrase tokens, filter key)], longest first
    filters: dict[str, tuple[tuple[Phrase, str], ...]]
    stopwords: frozenset[str]
    # first folded token of a framing phrase ('gibt es', 'есть ли') -> [(tokens, "framing")]
    framing: dict[str, tuple[tuple[Phrase, str], ...]]
    # the words of constraints.json, folded: cap_words, currency, age_words, ...
    constraint_words: dict[str, frozenset[str]]
    age_audiences: tuple[tuple[int, int, str], ...]
    hard_audiences: tuple[str, ...]
    # the labels of hard audiences and the language-of-instruction filter phrases alone:
    # small indexes make scanning every word of 100,000 items cheap
    audience_labels: dict[str, tuple[tuple[Phrase, str], ...]]
    taught_phrases: dict[str, tuple[tuple[Phrase, str], ...]]
    # folded month names (1-12) and weekday names (0 = Monday) in every case form Babel has
    month_names: CalendarIndex
    day_names: CalendarIndex
    # every folded token the lexicon knows (for typo correction of words not in the catalog)
    vocabulary: frozenset[str]

    def place_of(self, city: str | None) -> str | None:
        """The place id for a catalog item's town name, if the gazetteer knows it."""
        if not city:
            return None
        words = tuple(tokens(city))
        for start in range(len(words)):
            for phrase, place in self.place_names.get(words[start], ()):
                if words[start : start + len(phrase)] == phrase:
                    return place
        return None


def _index(entries: list[tuple[Phrase, str]]) -> dict[str, tuple[tuple[Phrase, str], ...]]:
    grouped: dict[str, set[tuple[Phrase, str]]] = defaultdict(set)
    for phrase, value in entries:
        if phrase:
            grouped[phrase[0]].add((phrase, value))
    return {
        key: tuple(sorted(values, key=lambda item: (-len(item[0]), item)))
        for key, values in grouped.items()
    }


def _read(name: str) -> dict[str, object]:
    with (DATA / name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected an object")
    return data


def calendar_names() -> tuple[dict[str, int], dict[str, int]]:
    """Folded CLDR month names (1-12) and weekday names (0 = Monday) of every supported
    language, in the format and stand-alone forms (genitive and nominative where the
    language has them: 'kovo', 'kovas'; 'марта', 'март')."""
    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for language in LANGUAGES:
        for context in ("format", "stand-alone"):
            for number, name in get_month_names("wide", context, locale=language).items():
                months[fold(name)] = int(number)
            for number, name in get_day_names("wide", context, locale=language).items():
                days[fold(name)] = int(number)
    return months, days


def _calendar_index(names: dict[str, int]) -> CalendarIndex:
    return ({stem(name): number for name, number in names.items()},
            {name: number for name, number in names.items() if len(name) >= 4})


def _library_stopwords(known: set[str], keep: set[str]) -> set[str]:
    """stopwords-iso's lists for our languages, less words that name a topic here."""
    words = set()
    for language in LANGUAGES:
        for word in stopwordsiso.stopwords(language):
            folded = fold(word)
            if folded.isalpha() and folded not in known and folded not in keep:
                words.add(folded)
    return words


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and prepare the data files (once per process)."""
    framing_data = _read("framing.json")
    curated = {
        fold(word) for source in (_read("stopwords.json"), framing_data)
        for words in source["words"].values()  # type: ignore[attr-defined]
        for word in words
    }
    keep = {fold(word) for word in framing_data["keep"]}  # type: ignore[attr-defined]
    framing_entries = [
        (tuple(tokens(phrase)), "framing")
        for phrases in framing_data["phrases"].values()  # type: ignore[attr-defined]
        for phrase in phrases
    ]
    vocabulary: set[str] = set()
    concept_entries: list[tuple[Phrase, str]] = []
    groups: dict[str, str] = {}
    lemmas = morphology.lemma_table() if morphology.METHOD == "table" else {}
    for concept in _read("lexicon.json")["concepts"]:  # type: ignore[attr-defined]
        groups[concept["id"]] = concept.get("group", "topic")
        for language, labels in concept["labels"].items():
            for label in labels:
                words = [w for w in tokens(label) if w not in curated] or tokens(label)
                vocabulary.update(words)
                concept_entries.append((tuple(concept_key(w) for w in words), concept["id"]))
                # The label in dictionary forms too: a query word is also compared by its
                # lemma, which may be a form no label spells ('pagulaste' -> 'pagulane'
                # while the labels say 'pagulased', 'pagulastele').
                based = [next(iter(lemmas.get(language, {}).get(w, ())), w) for w in words]
                if based != words:
                    concept_entries.append((tuple(concept_key(w) for w in based),
                                            concept["id"]))
    places: dict[str, Place] = {}
    place_entries: list[tuple[Phrase, str]] = []
    for place in _read("places.json")["places"]:  # type: ignore[attr-defined]
        names = place["names"]
        official = next(iter(names.get("en") or names.get("lt") or [place["id"]]))
        places[place["id"]] = Place(place["id"], place["country"], float(place["lat"]),
                                    float(place["lon"]), official)
        for forms in names.values():
            for form in forms:
                name = tuple(tokens(form))
                vocabulary.update(name)
                place_entries.append((name, place["id"]))
    constraint_data = _read("constraints.json")
    constraint_words = {
        key: frozenset(" ".join(tokens(w)) for w in value)
        for key, value in constraint_data.items()
        if isinstance(value, list) and all(isinstance(w, str) for w in value)
    }
    months, days = calendar_names()
    filter_entries: list[tuple[Phrase, str]] = []
    for key, phrases in _read("filters.json")["filters"].items():  # type: ignore[attr-defined]
        for entry in phrases:
            phrase = tuple(tokens(entry["phrase"]))
            vocabulary.update(phrase)
            filter_entries.append((phrase, key))
    stopwords = frozenset(curated | _library_stopwords(vocabulary, keep))
    hard: tuple[str, ...] = tuple(constraint_data["hard_audiences"])  # type: ignore[arg-type]
    labels = _index(concept_entries)
    filters = _index(filter_entries)
    return Lexicon(
        concept_groups=groups,
        labels=labels,
        places=places,
        place_names=_index(place_entries),
        filters=filters,
        stopwords=stopwords,
        framing=_index(framing_entries),
        constraint_words=constraint_words,
        age_audiences=tuple((int(lo), int(hi), str(concept)) for lo, hi, concept
                            in constraint_data["age_audiences"]),  # type: ignore[attr-defined]
        hard_audiences=hard,
        audience_labels={key: kept for key, entries in labels.items()
                         if (kept := tuple(e for e in entries if e[1] in hard))},
        taught_phrases={key: kept for key, entries in filters.items()
                        if (kept := tuple(e for e in entries
                                          if e[1].startswith("in_language.")))},
        month_names=_calendar_index(months),
        day_names=_calendar_index(days),
        vocabulary=frozenset(vocabulary),
    )
