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


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Normalised, lower-case, Latin, diacritic-free text."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded word tokens ('Anglų kalbos kursai (A1)' -> ['anglu', 'kalbos', 'kursai', 'a1'])."""
    return _TOKEN.findall(fold(text))
