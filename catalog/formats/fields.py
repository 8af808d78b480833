"""Field-level normalisers every feed format shares.

Language and country codes, kinds, places, prices, yes/no values and text decoding, each as
partners in Lithuania, Latvia, Estonia and their neighbours actually write them. All functions
are pure and return None (or a stated default) for values they do not recognise.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from collections.abc import Iterable

from catalog.model import Kind

_LANGUAGE_ALIASES = {
    "lit": "lt", "lav": "lv", "est": "et", "eng": "en", "rus": "ru", "ukr": "uk", "pol": "pl",
    "deu": "de", "ger": "de", "fin": "fi", "swe": "sv", "nor": "no", "nob": "nb", "fra": "fr",
    "fre": "fr", "spa": "es", "ita": "it", "bel": "be",
    "lithuanian": "lt", "lietuvių": "lt", "lietuviu": "lt", "latvian": "lv", "latviešu": "lv",
    "latviesu": "lv", "estonian": "et", "eesti": "et", "english": "en", "russian": "ru",
    "русский": "ru", "ukrainian": "uk", "українська": "uk", "polish": "pl", "polski": "pl",
    "german": "de", "deutsch": "de",
}
_COUNTRY_ALIASES = {
    "ltu": "LT", "lithuania": "LT", "lietuva": "LT", "lva": "LV", "latvia": "LV",
    "latvija": "LV", "est": "EE", "estonia": "EE", "eesti": "EE", "deu": "DE", "germany": "DE",
    "deutschland": "DE", "pol": "PL", "poland": "PL", "polska": "PL", "fin": "FI",
    "finland": "FI", "suomi": "FI", "nor": "NO", "norway": "NO", "norge": "NO", "swe": "SE",
    "sweden": "SE", "sverige": "SE", "ukr": "UA", "ukraine": "UA", "україна": "UA",
    "uk": "GB", "gbr": "GB", "united kingdom": "GB",
}
# Substrings (of casefolded text) that mark a volunteering opportunity or a course.
_VOLUNTEERING = ("volunteer", "savanor", "brīvprātīg", "brivpratig", "волонт", "wolontar",
                 "ehrenamt", "freiwillig", "vabatahtlik", "субботник", "social-civic",
                 "socialinė-pilietinė", "socialinė pilietinė", "socialine-pilietine")
_VOLUNTEERING_WORDS = frozenset({"talka", "talkā", "talkas", "talkos", "talkoot"})
_COURSE = ("course", "kurs", "курс", "mokymai", "mokymų", "apmācīb", "schulung", "lehrgang",
           "bootcamp")
_ONLINE = frozenset({"online", "on-line", "nuotoliu", "nuotolinis", "nuotoliniu būdu",
                     "internetu", "tiešsaistē", "tiessaiste", "tiešsaiste", "veebis", "онлайн",
                     "virtual", "virtually", "webinar", "zoom", "remote", "distance"})
_TRUE = frozenset({"true", "yes", "y", "1", "taip", "t", "jā", "ja", "jah", "tak", "да", "так",
                   "x", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "ne", "nē", "nee", "ei", "nein", "nie", "нет",
                    "ні", ""})
_FREE = frozenset({"free", "nemokamai", "nemokama", "nemokamas", "bezmaksas", "tasuta",
                   "kostenlos", "gratis", "бесплатно", "безкоштовно", "bezpłatnie"})
_POSTCODE = re.compile(r"^(?:(?P<cc>[A-Z]{2})-)?\d{3,6}\s+|\s+(?:(?P<cc2>[A-Z]{2})-)?\d{3,6}$")
_PRICE = re.compile(r"-?\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)?")


def language_code(value: object) -> str | None:
    """'lt-LT', 'LT', 'lit', 'Lithuanian' -> 'lt'; None for anything that is not a language."""
    if not isinstance(value, str):
        return None
    text = value.strip().casefold()
    if text in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[text]
    primary = re.split(r"[-_]", text, maxsplit=1)[0]
    if len(primary) == 2 and primary.isascii() and primary.isalpha():
        return primary
    return _LANGUAGE_ALIASES.get(primary) if len(primary) == 3 else None


def country_code(value: object) -> str | None:
    """ISO 3166-1 alpha-2 (upper case) from a code or a common name; None when unknown."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()).casefold()
    if text in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[text]
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    return None


def is_volunteering(signals: Iterable[str]) -> bool:
    """Whether a type, category or keyword names volunteering in one of our languages."""
    for signal in signals:
        text = signal.casefold()
        if any(stem in text for stem in _VOLUNTEERING):
            return True
        if _VOLUNTEERING_WORDS.intersection(re.findall(r"\w+", text)):
            return True
    return False


def guess_kind(signals: Iterable[str], title: str | None, default: Kind = Kind.EVENT) -> Kind:
    """For formats that do not say what an entry is: VOLUNTEERING when a category, keyword or
    the title names volunteering, COURSE when one names a course, else `default`."""
    texts = [s for s in signals if s] + ([title] if title else [])
    if is_volunteering(texts):
        return Kind.VOLUNTEERING
    if any(stem in text.casefold() for text in texts for stem in _COURSE):
        return Kind.COURSE
    return default


def is_online_word(text: str) -> bool:
    return " ".join(text.split()).casefold() in _ONLINE


def place_parts(text: str | None) -> tuple[str | None, str | None, bool]:
    """(city, country, online) from a free-text place like 'Library, Gedimino pr. 9, Vilnius'.

    Deliberately simple: the city is the last comma-separated part that, once a postcode
    ('LT-01100', '10115') is taken off, has no digits left and is not a country name; a part
    that says 'online' marks the place as online.
    """
    if not text:
        return None, None, False
    city: str | None = None
    country: str | None = None
    online = False
    for raw in reversed([p.strip() for p in re.split(r"[,\n;]", text)]):
        if not raw:
            continue
        if is_online_word(raw):
            # "Library, online": the rest names the host, not a place to go to.
            online = True
            break
        match = _POSTCODE.search(raw)
        part = _POSTCODE.sub("", raw).strip() if match else raw
        if match and (match["cc"] or match["cc2"]) and country is None:
            country = country_code(match["cc"] or match["cc2"])
        code = _COUNTRY_ALIASES.get(part.casefold())
        if code:
            country = country or code
            continue
        if part and city is None and not any(ch.isdigit() for ch in part):
            city = part
            break
    return city, country, online


def parse_bool(value: object) -> bool | None:
    """True/False from true/false, taip/ne, jā/nē, ja/nein, 1/0 ...; None when unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if not isinstance(value, str):
        return None
    text = value.strip().casefold()
    if text in _TRUE:
        return True
    return False if text in _FALSE else None


def parse_number(value: object) -> float | None:
    """A finite float from a number or a string with a decimal comma ('2,5', '1 200,50 €')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _PRICE.search(value)
        if not match or len(value) > 64:
            return None
        text = match.group().replace(" ", "").replace("\u00a0", "")
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_price(value: object) -> float | None:
    """A non-negative price; words like 'free'/'nemokamai'/'bezmaksas' are 0.0."""
    if isinstance(value, str) and value.strip().casefold() in _FREE:
        return 0.0
    number = parse_number(value)
    return number if number is not None and number >= 0 else None


def decode_text(body: bytes, charset: str | None = None, fallback: str = "cp1257") -> str:
    """Text from bytes: a BOM wins, then UTF-8, then the declared charset, then `fallback`.

    UTF-8 is tried before the declared charset because servers often declare ISO-8859-1 for
    files that are really UTF-8, while text in a legacy code page is almost never valid UTF-8.
    """
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return body.decode(fallback, errors="replace")


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Aprašymas ' -> 'aprasymas', 'Nr.' -> 'nr'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())
