"""Query understanding rules, each in the eight languages: framing words, price caps, months,
weekdays, time of day, audiences and ages (and the ages items state they are for), levels,
language of instruction; plus the exact-title rule, the order of ties, and "did you mean"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from babel.dates import get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.search.build import build_index
from catalog.search.constraints import ANY_AGE, stated_ages
from catalog.search.engine import search, suggest
from catalog.search.index import SearchDoc
from catalog.search.normalize import fold, tokens
from catalog.search.understand import DEFAULT_ZONE, understand

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=DEFAULT_ZONE)  # a Wednesday
INDEX = build_index([SearchDoc(1, "f", "1", "Keramikos kursai", city="Vilnius")])
LANGUAGES = ["lt", "lv", "en", "ru", "de", "uk", "pl", "et"]


def topic(query: str) -> list[str]:
    return [term.word for term in understand(INDEX, query, NOW).terms]


@pytest.mark.parametrize("query", [
    "Sveiki, gal žinot ar yra keramikos kursų?", "kur galėčiau rasti keramikos kursus",
    "Labdien, vai ir keramikas kursi?", "is there any pottery class, can you recommend?",
    "подскажите, есть ли курсы керамики?", "Gibt es irgendwo einen Töpferkurs?",
    "czy jest kurs ceramiki?", "kas on keraamika kursus?", "чи є курси кераміки?",
])
def test_framing_words_are_not_topic_words(query: str) -> None:
    words = topic(query)
    assert len(words) == 1, words  # only the craft; kursai/courses is a kind, the rest framing


def test_an_age_is_context_not_topic_and_maps_to_an_audience() -> None:
    request = understand(INDEX, "mano sūnui 15 metų, kur jis galėtų savanoriauti?", NOW)
    assert "15" not in [t.word for t in request.terms]
    assert request.constraints.age_audiences == {"audience.youth"}
    assert understand(INDEX, "my daughter is 10", NOW).constraints.age_audiences == {
        "audience.children"}


PRICE_CAPS = {"lt": "iki 50 eur", "lv": "līdz 50 eiro", "en": "under 50 euros",
              "ru": "до 50 евро", "de": "bis 50 Euro", "uk": "до 50 євро",
              "pl": "do 50 zł", "et": "kuni 50 eurot"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_price_caps(language: str) -> None:
    request = understand(INDEX, f"keramika {PRICE_CAPS[language]}", NOW)
    assert request.constraints.max_price == 50
    assert [t.word for t in request.terms] == ["keramika"]


MARCH = {"lt": "kovą", "lv": "martā", "en": "in March", "ru": "в марте", "de": "im März",
         "uk": "у березні", "pl": "w marcu", "et": "märtsis"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_months_in_inflected_forms(language: str) -> None:
    months = understand(INDEX, f"keramika {MARCH[language]}", NOW).constraints.months
    assert months == {2027 * 12 + 2}  # the next March from November 2026


IN_MONTH = {"en": "in", "de": "im", "ru": "в", "uk": "у", "pl": "w"}


@settings(deadline=None)  # the first example pays for loading the lexicon
@given(st.sampled_from(LANGUAGES), st.sampled_from(["format", "stand-alone"]),
       st.integers(min_value=1, max_value=12))
def test_every_month_name_babel_gives_maps_to_its_month(language: str, context: str,
                                                        month: int) -> None:
    name = get_month_names("wide", context, locale=language)[month]
    if len(fold(name)) <= 3:  # 'may', 'mai', 'май' only after 'in': 'may I join' is no month
        name = f"{IN_MONTH.get(language, 'in')} {name}"
    months = understand(INDEX, f"keramika {name}", NOW).constraints.months
    assert {m % 12 + 1 for m in months} == {month}, name


SATURDAYS = {"lt": "šeštadieniais", "lv": "sestdienās", "en": "on Saturdays",
             "ru": "по субботам", "de": "samstags", "uk": "по суботах", "pl": "w soboty",
             "et": "laupäeviti"}
WEEKENDS = {"lt": "savaitgaliais", "lv": "brīvdienās", "en": "weekends",
            "ru": "по выходным", "de": "am Wochenende", "uk": "на вихідних",
            "pl": "w weekendy", "et": "nädalavahetustel"}
EVENINGS = {"lt": "vakarais", "lv": "vakaros", "en": "in the evening", "ru": "по вечерам",
            "de": "am Abend", "uk": "ввечері", "pl": "wieczorem", "et": "õhtuti"}
MORNINGS = {"lt": "rytais", "lv": "no rīta", "en": "in the morning", "ru": "по утрам",
            "de": "vormittags", "uk": "вранці", "pl": "rano", "et": "hommikuti"}
AFTERNOONS = {"lt": "po pietų", "lv": "pēcpusdienā", "en": "in the afternoon",
              "ru": "после обеда", "de": "nachmittags", "uk": "після обіду",
              "pl": "po południu", "et": "pärastlõunal"}
SENIORS = {"lt": "senjorams", "lv": "senioriem", "en": "for seniors", "ru": "для пенсионеров",
           "de": "für Senioren", "uk": "для пенсіонерів", "pl": "dla seniorów",
           "et": "eakatele"}
CHILDREN = {"lt": "vaikams", "lv": "bērniem", "en": "for children", "ru": "для детей",
            "de": "für Kinder", "uk": "для дітей", "pl": "dla dzieci", "et": "lastele"}
FAMILIES = {"lt": "šeimoms", "lv": "ģimenēm", "en": "for families", "ru": "для семей",
            "de": "für Familien", "uk": "для сімей", "pl": "dla rodzin", "et": "peredele"}

TEENAGERS = {"lt": "paaugliams", "lv": "pusaudžiem", "en": "for teenagers",
             "ru": "для подростков", "de": "für Jugendliche", "uk": "для підлітків",
             "pl": "dla nastolatków", "et": "noortele"}
PARENTS = {"lt": "tėvams", "lv": "vecākiem", "en": "for parents", "ru": "для родителей",
           "de": "für Eltern", "uk": "для батьків", "pl": "dla rodziców",
           "et": "lapsevanematele"}


# (phrases per language, the constraint they set, its value)
PHRASE_CONSTRAINTS = {
    "saturdays": (SATURDAYS, "weekdays", {5}),
    "weekends": (WEEKENDS, "weekdays", {5, 6}),
    "evening": (EVENINGS, "day_part", "evening"),
    "morning": (MORNINGS, "day_part", "morning"),
    "afternoon": (AFTERNOONS, "day_part", "afternoon"),
    "seniors": (SENIORS, "audiences", {"audience.seniors"}),
    "children": (CHILDREN, "audiences", {"audience.children"}),
    "families": (FAMILIES, "audiences", {"audience.families"}),
    "teenagers": (TEENAGERS, "audiences", {"audience.youth"}),
    "parents": (PARENTS, "audiences", {"audience.parents"}),
}


@pytest.mark.parametrize("case", sorted(PHRASE_CONSTRAINTS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_weekdays_times_of_day_and_audiences(language: str, case: str) -> None:
    phrases, name, value = PHRASE_CONSTRAINTS[case]
    request = understand(INDEX, f"keramika {phrases[language]}", NOW)
    assert getattr(request.constraints, name) == value
    assert "keramika" in [t.word for t in request.terms]


BEGINNERS = {"lt": "pradedantiesiems", "lv": "iesācējiem", "en": "for beginners",
             "ru": "для начинающих", "de": "für Anfänger", "uk": "для початківців",
             "pl": "dla początkujących", "et": "algajatele"}
FOREIGNERS = {"lt": "užsieniečiams", "lv": "ārzemniekiem", "en": "for foreigners",
              "ru": "для иностранцев", "de": "für Ausländer", "uk": "для іноземців",
              "pl": "dla cudzoziemców", "et": "välismaalastele"}
REFUGEES = {"lt": "pabėgėliams", "lv": "bēgļiem", "en": "for refugees", "ru": "для беженцев",
            "de": "für Geflüchtete", "uk": "для біженців", "pl": "dla uchodźców",
            "et": "põgenikele"}
# Audiences read as topic (lexicon concepts), not as a constraint column.
SOFT_AUDIENCES = {"beginners": BEGINNERS, "foreigners": FOREIGNERS, "refugees": REFUGEES}


@pytest.mark.parametrize("audience", sorted(SOFT_AUDIENCES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_beginners_foreigners_and_refugees_meet_their_audience_in_any_language(
        language: str, audience: str) -> None:
    request = understand(INDEX, f"keramika {SOFT_AUDIENCES[audience][language]}", NOW)
    assert f"audience.{audience}" in {concept for concept, *_ in request.concepts}
    assert not request.constraints.audiences
    # Named in one language, asked for in another: the item that names it comes first.
    english = SOFT_AUDIENCES[audience]["en"].removeprefix("for ")
    index = build_index([doc(1, "Keramika"), doc(2, f"Keramika ({english})")])
    assert ids(index, f"keramika {SOFT_AUDIENCES[audience][language]}")[:1] == [2]


AGES = {"lt": "mano sūnui 15 metų", "lv": "manam dēlam ir 15 gadu",
        "en": "my son is 15 years old",
        "ru": "моему сыну 15 лет", "de": "mein Sohn ist 15 Jahre alt",
        "uk": "моєму сину 15 років", "pl": "mój syn ma 15 lat", "et": "mu poeg on 15 aastat"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_age_in_every_language_maps_to_an_audience(language: str) -> None:
    request = understand(INDEX, f"{AGES[language]}, keramika", NOW)
    assert request.constraints.age_audiences == {"audience.youth"}
    assert request.constraints.age == 15
    assert [t.word for t in request.terms] == ["keramika"]


# How items state the ages they are for, in each language: (text, youngest, oldest).
STATED_AGES = {
    "lt": [("Priimami savanoriai nuo 18 metų.", 18, ANY_AGE),
           ("Užsiėmimai 8–12 metų vaikams", 8, 12), ("Vaikams nuo 2 iki 5 metų", 2, 5),
           ("Kviečiame vyresnius nei 14 metų", 14, ANY_AGE)],
    "lv": [("No 14 gadu vecuma ar vecāku atļauju", 14, ANY_AGE),
           ("Nodarbības 15–19 gadus veciem jauniešiem", 15, 19), ("no 18 gadiem", 18, ANY_AGE)],
    "en": [("Volunteers must be at least 16 years old.", 16, ANY_AGE),
           ("For children from 8 to 12 years", 8, 12), ("for teens aged 13-17 years", 13, 17)],
    "ru": [("Подходит для детей от 6 лет", 6, ANY_AGE), ("для детей от 7 до 10 лет", 7, 10)],
    "de": [("Für Kinder ab 5 Jahren", 5, ANY_AGE), ("Mindestalter 16 Jahre", 16, ANY_AGE),
           ("zwischen 10 und 14 Jahren", 10, 14)],
    "uk": [("Для волонтерів від 16 років", 16, ANY_AGE), ("для дітей 6–9 років", 6, 9)],
    "pl": [("Wolontariusze od 16 lat", 16, ANY_AGE), ("dla dzieci od 4 do 6 lat", 4, 6)],
    "et": [("Vabatahtlikud alates 16 aastast", 16, ANY_AGE), ("lastele 7–10 aastat", 7, 10)],
}
NO_STATED_AGE = ["Mokymai tėvams, auginantiems vaikus iki 12 metų",  # the children's age
                 "Kursai vyks nuo 18 val.", "Nuo 2027 metų", "12 dalyvių grupė",
                 "Seit 15 Jahren im Verein"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ages_an_item_states_it_is_for(language: str) -> None:
    lexicon = INDEX.lexicon
    for text, youngest, oldest in STATED_AGES[language]:
        assert stated_ages(tokens(text), lexicon) == (youngest, oldest), text


@pytest.mark.parametrize("text", NO_STATED_AGE)
def test_an_age_that_is_not_the_participants_is_not_read(text: str) -> None:
    assert stated_ages(tokens(text), INDEX.lexicon) == (0, ANY_AGE)


def test_an_age_in_the_query_leaves_out_items_for_other_ages() -> None:
    index = build_index([
        doc(1, "Savanorystė vaikų ligoninėje", kind="volunteering",
            description="Priimami savanoriai nuo 18 metų."),
        doc(2, "Savanorystė gyvūnų prieglaudoje", kind="volunteering",
            description="Savanoriams nuo 14 metų."),
        doc(3, "Savanorystė bibliotekoje", kind="volunteering"),  # states no age
    ])
    assert set(ids(index, "savanorystė, mano sūnui 16 metų")) == {2, 3}
    assert set(ids(index, "savanorystė, man 20 metų")) == {1, 2, 3}
    assert set(ids(index, "savanorystė")) == {1, 2, 3}
    result = search(index, "ar galima savanoriauti ligoninėje 16-mečiui?", now=NOW)
    assert result.hits == ()
    assert result.emptied_by == "audience"  # the age belongs with the audience
    assert [hit.doc.id for hit in result.relaxed] == [1]


def test_a_word_for_who_asks_is_no_audience_filter() -> None:
    assert not understand(INDEX, "dovana mamai keramika", NOW).constraints.audiences


LEVELS = {"lt": "B1 lygio", "lv": "B1 līmeņa", "en": "B1 level", "ru": "уровень B1",
          "de": "Niveau B1", "uk": "рівень B1", "pl": "poziom B1", "et": "B1 tasemel"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_levels(language: str) -> None:
    request = understand(INDEX, f"vokiečių kalba {LEVELS[language]}", NOW)
    assert request.constraints.levels == {"b1"}
    assert "b1" not in [t.word for t in request.terms]


IN_ENGLISH = {"lt": "angliškai", "lv": "angliski", "en": "in English", "ru": "на английском",
              "de": "auf Englisch", "uk": "англійською", "pl": "po angielsku",
              "et": "inglise keeles"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_of_instruction(language: str) -> None:
    request = understand(INDEX, f"keramika {IN_ENGLISH[language]}", NOW)
    assert request.constraints.taught_in == {"en"}


IN_PERSON = {"lt": "gyvai", "lv": "klātienē", "en": "in person", "ru": "очно",
             "de": "vor Ort", "uk": "наживо", "pl": "stacjonarnie", "et": "kohapeal"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_person(language: str) -> None:
    assert understand(INDEX, f"keramika {IN_PERSON[language]}", NOW).constraints.in_person


SOON = NOW + timedelta(days=10)


def doc(number: int, title: str, **extra: object) -> SearchDoc:
    values: dict[str, object] = {"start": SOON, "language": "lt", "kind": "course",
                                 "country": "LT"}
    values.update(extra)
    return SearchDoc(number, "feed", str(number), title, **values)


def ids(index: object, query: str, **options: object) -> list[int]:
    return [hit.doc.id for hit in search(index, query, now=NOW, **options).hits]


def test_constraints_are_checked_against_item_data() -> None:
    evening = datetime(2026, 12, 1, 18, 30, tzinfo=DEFAULT_ZONE)  # a Tuesday
    morning = datetime(2027, 3, 6, 10, 0, tzinfo=DEFAULT_ZONE)  # a Saturday in March
    index = build_index([
        doc(1, "Keramikos kursai", start=evening, price=30.0),
        doc(2, "Keramikos kursai suaugusiems", start=morning, price=80.0),
        doc(3, "Keramika senjorams", start=morning, description="B1 lygio"),
    ])
    assert ids(index, "keramika vakarais") == [1]
    assert ids(index, "keramika iki 50 eur") == [1]
    assert set(ids(index, "keramika kovą")) == {2, 3}
    assert set(ids(index, "keramika šeštadieniais")) == {2, 3}
    assert ids(index, "keramika senjorams") == [3]
    assert ids(index, "keramika B1") == [3]


def test_evening_is_read_in_the_items_own_time_zone() -> None:
    # 16:30 UTC is 18:30 in Vilnius in winter: an evening there.
    start = datetime.fromisoformat("2026-12-01T16:30:00+00:00")
    index = build_index([doc(1, "Keramika", start=start)])
    assert ids(index, "keramika vakare") == [1]
    # The zone stored at sync (catalog.formats.zones) is the one the item is shown in, and
    # wins: an online course with only the feed's offset, shown at 18:00, is an evening one.
    online = datetime.fromisoformat("2027-02-01T16:00:00+00:00")
    offset = build_index([doc(1, "English course", start=online, country=None,
                              timezone="+02:00", language="en")])
    assert ids(offset, "evening English course") == [1]
    shown_in_utc = build_index([doc(1, "Keramika", start=start, timezone="UTC")])
    assert ids(shown_in_utc, "keramika vakare") == []
    berlin = build_index([doc(1, "Keramik", start=start, country="DE")])  # 17:30 in Berlin
    assert ids(berlin, "Keramik abends") == [1]


def test_a_constraint_that_empties_the_list_is_named_and_relaxed() -> None:
    index = build_index([doc(1, "Keramikos kursai", price=80.0)])
    result = search(index, "keramika iki 20 eur", now=NOW)
    assert result.hits == ()
    assert result.emptied_by == "price"
    assert [h.doc.id for h in result.relaxed] == [1]


def test_an_exact_title_outranks_a_filter_reading_of_its_words() -> None:
    index = build_index([
        doc(1, "Savaitgalio savanorystė Šiaulių senelių namuose", kind="volunteering",
            city="Šiauliai", start=datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_ZONE)),
        doc(2, "Savanorystė senelių namuose", kind="volunteering", city="Šiauliai",
            start=datetime(2026, 11, 21, 10, 0, tzinfo=DEFAULT_ZONE)),
    ])
    assert ids(index, "Savaitgalio savanorystė Šiaulių senelių namuose")[0] == 1


def test_ties_go_upcoming_first_then_the_users_language_never_by_feed() -> None:
    past = NOW - timedelta(days=30)
    later = NOW + timedelta(days=60)
    index = build_index([
        SearchDoc(1, "a-feed", "1", "Keramika", language="lv", start=past, end=past),
        SearchDoc(2, "b-feed", "2", "Keramika", language="lv", start=later),
        SearchDoc(3, "c-feed", "3", "Keramika", language="lv", start=SOON),
        SearchDoc(4, "d-feed", "4", "Keramika", language="lt", start=SOON),
    ])
    assert ids(index, "keramika", language="lt") == [4, 3, 2, 1]


def test_did_you_mean_only_offers_words_that_find_something() -> None:
    index = build_index([doc(1, "Keramikos dirbtuvės"), doc(2, "Kermikai", language="en",
                                                            start=NOW - timedelta(days=400),
                                                            end=NOW - timedelta(days=399))])
    plan = understand(index, "keramkos", NOW)
    for suggestion in suggest(index, plan, NOW):
        assert search(index, suggestion, now=NOW).hits


@pytest.mark.parametrize("query", ["i", "5", "x 12"])
def test_did_you_mean_never_for_numbers_or_one_letter_words(query: str) -> None:
    index = build_index([doc(1, "Keramikos dirbtuvės"), doc(2, "5 dienų stovykla")])
    assert search(index, query, now=NOW).suggestions == ()
