"""The index build against a plain reference: reading each distinct word and field value
once (catalog/search/build.py) must give the same index, term ids included, as reading
every document from scratch, on the demo catalog and on generated ones."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.search.build import build_index
from catalog.search.constraints import item_columns, item_zone
from catalog.search.index import FIELDS, KINDS, TOPIC_FIELDS, SearchDoc, doc_fields
from catalog.search.lexicon import load_lexicon
from catalog.search.morphology import keys as morph_keys
from catalog.search.morphology import raw_words
from catalog.search.phrases import PhraseIndex, find_exact
from catalog.search.stem import concept_key, stem

LEXICON = load_lexicon()
DEMO = Path(__file__).resolve().parents[2] / "catalog" / "demo" / "items.json"


def find_exact_reference(words: Sequence[str],
                         index: PhraseIndex) -> list[tuple[int, int, str]]:
    return [(start, start + len(phrase), value)
            for start in range(len(words))
            for phrase, value in index.get(words[start], ())
            if tuple(words[start:start + len(phrase)]) == phrase]


def reference(docs: Sequence[SearchDoc]) -> dict[str, Any]:
    """The index's contents, one document and one word at a time (the build as it was
    before it learned to read each distinct value once)."""
    term_ids: dict[str, int] = {}
    postings: list[tuple[int, int, float]] = []
    titles: dict[str, list[int]] = defaultdict(list)
    morph: dict[str, set[str]] = defaultdict(set)
    columns, places, kind_in_text = [], [], []
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
            if weight >= TOPIC_FIELDS:
                keys = [concept_key(w) for w in words]
                for _s, _e, concept in find_exact_reference(keys, LEXICON.labels):
                    if weights.get("§" + concept, 0.0) < weight:
                        weights["§" + concept] = weight
        for text in (doc.title, " ".join(doc.keywords), doc.description):
            for raw, folded in raw_words(text):
                for key in morph_keys(raw, doc.language or ""):
                    morph[key].add(folded)
        place = LEXICON.place_of(doc.city)
        country = doc.country or (LEXICON.places[place].country if place else None)
        columns.append(item_columns(
            [w for words, _weight in fields for w in words], language=doc.language,
            kind=doc.kind, start=doc.start, end=doc.end,
            zone=item_zone(country, doc.timezone), lexicon=LEXICON))
        places.append(place)
        if place:
            weights["@" + place] = 1.0
        for word, weight in weights.items():
            postings.append((term_ids.setdefault(word, len(term_ids)), number, weight))
        mask = 0
        for _s, _e, key in find_exact_reference(fields[0][0] + fields[1][0], LEXICON.filters):
            if key in KINDS:
                mask |= 1 << KINDS.index(key)
        kind_in_text.append(mask)
    postings.sort(key=lambda posting: posting[0])  # stable: documents stay in order
    return {
        "term_ids": term_ids,
        "postings": [(docs_, weight) for _tid, docs_, weight in postings],
        "titles": {key: tuple(value) for key, value in titles.items()},
        "morph": {key: sorted(term_ids[w] for w in words if w in term_ids)
                  for key, words in morph.items()},
        "columns": columns, "place": places, "kind_in_text": kind_in_text,
    }


def assert_same_as_reference(docs: Sequence[SearchDoc]) -> None:
    index, expected = build_index(docs, LEXICON), reference(docs)
    assert list(index.term_ids.items()) == list(expected["term_ids"].items())
    assert list(zip(index.post_docs.tolist(), index.post_weights.tolist(),
                    strict=True)) == [(d, np.float32(w)) for d, w in expected["postings"]]
    assert index.offsets[-1] == len(expected["postings"])
    assert index.titles == expected["titles"]
    assert {key: sorted(tids) for key, tids in index.morph.items()} == expected["morph"]
    assert index.place == expected["place"]
    assert index.kind_in_text.tolist() == expected["kind_in_text"]
    for column in ("start_month", "end_month", "start_minute", "weekdays", "audiences",
                   "levels", "taught_in", "min_age", "max_age"):
        assert getattr(index, column).tolist() == [
            getattr(c, column) for c in expected["columns"]], column


def demo_docs() -> list[SearchDoc]:
    docs = []
    for number, item in enumerate(json.loads(DEMO.read_text(encoding="utf-8"))):
        docs.append(SearchDoc(
            number, "demo", item["id"], item["title"], kind=item["type"],
            language=item.get("lang"), description=item.get("description") or "",
            provider=item.get("provider"), city=item.get("city"),
            country=item.get("country"), online=bool(item.get("online")),
            start=datetime.fromisoformat(item["start"]) if item.get("start") else None,
            end=datetime.fromisoformat(item["end"]) if item.get("end") else None,
            price=item.get("price_eur"), keywords=tuple(item.get("keywords") or ())))
    return docs


def test_the_demo_catalog_indexes_as_the_reference_does() -> None:
    docs = demo_docs()
    assert len(docs) > 20
    assert_same_as_reference(docs)


def test_field_weights_run_from_the_weightiest() -> None:
    # The build gives a term the weight of the first field naming it.
    weights = [weight for _name, weight in FIELDS]
    assert weights == sorted(weights, reverse=True)
    assert all(weight >= TOPIC_FIELDS for weight in weights[:-1])
    assert weights[-1] < TOPIC_FIELDS


# Words the lexicon reads (concepts, audiences, kinds, levels, languages of instruction,
# towns), in several scripts and inflections, with punctuation and odd spacing between
# them, so that phrases span fields and words repeat across documents.
WORDS = ("Anglų", "kalbos", "kursai", "kursų", "English", "course", "для", "пожилых",
         "senjorams", "vaikams", "B1", "a2", "in", "English", "на", "русском", "po",
         "lietuviškai", "Vilniuje", "Rīgā", "keramika", "gitarze", "eakatele", "біженцям",
         "Freiwilligen", "savanorystė", "renginys", "online", "kurs", "Ёлка", "Straße",
         "komp'ютер", "ﬁlm", "e\u0301", "x", "(A1–A2)", "3D-spausdinimas!", "Kaunas",
         "Kauno", "miestas", "seniors", "teenagers", "pagulastele", "nemokamai")
SEPARATORS = (" ", "  ", ", ", "\n", "\t", "\u00a0", " - ", "")


@st.composite
def texts(draw: st.DrawFn, most: int = 6) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=most))
    out = ""
    for word in words:
        out += draw(st.sampled_from(SEPARATORS)) + word
    return out


@st.composite
def documents(draw: st.DrawFn) -> list[SearchDoc]:
    docs = []
    start = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    for number in range(draw(st.integers(1, 6))):
        begins = start + timedelta(hours=draw(st.integers(0, 24 * 40)))
        docs.append(SearchDoc(
            number, "feed", str(number), draw(texts()),
            kind=draw(st.sampled_from(("course", "event", "volunteering", "other"))),
            language=draw(st.sampled_from((None, "lt", "lv", "en", "ru", "pl", "et", "uk",
                                           "de"))),
            description=draw(texts(12)), provider=draw(st.none() | texts(2)),
            city=draw(st.none() | st.sampled_from(("Vilnius", "Rīga", "Kaunas", "Tartu",
                                                   "Nowhere", ""))),
            country=draw(st.sampled_from((None, "LT", "LV", "EE"))),
            start=draw(st.none() | st.just(begins)),
            end=draw(st.none() | st.just(begins + timedelta(days=2))),
            keywords=tuple(draw(st.lists(texts(2), max_size=3))),
            timezone=draw(st.sampled_from((None, "Europe/Riga", "+02:00")))))
    # Repeat some values across documents, as catalogs do.
    if len(docs) > 1 and draw(st.booleans()):
        docs[-1] = SearchDoc(len(docs) - 1, "feed", "copy", docs[0].title,
                             keywords=docs[0].keywords, provider=docs[0].title,
                             city=docs[0].city, description=docs[0].title)
    return docs


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_catalogs_index_as_the_reference_does(docs: list[SearchDoc]) -> None:
    assert_same_as_reference(docs)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(("kalbos", "kursai", "in", "english", "dla", "seniorow",
                                 "na", "russkom", "x")), max_size=8))
def test_phrase_lookup_matches_the_plain_scan(words: list[str]) -> None:
    for index in (LEXICON.labels, LEXICON.filters, LEXICON.taught_phrases,
                  LEXICON.audience_labels):
        assert find_exact(words, index) == find_exact_reference(words, index)
