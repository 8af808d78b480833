"""Text normalisation shared by indexing and querying.

`fold()` applies Unicode NFKC, case folding, Cyrillic-to-Latin transliteration (the informal
scheme people use when typing Russian or Ukrainian on a Latin keyboard: 'английского' ->
'angliyskogo', 'приют' -> 'priyut', 'престарелых' -> 'prestarelykh') and removes diacritics
(ė->e, ā->a, ß->ss, ё->e, ł->l). Both sides of every comparison go through it, so
'Rīgā', 'Riga', 'Рига' and 'Rige' meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian and Belarusian letters
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}
# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL = {"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i",
            "þ": "th", "ð": "d", "ŧ": "t", "ħ": "h",
            # Apostrophes belong inside words: Ukrainian 'комп'ютер', English "don't".
            "'": "", "’": "", "ʼ": "", "`": ""}
_TABLE = str.maketrans({**_CYRILLIC, **_SPECIAL})
_TOKEN = re.compile(r"[a-z0-9]+")
_REMEMBERED_MARKS = 0x3000  # the table keeps the verdict on code points below this


class _Marks(dict[int, int | None]):
    """A `str.translate` table that deletes combining marks and keeps everything else.

    Filled on first sight of each code point (the scripts we serve use a few hundred), so
    it costs nothing at import; code points from U+3000 up are looked up every time they
    appear, so hostile text cannot grow the table past about 12,000 entries."""

    def __missing__(self, code: int) -> int | None:
        verdict = None if unicodedata.combining(chr(code)) else code
        if code < _REMEMBERED_MARKS:
            self[code] = verdict
        return verdict


_MARKS = _Marks()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Normalised, lower-case, Latin, diacritic-free text."""
    if text.isascii():  # NFKC, NFKD and marks change nothing; casefold is lower
        return text.lower().translate(_TABLE)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    # A letter the table knows may surface only once its marks are gone ('ӭ' -> 'э' -> 'e'),
    # so the table is applied again: folding twice must give what folding once gave.
    return decomposed.translate(_MARKS).translate(_TABLE)


def chunks(text: str) -> list[str]:
    """`text` split at whitespace. Folding and tokenising never join or split across
    whitespace (it is a starter that composes with nothing, and every step after
    normalisation is per character), so `tokens(text)` is the concatenation of its
    chunks' tokens, and the same holds for `morphology.raw_words`. The index reads each
    distinct chunk once."""
    return text.split()


def tokens(text: str) -> list[str]:
    """Folded word tokens ('Anglų kalbos kursai (A1)' -> ['anglu', 'kalbos', 'kursai', 'a1'])."""
    return _TOKEN.findall(fold(text))
