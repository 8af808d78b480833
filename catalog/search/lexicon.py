"""The multilingual lexicon shipped as data in `catalog/data/`.

- `lexicon.json`: concepts (languages taught, skills, audiences, kinds of activity,
  volunteering places) with labels in every supported language, so 'english course' meets
  'anglų kalbos kursai';
- `places.json`: towns of Lithuania, Latvia and Estonia (and a few abroad) with inflected and
  foreign names and the town centre's coordinates (the gazetteer);
- `filters.json`: words that become filters (online, free, volunteering, course, event, dates);
- `stopwords.json`: words that carry no topic in a query.

Everything is folded and stemmed once at load; the result is immutable and shared by every
index snapshot.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from catalog.search.normalize import fold, tokens
from catalog.search.stem import concept_key

DATA = Path(__file__).resolve().parent.parent / "data"

Phrase = tuple[str, ...]


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


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and prepare the data files (once per process)."""
    stopwords = frozenset(
        fold(word) for words in _read("stopwords.json")["words"].values()  # type: ignore[attr-defined]
        for word in words
    )
    vocabulary: set[str] = set()
    concept_entries: list[tuple[Phrase, str]] = []
    groups: dict[str, str] = {}
    for concept in _read("lexicon.json")["concepts"]:  # type: ignore[attr-defined]
        groups[concept["id"]] = concept.get("group", "topic")
        for labels in concept["labels"].values():
            for label in labels:
                words = [w for w in tokens(label) if w not in stopwords] or tokens(label)
                vocabulary.update(words)
                concept_entries.append((tuple(concept_key(w) for w in words), concept["id"]))
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
    filter_entries: list[tuple[Phrase, str]] = []
    for key, phrases in _read("filters.json")["filters"].items():  # type: ignore[attr-defined]
        for entry in phrases:
            phrase = tuple(tokens(entry["phrase"]))
            vocabulary.update(phrase)
            filter_entries.append((phrase, key))
    return Lexicon(
        concept_groups=groups,
        labels=_index(concept_entries),
        places=places,
        place_names=_index(place_entries),
        filters=_index(filter_entries),
        stopwords=stopwords,
        vocabulary=frozenset(vocabulary),
    )
