"""Query understanding: towns in any form become place filters, and online, free,
volunteering, course, event and date words become filters, in every supported language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.understand import DEFAULT_ZONE, understand

INDEX = build_index([SearchDoc(1, "f", "1", "Anglų kalbos kursai", city="Vilnius")])
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=DEFAULT_ZONE)  # a Wednesday


@pytest.mark.parametrize(("query", "place"), [
    ("kursai Vilniuje", "vilnius"), ("kursai vilniuje", "vilnius"), ("Vilniaus", "vilnius"),
    ("kursi Rīgā", "riga"), ("kursi riga", "riga"), ("курсы в Риге", "riga"),
    ("kursy v Rige", "riga"), ("Kurs in Riga", "riga"), ("kursy w Rydze", "riga"),
    ("kursused Riias", "riga"), ("курси у Ризі", "riga"),
    ("Daugavpilī", "daugavpils"), ("Utenoje", "utena"), ("utenoj", "utena"),
    ("Šiauliuose", "siauliai"), ("Kaune", "kaunas"), ("Каунас", "kaunas"),
    ("Wilno", "vilnius"), ("Вильнюсе", "vilnius"), ("Tallinnas", "tallinn"),
    ("Liepājā", "liepaja"), ("Klaipėdoje", "klaipeda"), ("Rēzeknē", "rezekne"),
    ("Naujojoje Akmenėje", "naujoji_akmene"),
])
def test_a_town_in_any_form_becomes_a_place_filter(query: str, place: str) -> None:
    places = understand(INDEX, query, NOW).filters.places
    assert any(p == place or p.startswith(place) for p in places), places


def test_a_place_word_is_not_also_a_search_term() -> None:
    plan = understand(INDEX, "anglų kalbos kursai Vilniuje", NOW)
    assert "vilniuje" not in [t.word for t in plan.terms]


def test_a_word_the_catalog_uses_is_not_mistaken_for_a_town() -> None:
    index = build_index([SearchDoc(1, "f", "1", "Saugi elektroninė bankininkystė")])
    assert not understand(index, "saugi bankininkyste", NOW).filters.places


FILTERS = {
    "online": ["internetu", "tiešsaistē", "online", "онлайн", "online", "онлайн", "online",
               "veebis"],
    "free": ["nemokami", "bezmaksas", "free", "бесплатно", "kostenlos", "безкоштовно",
             "bezpłatne", "tasuta"],
    "volunteering": ["savanorystė", "brīvprātīgais darbs", "volunteering", "волонтёрство",
                     "Ehrenamt", "волонтерство", "wolontariat", "vabatahtlik töö"],
    "course": ["kursai", "kursi", "course", "курсы", "Kurs", "курси", "kurs", "kursus"],
    "event": ["renginys", "pasākums", "event", "мероприятие", "Veranstaltung", "захід",
              "wydarzenie", "üritus"],
}
LANGUAGES = ["lt", "lv", "en", "ru", "de", "uk", "pl", "et"]


@pytest.mark.parametrize("name", sorted(FILTERS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_filter_words_in_every_language(name: str, language: str) -> None:
    word = FILTERS[name][LANGUAGES.index(language)]
    filters = understand(INDEX, f"keramika {word}", NOW).filters
    if name in ("online", "free"):
        assert getattr(filters, name), (word, filters)
    else:
        assert name in filters.kinds, (word, filters)


DATES = {
    "today": ["šiandien", "šodien", "today", "сегодня", "heute", "сьогодні", "dzisiaj", "täna"],
    "tomorrow": ["rytoj", "rīt", "tomorrow", "завтра", "morgen", "завтра", "jutro", "homme"],
    "weekend": ["šį savaitgalį", "šajā nedēļas nogalē", "this weekend", "в эти выходные",
                "dieses Wochenende", "в ці вихідні", "w ten weekend", "sel nädalavahetusel"],
    "this_week": ["šią savaitę", "šonedēļ", "this week", "на этой неделе", "diese Woche",
                  "цього тижня", "w tym tygodniu", "sel nädalal"],
}


@pytest.mark.parametrize("name", sorted(DATES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_date_words_in_every_language(name: str, language: str) -> None:
    word = DATES[name][LANGUAGES.index(language)]
    assert understand(INDEX, f"keramika {word}", NOW).filters.date == name


def test_date_windows() -> None:
    def window(name: str) -> tuple[datetime, datetime]:
        plan = understand(INDEX, {"today": "today", "tomorrow": "tomorrow", "weekend":
                                  "this weekend", "this_week": "this week"}[name], NOW)
        assert plan.filters.window is not None
        start, end = plan.filters.window
        return (datetime.fromtimestamp(start, UTC).astimezone(DEFAULT_ZONE),
                datetime.fromtimestamp(end, UTC).astimezone(DEFAULT_ZONE))

    midnight = NOW.replace(hour=0, minute=0)
    assert window("today") == (midnight, midnight + timedelta(days=1))
    assert window("tomorrow") == (midnight + timedelta(days=1), midnight + timedelta(days=2))
    assert window("weekend") == (midnight + timedelta(days=3), midnight + timedelta(days=5))
    assert window("this_week") == (midnight, midnight + timedelta(days=5))


def test_stop_words_are_dropped_but_a_query_of_only_stop_words_is_kept() -> None:
    assert [t.word for t in understand(INDEX, "noriu išmokti programuoti", NOW).terms] == [
        "programuoti"]
    assert [t.word for t in understand(INDEX, "ir", NOW).terms] == ["ir"]
