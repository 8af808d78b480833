"""The search engine on small catalogs: ranking rules, the fast path against a plain
reference, confidence, filters that empty the list, and "did you mean"."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.search.build import build_index
from catalog.search.engine import search
from catalog.search.index import SearchDoc
from catalog.search.rank import stage1, stage1_reference, top_candidates
from catalog.search.understand import DEFAULT_ZONE, understand

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=DEFAULT_ZONE)
SOON = NOW + timedelta(days=10)


def doc(number: int, title: str, **extra: object) -> SearchDoc:
    values: dict[str, object] = {"start": SOON, "language": "lt", "kind": "course"}
    values.update(extra)
    return SearchDoc(number, "feed", str(number), title, **values)


CATALOG = [
    doc(1, "Anglų kalbos kursai pradedantiesiems", city="Vilnius", price=0.0),
    doc(2, "Angļu valodas kursi iesācējiem", city="Rīga", language="lv"),
    doc(3, "Vokiečių kalbos kursai", city="Kaunas"),
    doc(4, "Savanorystė gyvūnų prieglaudoje", city="Vilnius", kind="volunteering"),
    doc(5, "Keramikos dirbtuvės", city="Utena", kind="event",
        description="Molio žiedimas ir glazūravimas", keywords=("keramika", "molis")),
    doc(6, "English for Beginners", online=True, language="en", price=40.0),
    doc(7, "Курсы английского языка для начинающих", city="Rīga", language="ru"),
]
INDEX = build_index(CATALOG)


def titles(query: str, **options: object) -> list[str]:
    result = search(INDEX, query, now=NOW, **options)
    return [hit.doc.title for hit in result.hits]


def test_exact_title_ranks_first() -> None:
    assert titles("Keramikos dirbtuvės")[0] == "Keramikos dirbtuvės"


def test_title_beats_description() -> None:
    index = build_index([doc(1, "Vakaras", description="molio žiedimas"),
                         doc(2, "Molio žiedimas")])
    result = search(index, "molio žiedimas", now=NOW)
    assert [h.doc.id for h in result.hits] == [2, 1]


def test_typos_diacritics_and_inflection() -> None:
    assert titles("anlgu kalbos kursai")[0] == "Anglų kalbos kursai pradedantiesiems"
    assert titles("vokieciu kalbos kursu Kaune") == ["Vokiečių kalbos kursai"]
    assert titles("kermika utenoje") == ["Keramikos dirbtuvės"]


def test_cross_lingual_through_the_lexicon() -> None:
    found = titles("english course riga")
    assert set(found[:2]) == {"Angļu valodas kursi iesācējiem",
                              "Курсы английского языка для начинающих"}


def test_transliterated_russian_meets_cyrillic() -> None:
    assert titles("kursy angliyskogo v rige")[0] == "Курсы английского языка для начинающих"


def test_users_language_first_among_equals() -> None:
    index = build_index([doc(1, "Keramika", language="lv"), doc(2, "Keramika", language="lt")])
    assert [h.doc.id for h in search(index, "keramika", language="lt", now=NOW).hits] == [2, 1]
    assert [h.doc.id for h in search(index, "keramika", language="lv", now=NOW).hits] == [1, 2]
    only = search(index, "keramika", language="lv", only_language=True, now=NOW)
    assert [h.doc.id for h in only.hits] == [1]


def test_filters_narrow() -> None:
    # Known to be free first; a price the feed did not give may be free; 40 EUR is not.
    free = titles("anglų kalbos kursai nemokami")
    assert free[0] == "Anglų kalbos kursai pradedantiesiems"
    assert "English for Beginners" not in free
    assert titles("english online") == ["English for Beginners"]
    assert titles("savanorystė Vilniuje") == ["Savanorystė gyvūnų prieglaudoje"]


def test_a_filter_that_empties_the_list_is_named_and_relaxed() -> None:
    result = search(INDEX, "keramika Kaune", now=NOW)
    assert result.hits == ()
    assert result.emptied_by == "place"
    assert [h.doc.title for h in result.relaxed] == ["Keramikos dirbtuvės"]


def test_nothing_found_is_honest_and_suggests_a_close_word() -> None:
    result = search(INDEX, "suvirinimo kursai", now=NOW)
    assert result.hits == ()
    assert result.relaxed == ()
    nearly = search(INDEX, "kramkos", now=NOW)  # two edits from 'keramikos'; matching allows one
    assert nearly.hits == ()
    assert any(s.startswith("keramik") for s in nearly.suggestions), nearly.suggestions


def test_past_opportunities_come_after_upcoming_ones() -> None:
    index = build_index([doc(1, "Keramika", start=NOW - timedelta(days=30)),
                         doc(2, "Keramika", start=SOON)])
    assert [h.doc.id for h in search(index, "keramika", now=NOW).hits] == [2, 1]


WORDS = ["anglų", "kalbos", "kursai", "keramika", "keramikos", "savanorystė", "Vilnius",
         "Rīgā", "kursi", "angļu", "valodas", "английский", "курсы", "dirbtuvės", "molis",
         "programavimas", "programuoti", "senjorams", "senioriem", "Kaunas"]
TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles_=st.lists(TEXT, min_size=1, max_size=12), descriptions=st.lists(TEXT),
       query=TEXT)
def test_fast_path_scores_and_ranks_like_the_reference(
    titles_: list[str], descriptions: list[str], query: str
) -> None:
    docs = [doc(i, title, description=descriptions[i] if i < len(descriptions) else "")
            for i, title in enumerate(titles_)]
    index = build_index(docs)
    plan = understand(index, query, NOW)
    (fast, fast_sure), (reference, reference_sure) = (stage1(index, plan),
                                                      stage1_reference(index, plan))
    assert np.allclose(fast, reference, atol=1e-6)
    assert np.allclose(fast_sure, reference_sure, atol=1e-6)
    everything = np.ones(index.size, dtype=bool)
    assert list(top_candidates(fast, everything)) == list(top_candidates(reference, everything))
