"""A light, language-agnostic stemmer for folded Baltic (and neighbouring) word forms.

Queries arrive without a reliable language tag and are folded (no diacritics), so one list
of inflectional endings, longest first, serves Lithuanian, Latvian, transliterated Russian,
German and English. It is deliberately conservative: an ending is removed only when at
least three letters remain, and four-letter words only lose a final vowel, so
'Vilniuje', 'Vilniaus', 'Vilnius' -> 'viln'; 'Rīgā', 'Rīgas', 'v Rige' -> 'rig';
'kursai', 'kursų', 'kursy', 'Kurse' -> 'kurs'; 'Utenoje', 'Utenos' -> 'uten'.
"""

from __future__ import annotations

from functools import lru_cache

MIN_STEM = 3

_ENDINGS = sorted(
    {
        # Lithuanian (folded): cases of nouns and adjectives, plural, locatives
        "iesiems", "iosiose", "iuosiuose", "iausias", "iausia", "iuose", "uose", "iose",
        "yse", "ose", "ese", "iuje", "uje", "oje", "eje", "yje", "ije", "iams", "ams",
        "oms", "ems", "ims", "iems", "iais", "ais", "iai", "ioms", "iomis", "omis",
        "emis", "imis", "umis", "iaus", "ius", "iui", "iu", "ios", "ies",
        "as", "is", "ys", "us", "os", "es", "ai", "ei", "ui", "ia", "io",
        "a", "e", "i", "o", "u", "y",
        # Lithuanian definite (pronominal) adjectives: pirmoji, pirmosios, pirmąją ...
        "aisiais", "uosiuose", "osiomis", "osiose", "osioms", "uosius", "asias",
        "ojoje", "ajame", "osios", "asis", "ieji", "uoju", "ajam", "ajai", "oji", "ojo",
        "uju", "aja", "aji",
        # Latvian (folded): genitive, dative, locative, plural
        "ajiem", "ajos", "ajas", "iem", "am", "em", "im", "um", "ie",
        # transliterated Russian and Ukrainian: adjective and noun endings
        "yakh", "akh", "ykh", "ikh", "yami", "ami", "ogo", "ego", "omu", "emu", "oye",
        "aya", "uyu", "yye", "iye", "yy", "iy", "ov", "ev", "om", "yu", "ya", "ye",
        # German and English plurals and derivations
        "ern", "ers", "en", "er", "ing", "s",
    },
    key=len,
    reverse=True,
)


# Germanic endings need a longer stem: 'desing' (a typo) must not become 'des'.
_MIN_STEM = {"ing": 4, "ers": 4, "ern": 4, "en": 4, "er": 4}


@lru_cache(maxsize=131072)
def stem(token: str) -> str:
    """The stem of a folded token (digits and short words unchanged)."""
    if len(token) < 4 or not token.isalpha():
        return token
    if len(token) == 4:  # 'riga' -> 'rig', but 'kurs' stays 'kurs'
        return token[:3] if token[3] in "aeiouy" else token
    for ending in _ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= _MIN_STEM.get(ending, MIN_STEM):
            return token[: -len(ending)]
    return token


def concept_key(token: str) -> str:
    """How a word is compared with lexicon labels: by stem, unless the stem is so short that
    unrelated words share it ('kinų' Chinese and 'kino' cinema both stem to 'kin')."""
    root = stem(token)
    return root if len(root) >= 4 else token
