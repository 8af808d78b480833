"""Inflection from maintained libraries, beside the hand-written folded stemmer (`stem.py`).

Every word of an item is also keyed by its dictionary form in the item's language
(simplemma: 'gitarze' -> 'gitara', 'eakatele' -> 'eakas', 'біженцям' -> 'біженець') or its
Snowball stem, folded like everything else; a query word is keyed the same way in the
languages the query may be in (the user's and the one its letters suggest). Words whose
keys meet match as the same word does through a shared stem.

`METHOD` picks the analyser; `benchmarks/eval_search.py --morphology` compares them. Measured
on the dev sets (success@5 / MRR@10; the hand-written stemmer is on in every row; same
lexicon and framing data in every row):

    method                  keyword s@5  keyword MRR  chat s@5  chat MRR  uk    pl    et
    hand stemmer only       0.981        0.977        0.945     0.908     0.87  0.96  0.92
    + Snowball (lt et en
      de ru pl)             0.981        0.977        0.945     0.908     0.87  0.96  0.92
    + simplemma (8 langs)   0.978        0.974        0.965     0.925     0.93  1.00  0.96
    + simplemma + Snowball  0.978        0.974        0.965     0.925     0.93  1.00  0.96
    + packaged table        0.981        0.977        0.970     0.930     0.93  1.00  0.96

Snowball changes nothing the hand stemmer does not already catch. simplemma's dictionaries
bring Polish, Estonian and Ukrainian inflection ('gitarze', 'eakatele', 'біженцям') but cost
minutes of loading and over a gigabyte of memory, so the bot runs on `table`: the part of
those dictionaries search needs, made at development time by `benchmarks/lemma_table.py`
(every form of every lemma of a word the lexicon data knows, for en ru de et pl uk; about
120,000 forms, 240 kB compressed, a second and some 20 MB to load). It keeps simplemma's gain
and, unlike simplemma on Lithuanian ('jaunesniems' younger -> 'jaunas' young), costs the
keyword set nothing; labels are keyed by their lemmas as well (`lexicon.py`).
"""

from __future__ import annotations

import lzma
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.search.normalize import fold

METHODS = ("none", "table", "simplemma", "snowball", "both")
TABLE = Path(__file__).resolve().parent.parent / "data" / "lemmas.tsv.xz"
# "table" in the running bot: simplemma's eight dictionaries take minutes and over a
# gigabyte to load on a busy two-core machine; the packaged table is what search needs of
# them (see the module docstring). simplemma and Snowball stay dev dependencies.
METHOD = "table"
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


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> folded form -> folded lemmas, from the packaged table (made from
    simplemma's dictionaries by `benchmarks/lemma_table.py`)."""
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for line in lzma.decompress(TABLE.read_bytes()).decode().splitlines():
        language, lemma, forms = line.split("\t")
        for form in forms.split():
            table[language][form].append(lemma)
    return {language: {form: tuple(lemmas) for form, lemmas in forms.items()}
            for language, forms in table.items()}


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
    if method == "table":
        folded = _folded_token(raw)
        found = lemma_table().get(language, {}).get(folded or "", ())
        return tuple("~" + language + lemma for lemma in found)
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
