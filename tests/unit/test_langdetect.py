"""catalog.langdetect: real sentences in each language, and silence when unsure."""

from __future__ import annotations

import pytest

from catalog.langdetect import detect_language

SENTENCES = {
    "lt": [
        "Kviečiame senjorus į nemokamus kompiuterinio raštingumo užsiėmimus bibliotekoje.",
        "Savanoriai padės gyvūnų prieglaudoje: vedžios šunis ir prižiūrės kates.",
        "Išmoksite kurti lenteles ir naudoti pagrindines formules.",
    ],
    "lv": [
        "Aicinām jauniešus pieteikties brīvprātīgajā darbā bibliotēkā.",
        "Nodarbībās apgūsiet angļu valodas pamatus un sarunvalodu ikdienas situācijās.",
        "Kursi notiks divreiz nedēļā pēc darba laika Rīgā.",
    ],
    "et": [
        "Tasuta kursus täiskasvanutele, kes alustavad eesti keele õppimist nullist.",
        "Töötoas õpime koos leiba küpsetama ja räägime traditsioonidest.",
    ],
    "en": [
        "Join us for a free introduction to Python programming for complete beginners.",
        "Volunteers are needed to help with the beach clean-up this Saturday morning.",
    ],
    "ru": [
        "Бесплатные занятия литовским языком для взрослых, которые только начинают учить язык.",
        "Ищем волонтёров для помощи пожилым людям в доме престарелых.",
    ],
    "uk": [
        "Безкоштовні заняття з литовської мови для дорослих, які щойно приїхали з України.",
        "Шукаємо волонтерів, які допоможуть дітям з домашніми завданнями.",
    ],
    "pl": [
        "Zapraszamy na bezpłatne zajęcia z języka litewskiego dla dorosłych.",
        "Szukamy wolontariuszy, którzy pomogą przy zbiórce żywności w sobotę.",
    ],
    "de": [
        "Der Töpferkurs für Erwachsene findet jeden Donnerstag im Gemeindezentrum statt.",
        "Wir suchen Ehrenamtliche, die Grundschulkindern beim Lesen helfen möchten.",
        "Sicher im Internet: ein Infoabend für Senioren über Betrug und Phishing.",
    ],
}


@pytest.mark.parametrize(("language", "sentence"),
                         [(lang, s) for lang, sentences in SENTENCES.items() for s in sentences])
def test_real_sentences(language: str, sentence: str) -> None:
    assert detect_language(sentence) == language


@pytest.mark.parametrize("text", [None, "", "OK", "Python", "A1", "2026-11-21 18:00", "Zoom",
                                  "!!! ??? ...", "Excel"])
def test_short_or_empty_text_is_unknown(text: str | None) -> None:
    assert detect_language(text) is None


def test_ambiguous_text_is_unknown() -> None:
    # Letters shared by Lithuanian and Latvian only ("š", "ž"), no telling words.
    assert detect_language("Šokiai ir žaidimai") is None
    # Cyrillic without a letter or word only Russian or only Ukrainian has.
    assert detect_language("Програма на суботу") is None


def test_ukrainian_and_russian_are_told_apart_by_their_letters() -> None:
    assert detect_language("Київ і Львів") == "uk"
    assert detect_language("Подъём в горы, съёмка") == "ru"


def test_a_baltic_place_name_does_not_outvote_english() -> None:
    assert detect_language("Join us in Šiauliai for the workshop on the weekend") == "en"
