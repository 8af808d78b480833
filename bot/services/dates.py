"""Reading the day of an activity as people type it, in any of the eight languages.

    parse_day("vakar", today)            -> yesterday ("вчера", "gestern", "wczoraj", "eile")
    parse_day("užvakar", today)          -> the day before yesterday ("позавчора", "vorgestern")
    parse_day("gruodžio 5 d.", today)    -> 5 December ("5 grudnia", "5. Dezember",
                                            "5 декабря", "5. detsember", "5. decembrī")
    parse_day("5.12", today), "05.12.", "5/12", "2026-12-05", "5.12.2026", "12-05"
    split_trailing_day(["Talka", "vakar"], today) -> (["Talka"], yesterday)

Month names come from Babel's CLDR data (wide and abbreviated, format and stand-alone forms,
so genitives like 'gruodžio' and 'декабря' are known); other case endings of a month name
('decembrī', 'gruodį') are matched by their shared stem. Numbers are read the European way,
day first: '12/5' is 12 May. A date without a year is this year's, unless that is more than
two months ahead (in January, '28.12' is last December). Nothing here decides whether a day
may be logged: that is `bot.services.hours.check_day`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from os.path import commonprefix

from babel.dates import get_month_names

LANGUAGES = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")
# Words for today (0), yesterday (1) and the day before yesterday (2), folded.
_RELATIVE = {
    "siandien": 0, "sodien": 0, "tana": 0, "tana paeval": 0, "today": 0, "сегодня": 0,
    "сьогодні": 0, "dzis": 0, "dzisiaj": 0, "heute": 0,
    "vakar": 1, "eile": 1, "yesterday": 1, "вчера": 1, "вчора": 1, "учора": 1,
    "wczoraj": 1, "gestern": 1,
    "uzvakar": 2, "aizvakar": 2, "uleeile": 2, "позавчера": 2, "позавчора": 2,
    "przedwczoraj": 2, "vorgestern": 2, "day before yesterday": 2,
    "the day before yesterday": 2,
}
# Words around a date that carry nothing: 'd.' (diena), 'm.' (metai), 'g.'/'gada', 'г.',
# 'р.', 'roku', 'года', '5th of December'.
_FILLER = frozenset({"d", "m", "g", "gada", "г", "р", "r", "roku", "года", "року", "of"})
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")  # ISO order without the year: '12-05'
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?\.?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|-?(?:ое|го|е|а|ого))?\.?$")
_YEAR = re.compile(r"^(\d{4})\.?$")
AHEAD = timedelta(days=60)
MAX_WORDS = 6  # the longest date people write: '2026 m. gruodžio 5 d.' is 5 words


def _fold_word(word: str) -> str:
    # Cyrillic й/ї keep their marks: folding them would merge distinct letters.
    out = []
    for ch in unicodedata.normalize("NFC", word.casefold()):
        if "\u0400" <= ch <= "\u04ff":
            out.append(ch)
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", ch)
                               if not unicodedata.combining(c)))
    return "".join(out)


@lru_cache(maxsize=1)
def month_forms() -> dict[str, int]:
    """Every folded month name Babel knows in our languages -> month number."""
    forms: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    key = _fold_word(name).rstrip(".")
                    if len(key) >= 3:
                        forms.setdefault(key, number)
    return forms


def month_of(word: str) -> int | None:
    """The month a word names ('gruodžio', 'Dez.', 'decembrī', 'декабря'), or None."""
    key = _fold_word(word).rstrip(".")
    forms = month_forms()
    if key in forms:
        return forms[key]
    if len(key) < 4 or not key.isalpha():
        return None
    # Another case of a known name: a long shared stem ('decembr-ī' / 'decembr-is'),
    # compared letter by letter, which is what commonprefix does.
    found = {number for form, number in forms.items()
             if len(form) >= 5
             and len(commonprefix([form, key])) >= max(4, len(form) - 3)}  # noqa: RUF071
    return found.pop() if len(found) == 1 else None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text.strip()) if w]


def _latest(day: int, month: int, current: date) -> date | None:
    """This year's day/month, or last year's when this year's is months ahead ('28.12'
    typed in January); a few weeks ahead stays this year's, to be refused as future."""
    for year in (current.year, current.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= current + AHEAD:
            return candidate
    return None


def _make(day: int, month: int, year: int | None, current: date) -> date | None:
    if year is None:
        return _latest(day, month, current)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_number(word: str) -> int | None:
    match = _ORDINAL.match(word)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 31 else None


def _from_names(words: list[str], current: date) -> date | None:
    """day + month name (+ year), in any order people use."""
    year = day = month = None
    for word in words:
        if (found := _YEAR.match(word)) and year is None:
            year = int(found.group(1))
        elif (number := _day_number(word)) is not None and day is None:
            day = number
        elif (named := month_of(word)) is not None and month is None:
            month = named
        else:
            return None
    if day is None or month is None:
        return None
    return _make(day, month, year, current)


def parse_day(text: str, current: date) -> date | None:
    """The day `text` names, relative to `current` (today); None when it is not a date."""
    words = [w for w in _words(text) if _fold_word(w).rstrip(".") not in _FILLER]
    if not words or len(words) > MAX_WORDS:
        return None
    phrase = " ".join(_fold_word(w).rstrip(".!") for w in words)
    if phrase in _RELATIVE:
        return current - timedelta(days=_RELATIVE[phrase])
    if len(words) == 1:
        word = words[0]
        if match := _ISO.match(word):
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
        if match := _MONTH_DAY.match(word):
            return _make(int(match.group(2)), int(match.group(1)), None, current)
        if match := _NUMERIC.match(word):
            year = int(match.group(3)) if match.group(3) else None
            return _make(int(match.group(1)), int(match.group(2)), year, current)
        return None
    return _from_names(words, current)


def split_trailing_day(words: list[str], current: date) -> tuple[list[str], date | None]:
    """The words of '/log 2 Talka vakar' after the hours: (activity words, the day at the
    end or None). The longest run of trailing words that is a date wins."""
    for size in range(min(MAX_WORDS, len(words) - 1), 0, -1):
        day = parse_day(" ".join(words[-size:]), current)
        if day is not None:
            return words[:-size], day
    return words, None
