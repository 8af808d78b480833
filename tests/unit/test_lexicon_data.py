"""The search engine's data files in `catalog/data/`: the concept lexicon, the gazetteer and the
filter words. These tests check the data itself (schema, coverage of all eight languages,
plausible coordinates, case forms of town names), independently of the engine's code."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[2] / "catalog" / "data"
LANGS = ("lt", "lv", "en", "ru", "de", "uk", "pl", "et")
GROUPS = {
    "lang": "language",
    "skill": "skill",
    "audience": "audience",
    "activity": "activity",
    "volunteering": "volunteering",
    "topic": "topic",
}
FILTER_KEYS = {"online", "free", "volunteering", "course", "event", "today", "tomorrow",
               "this_week", "weekend", "next_week", "this_month", "weekends", "morning",
               "afternoon", "evening", "in_person",
               *(f"in_language.{code}" for code in ("lt", "lv", "en", "ru", "de", "et", "pl",
                                                    "uk"))}
COUNTRIES = {"LT", "LV", "EE", "NO", "SE", "DE", "GB", "IE", "PL", "FI"}
# (lat_min, lat_max, lon_min, lon_max) of each country, generously rounded outwards
BOUNDS = {
    "LT": (53.8, 56.5, 20.9, 26.9),
    "LV": (55.6, 58.1, 20.9, 28.3),
    "EE": (57.5, 59.7, 21.7, 28.3),
    "NO": (57.9, 71.2, 4.5, 31.1),
    "SE": (55.3, 69.1, 10.9, 24.2),
    "DE": (47.2, 55.1, 5.8, 15.1),
    "GB": (49.9, 60.9, -8.2, 1.8),
    "IE": (51.4, 55.4, -10.5, -6.0),
    "PL": (49.0, 54.9, 14.1, 24.2),
    "FI": (59.8, 70.1, 20.5, 31.6),
}
MIN_CONCEPTS = 200
MIN_TOWNS = {"LT": 55, "LV": 40, "EE": 15}

# Function words that must never be a label on their own: they occur in every query.
STOPWORDS = {
    "lt": "ir bei ar su be į iš is per prie po nuo iki apie už dėl pas o bet kad kur kaip kas "
          "man aš mes yra ne taip jei arba tai tas šis",
    "lv": "un vai ar bez uz no par pie pēc līdz pa kas kur kā es mēs ir nav jā nē bet lai ka "
          "tas tā arī priekš man",
    "en": "the a an and or in on at for of to with by from near is are be it this that what "
          "where how i me my we you about some any",
    "ru": "и в во на с со для по к о об от до из у за не а но или что где как я мы есть это "
          "при про",
    "de": "und oder in im für mit von vom zu zum zur an am auf bei aus der die das den dem des "
          "ein eine einen ich wir ist wo wie was nach",
    "uk": "і й та в у на з із для по до від про за не а але або що де як я ми це при",
    "pl": "i w we na z ze dla do od o po przy za nie a ale lub albo czy co gdzie jak ja my "
          "jest to się",
    "et": "ja ning või ka on ei see mis kus kuidas ma mina me meie kes et aga kui jaoks eest "
          "juures kohta",
}
ALL_STOPWORDS = {word for words in STOPWORDS.values() for word in words.split()}

# Labels (folded) that knowingly name two concepts: German and Estonian compounds of
# 'language' + 'course' belong to the foreign-languages concept and to the course concept.
AMBIGUOUS_LABELS = {
    "sprachkurs": {"lang.foreign_languages", "activity.course"},
    "sprachkurse": {"lang.foreign_languages", "activity.course"},
    "keelekursus": {"lang.foreign_languages", "activity.course"},
    "keelekursused": {"lang.foreign_languages", "activity.course"},
}

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A Russian or Ukrainian label without Cyrillic letters is a brand or an acronym ('Excel',
# 'ChatGPT', 'CV'), never a transliteration: the engine transliterates by itself.
LATIN_BRAND = re.compile(r"^[A-Z0-9][A-Za-z0-9 .+\-]*$")
ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
PLACE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def fold(text: str) -> str:
    """Case-insensitive form without the diacritics of Latin letters ('Rīgā' -> 'riga'), as the
    engine compares words. Cyrillic letters keep their identity (the engine transliterates
    'й' to 'y', not to 'и'), except 'ё', which is written 'е' as often as not."""
    out = []
    for ch in unicodedata.normalize("NFC", text.casefold()):
        if CYRILLIC.match(ch):
            out.append("е" if ch == "ё" else ch)
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(out)


def check_forms(forms: list[str], where: str) -> None:
    """No form twice, and no diacritic-less copy of another form: 'anglu' next to 'anglų' only
    bloats the data, the engine folds diacritics itself. A case form that merely folds like
    another ('Rīgā' next to 'Rīga') is a real word and welcome; so is a plain-ASCII base form
    ('Ogre') first in its list."""
    lowered = [form.casefold() for form in forms]
    repeated = {form for form in lowered if lowered.count(form) > 1}
    assert not repeated, f"{where}: listed twice: {repeated}"
    folded = [fold(form) for form in forms]
    for index, form in enumerate(forms):
        if index == 0 or not form.isascii():
            continue
        twins = [other for other, f in zip(forms, folded, strict=True)
                 if other != form and f == folded[index]]
        assert not twins, f"{where}: {form!r} is a diacritic-less copy of {twins}"


def load(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    assert isinstance(data, dict)
    assert data.get("version") == 1
    return data


@pytest.fixture(scope="module")
def concepts() -> list[dict[str, Any]]:
    data = load("lexicon.json")
    assert set(data) == {"version", "concepts"}
    assert isinstance(data["concepts"], list)
    return data["concepts"]


@pytest.fixture(scope="module")
def places() -> list[dict[str, Any]]:
    data = load("places.json")
    assert set(data) == {"version", "places"}
    assert isinstance(data["places"], list)
    return data["places"]


@pytest.fixture(scope="module")
def filters() -> dict[str, list[dict[str, str]]]:
    data = load("filters.json")
    assert set(data) == {"version", "filters"}
    assert isinstance(data["filters"], dict)
    return data["filters"]


def check_text(text: object, where: str) -> str:
    assert isinstance(text, str), where
    assert text, f"{where}: empty"
    assert text == text.strip(), f"{where}: padded {text!r}"
    assert "  " not in text, f"{where}: double space in {text!r}"
    assert unicodedata.normalize("NFC", text) == text, f"{where}: not NFC {text!r}"
    for word in re.findall(r"[^\s\-']+", text):
        assert not (CYRILLIC.search(word) and LATIN_LETTER.search(word)), \
            f"{where}: mixed scripts in {word!r}"
    return text


def check_script(lang: str, text: str, where: str) -> None:
    if lang in ("ru", "uk"):
        assert CYRILLIC.search(text) or LATIN_BRAND.match(text), \
            f"{where}: Latin text that is not a brand or acronym: {text!r}"
    else:
        assert not CYRILLIC.search(text), f"{where}: Cyrillic in a Latin-script language"


# ------------------------------------------------------------------------------ lexicon


def test_lexicon_schema_and_size(concepts: list[dict[str, Any]]) -> None:
    assert len(concepts) >= MIN_CONCEPTS
    ids = [concept.get("id") for concept in concepts]
    assert len(ids) == len(set(ids)), "duplicate concept ids"
    for concept in concepts:
        assert set(concept) == {"id", "group", "labels"}, concept.get("id")
        cid = concept["id"]
        assert isinstance(cid, str)
        assert ID.match(cid), cid
        assert concept["group"] == GROUPS[cid.split(".")[0]], cid
        assert isinstance(concept["labels"], dict)
        assert set(concept["labels"]) == set(LANGS), cid


def test_every_group_is_covered(concepts: list[dict[str, Any]]) -> None:
    sizes: dict[str, int] = defaultdict(int)
    for concept in concepts:
        sizes[concept["group"]] += 1
    minimum = {"language": 20, "skill": 80, "audience": 15, "activity": 25,
               "volunteering": 20, "topic": 10}
    for group, count in minimum.items():
        assert sizes[group] >= count, (group, sizes[group])


def test_labels_in_all_languages(concepts: list[dict[str, Any]]) -> None:
    for concept in concepts:
        for lang in LANGS:
            labels = concept["labels"][lang]
            where = f"{concept['id']}/{lang}"
            assert isinstance(labels, list), where
            assert labels, f"{where}: no labels"
            for label in labels:
                check_text(label, where)
            check_forms(labels, where)
            for label in labels:
                check_script(lang, label, where)
                assert len(fold(label)) >= 2, f"{where}: {label!r} is too short"


def test_no_label_is_a_stop_word(concepts: list[dict[str, Any]]) -> None:
    stop = {fold(word) for word in ALL_STOPWORDS}
    for concept in concepts:
        for lang, labels in concept["labels"].items():
            for label in labels:
                assert fold(label) not in stop, f"{concept['id']}/{lang}: stop word {label!r}"


def test_shared_labels_are_the_known_ambiguous_ones(concepts: list[dict[str, Any]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for concept in concepts:
        for labels in concept["labels"].values():
            for label in labels:
                owners[fold(label)].add(concept["id"])
    shared = {label: ids for label, ids in owners.items() if len(ids) > 1}
    assert shared == AMBIGUOUS_LABELS


def test_key_languages_are_present(concepts: list[dict[str, Any]]) -> None:
    ids = {concept["id"] for concept in concepts}
    for language in ("english", "german", "french", "spanish", "italian", "norwegian", "swedish",
                     "finnish", "danish", "lithuanian", "latvian", "estonian", "russian",
                     "ukrainian", "polish", "chinese", "japanese", "sign_language"):
        assert f"lang.{language}" in ids
    for required in ("activity.course", "activity.workshop", "activity.lecture",
                     "activity.volunteering", "volunteering.care_home",
                     "volunteering.animal_shelter", "audience.seniors", "audience.children"):
        assert required in ids


# ------------------------------------------------------------------------------ places


def test_places_schema(places: list[dict[str, Any]]) -> None:
    ids = [place.get("id") for place in places]
    assert len(ids) == len(set(ids)), "duplicate place ids"
    for place in places:
        assert set(place) == {"id", "country", "lat", "lon", "names"}, place.get("id")
        pid = place["id"]
        assert isinstance(pid, str)
        assert PLACE_ID.match(pid), pid
        assert place["country"] in COUNTRIES, pid
        assert set(place["names"]) == set(LANGS), pid
        for lang, names in place["names"].items():
            where = f"{pid}/{lang}"
            assert isinstance(names, list), where
            assert names, f"{where}: no names"
            for name in names:
                check_text(name, where)
                if name != place["names"]["en"][0]:  # the official name may stand in any list
                    check_script(lang, name, where)
            check_forms(names, where)


def test_place_coordinates(places: list[dict[str, Any]]) -> None:
    for place in places:
        lat, lon = place["lat"], place["lon"]
        assert isinstance(lat, float), place["id"]
        assert isinstance(lon, float), place["id"]
        assert round(lat, 4) == lat, place["id"]
        assert round(lon, 4) == lon, place["id"]
        lat_min, lat_max, lon_min, lon_max = BOUNDS[place["country"]]
        assert lat_min <= lat <= lat_max, (place["id"], lat)
        assert lon_min <= lon <= lon_max, (place["id"], lon)


def test_enough_towns(places: list[dict[str, Any]]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for place in places:
        counts[place["country"]] += 1
    for country, minimum in MIN_TOWNS.items():
        assert counts[country] >= minimum, (country, counts[country])
    ids = {place["id"] for place in places}
    assert {"vilnius", "kaunas", "klaipeda", "siauliai", "panevezys", "utena", "riga",
            "daugavpils", "liepaja", "jelgava", "tallinn", "tartu", "narva", "oslo"} <= ids


def test_lithuanian_towns_have_a_locative(places: list[dict[str, Any]]) -> None:
    for place in places:
        if place["country"] != "LT":
            continue
        names = place["names"]["lt"]
        nominative = names[0]
        assert names[0] == place["names"]["en"][0], place["id"]
        locatives = [n for n in names[1:] if n.endswith("e") and fold(n) != fold(nominative)]
        assert locatives, f"{place['id']}: no Lithuanian locative (-e, -je, -uose, -yje ...)"
        assert len(names) >= 4, f"{place['id']}: expected at least nom., gen., acc., loc."


def test_latvian_towns_have_a_locative(places: list[dict[str, Any]]) -> None:
    endings = ("ā", "ē", "ī", "ū", "os", "ās", "īs")
    for place in places:
        if place["country"] != "LV":
            continue
        names = place["names"]["lv"]
        assert names[0] == place["names"]["en"][0], place["id"]
        assert any(n.endswith(endings) for n in names), f"{place['id']}: no Latvian locative"
        assert len(names) >= 2, place["id"]


def test_estonian_towns_have_a_locative(places: list[dict[str, Any]]) -> None:
    for place in places:
        if place["country"] != "EE":
            continue
        names = place["names"]["et"]
        assert names[0] == place["names"]["en"][0], place["id"]
        assert any(n.endswith(("s", "l")) and n != names[0] for n in names[1:]), \
            f"{place['id']}: no Estonian inessive/adessive"


def test_no_name_belongs_to_two_places(places: list[dict[str, Any]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for place in places:
        for names in place["names"].values():
            for name in names:
                owners[fold(name)].add(place["id"])
    shared = {name: ids for name, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_place_names_are_not_stop_words_or_labels(places: list[dict[str, Any]],
                                                   concepts: list[dict[str, Any]]) -> None:
    labels = {fold(label) for concept in concepts for labels in concept["labels"].values()
              for label in labels}
    stop = {fold(word) for word in ALL_STOPWORDS}
    for place in places:
        for names in place["names"].values():
            for name in names:
                assert fold(name) not in stop, (place["id"], name)
                assert fold(name) not in labels, (place["id"], name)


# ------------------------------------------------------------------------------ filters


def test_filters_schema(filters: dict[str, list[dict[str, str]]]) -> None:
    assert set(filters) == FILTER_KEYS
    owner: dict[str, str] = {}
    for key, entries in filters.items():
        assert isinstance(entries, list), key
        by_language: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            assert set(entry) == {"lang", "phrase"}, (key, entry)
            lang, phrase = entry["lang"], entry["phrase"]
            assert lang in LANGS, (key, entry)
            where = f"filters/{key}/{lang}"
            check_text(phrase, where)
            check_script(lang, phrase, where)
            by_language[lang].append(phrase)
            folded = fold(phrase)
            assert owner.setdefault(folded, key) == key, \
                f"{where}: {phrase!r} is also a {owner[folded]!r} phrase"
        assert set(by_language) == set(LANGS), f"{key}: missing {set(LANGS) - set(by_language)}"
        for lang, phrases in by_language.items():
            check_forms(phrases, f"filters/{key}/{lang}")


def test_filter_phrases_are_not_stop_words(filters: dict[str, list[dict[str, str]]]) -> None:
    stop = {fold(word) for word in ALL_STOPWORDS}
    for key, entries in filters.items():
        for entry in entries:
            assert fold(entry["phrase"]) not in stop, (key, entry)


def test_filter_phrase_counts(filters: dict[str, list[dict[str, str]]]) -> None:
    for key, entries in filters.items():
        per_language: dict[str, int] = defaultdict(int)
        for entry in entries:
            per_language[entry["lang"]] += 1
        minimum = 2 if key in {"online", "free", "volunteering", "course", "event"} else 1
        for lang in LANGS:
            assert per_language[lang] >= minimum, (key, lang)
