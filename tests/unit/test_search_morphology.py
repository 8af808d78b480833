"""Inflection through the packaged lemma table (made from simplemma by
benchmarks/lemma_table.py): Polish, Estonian and Ukrainian forms meet their dictionary form,
in a query and in an item alike."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.search import morphology
from catalog.search.build import build_index
from catalog.search.engine import search
from catalog.search.index import SAME_STEM, SearchDoc
from catalog.search.understand import DEFAULT_ZONE, understand

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=DEFAULT_ZONE)
TABLE = morphology.lemma_table()


@pytest.mark.parametrize(("word", "language", "lemma"), [
    ("gitarze", "pl", "gitara"), ("gitarą", "pl", "gitara"), ("seniorów", "pl", "senior"),
    ("eakatele", "et", "eakas"), ("eakate", "et", "eakas"), ("pagulastele", "et", "pagulane"),
    ("біженцям", "uk", "bizhenets"), ("біженців", "uk", "bizhenets"),
    ("Freiwilligen", "de", "freiwillige"), ("курсах", "ru", "kurs"),
])
def test_an_inflected_form_is_keyed_by_its_lemma(word: str, language: str,
                                                 lemma: str) -> None:
    assert f"~{language}{lemma}" in morphology.keys(word.casefold(), language, "table")


def test_a_form_without_diacritics_is_keyed_too() -> None:
    assert morphology.keys("sprzatanie", "pl", "table") == morphology.keys(
        "sprzątanie", "pl", "table")


def test_lithuanian_and_latvian_are_left_to_the_hand_stemmer() -> None:
    # 'jaunesniems' (younger) must not become 'jaunas' (young, an audience filter).
    assert set(TABLE) == {"en", "ru", "de", "et", "pl", "uk"}
    assert morphology.keys("jaunesniems", "lt", "table") == ()


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(sorted((language, form) for language, forms in TABLE.items()
                              for form in list(forms)[:2000])))
def test_every_form_in_the_table_maps_to_one_of_its_lemmas(entry: tuple[str, str]) -> None:
    language, form = entry
    found = morphology.keys(form, language, "table")
    assert found
    assert all(key.startswith("~" + language) for key in found)


ITEMS = [
    SearchDoc(1, "f", "1", "Lekcje gitary dla dorosłych", language="pl", kind="course"),
    SearchDoc(2, "f", "2", "Õhtune joogatund", language="et", kind="course"),
    SearchDoc(3, "f", "3", "Допомога біженцям", language="uk", kind="volunteering"),
    SearchDoc(4, "f", "4", "Anglų kalbos kursai", language="lt", kind="course"),
    SearchDoc(5, "f", "5", "Уроки гітари", language="uk", kind="course"),
]


@pytest.mark.parametrize(("query", "language", "found"), [
    ("gitarach", "pl", 1),
    ("joogaga", "et", 2),
    ("біженкою", "uk", 3),
    ("гітарою", "uk", 5),
])
def test_a_query_in_another_form_finds_the_item(query: str, language: str, found: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    index = build_index(ITEMS)
    assert [hit.doc.id for hit in search(index, query, language=language,
                                         now=NOW).hits][:1] == [found]
    # the hand-written stemmer alone does not join these forms: the table is what finds them
    monkeypatch.setattr(morphology, "METHOD", "none")
    morphology.keys.cache_clear()
    try:
        alone = build_index(ITEMS)
        assert found not in [hit.doc.id for hit in search(alone, query, language=language,
                                                          now=NOW).hits][:1]
    finally:
        morphology.keys.cache_clear()


def test_a_lemma_meets_a_concept_label_spelt_in_another_form() -> None:
    # 'pagulaste' (of refugees) has the lemma 'pagulane'; the labels say 'pagulased',
    # 'pagulastele': labels are keyed by their lemmas too.
    index = build_index(ITEMS)
    request = understand(index, "pagulaste abistamine", NOW, language="et")
    assert any(concept == "audience.refugees" and quality >= SAME_STEM
               for concept, _start, _end, quality in request.concepts)


def test_help_in_one_language_meets_help_in_another() -> None:
    index = build_index([
        SearchDoc(1, "f", "1", "Помощь беженцам из Украины", language="ru",
                  kind="volunteering", city="Rīga"),
        SearchDoc(2, "f", "2", "Anglų kalbos kursai", language="lt", city="Rīga"),
    ])
    hits = search(index, "допомога біженцям волонтер Рига", language="uk", now=NOW).hits
    assert [hit.doc.id for hit in hits] == [1]
