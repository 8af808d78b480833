"""A small, fast guess of a text's language among the eight the bot speaks.

Used when a feed item declares no language. It scores characteristic letters (ė į ų only occur
in Lithuanian, ā ē ī ļ ņ ģ ķ only in Latvian, õ in Estonian, ß in German, ł ś ź ż in Polish,
і ї є ґ in Ukrainian, ы э ъ ё in Russian) and hits in short stop-word lists, and answers only
when one language clearly wins: a short or ambiguous text gets None, never a coin toss.
"""

from __future__ import annotations

import re
from collections import Counter

LANGUAGES = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")

# Letter weights: 3 for a letter only this language uses, 1 for one it shares with a neighbour.
_LETTERS: dict[str, dict[str, float]] = {
    "lt": {"ė": 3, "į": 3, "ų": 3, "ą": 1.5, "ę": 1.5, "č": 1, "š": 1, "ž": 1, "ū": 1},
    "lv": {"ā": 3, "ē": 3, "ī": 3, "ļ": 3, "ņ": 3, "ģ": 3, "ķ": 3, "č": 1, "š": 1, "ž": 1,
           "ū": 1},
    "et": {"õ": 3, "ä": 1, "ö": 1, "ü": 1},
    "de": {"ß": 3, "ä": 1, "ö": 1, "ü": 1},
    "pl": {"ł": 3, "ń": 3, "ś": 3, "ź": 3, "ż": 3, "ć": 3, "ó": 2, "ą": 1.5, "ę": 1.5},
    "uk": {"і": 3, "ї": 3, "є": 3, "ґ": 3},
    "ru": {"ы": 3, "э": 3, "ъ": 3, "ё": 3},
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LISTED: dict[str, frozenset[str]] = {
    "lt": _words("""ir su kad kaip bei iš į apie per ar tai yra nuo iki jums jūs mes savo kurie
        kurios kuris kuri arba taip pat dar tik jau kai ne bet prie po už dėl tarp visi visiems
        mūsų jūsų buvo bus galės galite kviečiame kviečia skirta skirti metu"""),
    "lv": _words("""un ar par kā no uz lai ir tiek vai jūs mēs arī kas pie līdz pēc bet tas tā
        šis šī savu sava kur kad ko var būs jums mūsu jūsu visi visiem gan tikai vēl jau nav ne
        aicinām aicina notiks laikā"""),
    "et": _words("""ja on ei et see kui ka mis ning oma või aga kes kus nii siis koos üle jaoks
        mida meie teie saab kõik ole oli seda selle nad ta kas tule tulge algajatele toimub"""),
    "de": _words("""und der die das mit für ist sie ein eine einen zu von den im auf nicht wir es
        auch dem des bei als wie ab oder am zum zur sich werden wird können ihr ihre unsere uns
        an in nach über aus durch sind hier alle"""),
    "en": _words("""the and of to for with in on is are you your our we this that from by at be
        will an how about who all learn into can more or as it their join us what which have
        has not new through"""),
    "pl": _words("""i w z na do się nie jest dla o że to od jak po przez oraz ze lub ale czy
        także są być który która które jego ich tym tego jako przy"""),
    "ru": _words("""и в не на что с по для это как к из у от о а но за то все вы мы он она они
        при его их так же бы или только уже будет можно вас нас чтобы также если ещё"""),
    "uk": _words("""і в не на що з по для це як до та від у а але за й його ви ми він вона вони
        при їх так же би або тільки вже буде можна вас нас щоб також якщо ще"""),
}
# A word two languages share ("ir" is Lithuanian and Latvian) tells them apart no better than
# silence, and would only dilute the winner's lead.
_STOPWORDS = {
    lang: frozenset(w for w in words
                    if not any(w in other for o, other in _LISTED.items() if o != lang))
    for lang, words in _LISTED.items()
}
# Word endings of one Baltic language that the other does not use: Lithuanian infinitives in
# -ti (Latvian: -t), futures in -site/-sime, locatives in -oje/-uose, datives in -ams; Latvian
# datives in -iem/-ām and nouns in -šana. They split the two when only š, ž, č, ū occur.
_ENDINGS: dict[str, tuple[str, ...]] = {
    "lt": ("ti", "site", "sime", "oje", "uose", "ams"),
    "lv": ("iem", "ām", "šana", "šanas", "ties"),
}
_ENDING_WEIGHT = 1.0
_STOPWORD_WEIGHT = 2.0
_MIN_SCORE = 3.0
_MIN_RATIO = 1.5
_WORDS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_INTERESTING = frozenset(ch for letters in _LETTERS.values() for ch in letters)


def detect_language(text: str | None) -> str | None:
    """The most likely of `LANGUAGES` for `text`, or None when the evidence is thin or split."""
    if not text:
        return None
    lowered = text.lower()
    cyrillic = len(_CYRILLIC.findall(lowered))
    latin = len(_LATIN.findall(lowered))
    if cyrillic + latin < 4:
        return None
    candidates = ("ru", "uk") if cyrillic > latin else ("lt", "lv", "et", "de", "pl", "en")
    scores = dict.fromkeys(candidates, 0.0)
    letters = Counter(ch for ch in lowered if ch in _INTERESTING)
    for lang in candidates:
        weights = _LETTERS.get(lang, {})
        scores[lang] += sum(weights.get(ch, 0.0) * n for ch, n in letters.items())
    for word in _WORDS.findall(lowered):
        for lang in candidates:
            if word in _STOPWORDS[lang]:
                scores[lang] += _STOPWORD_WEIGHT
            elif len(word) > 3 and word.endswith(_ENDINGS.get(lang, ())):
                scores[lang] += _ENDING_WEIGHT
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_SCORE or top < second * _MIN_RATIO:
        return None
    return best
