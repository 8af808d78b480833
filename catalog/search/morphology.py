"""Inflection from maintained libraries, beside the hand-written folded stemmer (`stem.py`).

Every word of an item is also keyed by its dictionary form in the item's language
(simplemma: 'gitarze' -> 'gitara', 'eakatele' -> 'eakas', 'біженцям' -> 'біженець') or its
Snowball stem, folded like everything else; a query word is keyed the same way in the
languages the query may be in (the user's and the one its letters suggest). Words whose
keys meet match as the same word does through a shared stem.

`METHOD` picks the analyser; `benchmarks/eval_search.py --morphology` compares them. Measured
on the dev sets (success@5 / MRR@10; the hand-written stemmer is on in every row):

    method                  keyword s@5  keyword MRR  chat s@5  chat MRR  uk    pl    et
    hand stemmer only       0.978        0.974        0.895     0.855     0.83  0.84  0.80
    + Snowball (lt et en
      de ru pl)             0.978        0.974        0.895     0.855     0.83  0.84  0.80
    + simplemma             0.976        0.972        0.915     0.873     0.90  0.88  0.84
    + both                  0.976        0.972        0.915     0.873     0.90  0.88  0.84

Snowball changes nothing the hand stemmer does not already catch (it stems within one
language, and folded Baltic forms are what the hand stemmer was written for); simplemma's
dictionaries bring Polish, Estonian and Ukrainian inflection ('gitarze', 'eakatele',
'біженцям'), but cost minutes of loading and about a gigabyte of memory (see METHOD), so the
bot runs on the hand stemmer for now.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from catalog.search.normalize import fold

METHODS = ("none", "simplemma", "snowball", "both")
# "none" in the running bot: simplemma's eight dictionaries take minutes and over a
# gigabyte to load on a busy two-core machine, and a dictionary loaded on a user's first
# query stalls that reply; the comparison keeps the library a dev dependency until the
# dictionaries can be loaded once, ahead of time, within the memory budget.
METHOD = "none"
SNOWBALL = {"lt": "lithuanian", "et": "estonian", "en": "english", "de": "german",
            "ru": "russian", "pl": "polish"}
SIMPLEMMA = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")
_RAW = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


def raw_words(text: str) -> Iterator[tuple[str, str]]:
    """(raw lower-case word, its folded token) for each word of `text` that folds to one
    token."""
    for match in _RAW.finditer(unicodedata.normalize("NFKC", text).casefold()):
        raw = match.group()
        folded = _folded_token(raw)
        if folded:
            yield raw, folded


@lru_cache(maxsize=262144)
def _folded_token(raw: str) -> str | None:
    folded = re.findall(r"[a-z0-9]+", fold(raw))
    return folded[0] if len(folded) == 1 else None


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Any:
    """A Snowball stemmer (a dev dependency: only the comparison in eval_search uses it)."""
    import snowballstemmer  # type: ignore[import-untyped]

    name = SNOWBALL.get(language)
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=524288)
def keys(raw: str, language: str | None, method: str = "") -> tuple[str, ...]:
    """Folded keys of a raw word in `language` ('' for none): its lemma and/or stem,
    prefixed with the language (a Russian lemma must not meet a Lithuanian word that folds
    alike) so they never meet surface words either."""
    method = method or METHOD
    if not language or method == "none" or raw.isdigit() or len(raw) < 3:
        return ()
    out = []
    if method in ("simplemma", "both") and language in SIMPLEMMA:
        import simplemma  # a dev dependency: see METHOD

        lemma = simplemma.lemmatize(raw, lang=language)
        if lemma:
            out.append("~" + language + fold(lemma.casefold()))
    if method in ("snowball", "both"):
        stemmer = _stemmer(language)
        if stemmer is not None:
            root = stemmer.stemWord(raw)
            if root:
                out.append("=" + language + fold(root))
    return tuple(out)
