"""Normalisation and stemming: every rule the search relies on, in every language."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from catalog.search.morphology import raw_words
from catalog.search.normalize import _TABLE, chunks, fold, tokens
from catalog.search.stem import stem


@pytest.mark.parametrize(("raw", "folded"), [
    ("Anglų kalbos kursai", "anglu kalbos kursai"),          # lt: ą č ę ė į š ų ū ž
    ("ČĘĖĮŠŲŪŽ", "ceeisuuz"),
    ("Rīgā, Daugavpilī, Liepājā", "riga, daugavpili, liepaja"),  # lv: ā ē ī ū ļ ņ ģ ķ
    ("ļņģķ", "lngk"),
    ("Sprachkurs für Anfänger, Straße", "sprachkurs fur anfanger, strasse"),  # de: ß -> ss
    ("Õpetaja Pärnus", "opetaja parnus"),                    # et
    ("Łódź, żółw", "lodz, zolw"),                            # pl: ł has no decomposition
    ("Курсы английского в Риге", "kursy angliyskogo v rige"),  # ru, transliterated
    ("Ёлка", "elka"),                                        # ё -> е -> e
    ("Приют для животных", "priyut dlya zhivotnykh"),
    ("Вільнюсі, Їжак, Єва, Ґанок", "vilnyusi, yizhak, yeva, ganok"),  # uk letters
    ("ＦＵＬＬ　ｗｉｄｔｈ", "full width"),                     # NFKC
])
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_tokens_split_on_anything_not_a_letter_or_digit() -> None:
    assert tokens("Excel (A1–A2) kursai: 3D-spausdinimas!") == [
        "excel", "a1", "a2", "kursai", "3d", "spausdinimas"]


@pytest.mark.parametrize(("forms", "common"), [
    (["Vilnius", "Vilniaus", "Vilniuje", "Vilniui"], "viln"),          # lt locative
    (["Kaunas", "Kauno", "Kaune"], "kaun"),
    (["Utena", "Utenos", "Utenoje"], "uten"),
    (["Šiauliai", "Šiaulių", "Šiauliuose"], "siaul"),
    (["Marijampolė", "Marijampolėje"], "marijampol"),
    (["kursai", "kursų", "kursus"], "kurs"),
    (["senjorams", "senjorų", "senjorai"], "senjor"),
    (["pirmoji", "pirmosios"], "pirm"),                               # definite adjectives
    (["Rīga", "Rīgas", "Rīgā"], "rig"),                                # lv
    (["Daugavpils", "Daugavpilī"], "daugavpil"),
    (["valoda", "valodas", "valodu"], "valod"),
    (["курсы", "курсов"], "kurs"),                                     # ru
    (["английский", "английского"], "angliysk"),
    (["Anfänger", "Anfängern"], "anfang"),                             # de
    (["course", "courses"], "cours"),                                  # en
])
def test_inflected_forms_share_a_stem(forms: list[str], common: str) -> None:
    assert {stem(tokens(form)[0]) for form in forms} == {common}


def test_stemming_is_conservative_on_short_and_typoed_words() -> None:
    assert stem("kurs") == "kurs"
    assert stem("a1") == "a1"
    assert stem("desing") == "desing"  # a typo of 'design' must not become 'des'


@given(st.text(max_size=80))
@example("ӭ")  # a Cyrillic letter the table knows only once NFKD took its diaeresis off
def test_fold_is_idempotent_and_ascii_for_the_scripts_we_serve(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    for token in tokens(text):
        assert token.isascii()
        assert stem(token)
        assert token.startswith(stem(token))


def fold_reference(text: str) -> str:
    """fold() as first written: marks dropped one character at a time (then the table once
    more, for the letters that appear only without their marks: 'ӭ' -> 'э' -> 'e')."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_TABLE)


# Letters of the scripts we serve, combining marks (alone and after any letter), letters
# that NFKC rewrites (ligatures, full width, the acute accent that becomes a space and a
# mark), apostrophes, and every kind of space.
TRICKY = st.sampled_from(
    list("aZėĖąČšūžāĒīļņģķßẞøłŁåäöõüÕÄæœıþðħŧ'’ʼ`0-9.,!()") + list("ёЁйЙїЇєґўъьЩщЫ")
    + ["\u0301", "\u0300", "\u0308", "\u030c", "\u0327", "\u20dd", "\ufb01", "\uff21",
       "\u00b4", "\u2126", "\u212b", "\u1e9e", "\u0130", "\u03a3", "\u03c2", "\u1100", "\u1161",
       " ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u200b", "\x1c", "\u0085"])
TEXTS = st.text(TRICKY, max_size=40) | st.text(max_size=40)


@settings(max_examples=1000)
@given(TEXTS)
def test_fold_deletes_marks_as_the_character_by_character_reference_does(text: str) -> None:
    assert fold(text) == fold_reference(text)


@settings(max_examples=1000)
@given(TEXTS)
def test_text_is_folded_the_same_a_whitespace_chunk_at_a_time(text: str) -> None:
    # What lets the index read each distinct chunk of text once (catalog/search/build.py).
    assert [t for chunk in chunks(text) for t in tokens(chunk)] == tokens(text)
    assert [w for chunk in chunks(text) for w in raw_words(chunk)] == list(raw_words(text))
