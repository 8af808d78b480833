"""Regenerate `catalog/data/lemmas.tsv.xz`, the packaged lemma table, from simplemma.

Usage:
    .venv/bin/python -m benchmarks.lemma_table [--languages pl,et,uk,...]

simplemma's dictionaries know the inflection of Polish, Estonian, Ukrainian and the other
languages well, but loading them takes minutes and about a gigabyte and a half, so the bot
cannot load them at run time. This script (a development tool: simplemma is a dev
dependency) keeps the part search needs: every inflected form of every lemma of a word the
lexicon data knows (`catalog/data/lexicon.json` labels and `filters.json` phrases in that
language; never catalog items), so 'gitarze', 'gitarą', 'gitary' all lead to 'gitara' and
'біженцям', 'біженців' to 'біженець'. Forms and lemmas are stored folded (no diacritics,
Latin letters) because queries are compared folded; one line per lemma:
`language<TAB>lemma<TAB>form form ...`, lzma-compressed.
"""

from __future__ import annotations

import argparse
import json
import lzma
from collections import defaultdict
from pathlib import Path

from catalog.search.lexicon import DATA
from catalog.search.normalize import fold, tokens

OUTPUT = DATA / "lemmas.tsv.xz"
# Not Lithuanian and Latvian: the hand-written stemmer (catalog/search/stem.py) was made for
# their folded endings, and lemmas there join words the stemmer rightly keeps apart
# ('jaunesniems' younger -> 'jaunas' young, an audience). Measured with eval_search.
TABLE_LANGUAGES = ("en", "ru", "de", "et", "pl", "uk")
# One lemma with more forms than this is a dictionary artefact (a function word every
# form was filed under), not a topic word.
MAX_FORMS = 200


def seed_words(language: str) -> set[str]:
    """Lower-case words of the lexicon labels and filter phrases in `language`."""
    words: set[str] = set()
    lexicon = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    for concept in lexicon["concepts"]:
        for label in concept["labels"].get(language, ()):
            words.update(label.casefold().split())
    filters = json.loads((DATA / "filters.json").read_text(encoding="utf-8"))
    for entries in filters["filters"].values():
        for entry in entries:
            if entry.get("lang") == language:
                words.update(entry["phrase"].casefold().split())
    return {w.strip(".,:;!?()\"'«»„“”") for w in words} - {""}


def table_for(language: str) -> dict[str, set[str]]:
    """Folded lemma -> folded forms, for the lemmas of the seed words."""
    import simplemma
    from simplemma.strategies.dictionaries.dictionary_factory import (
        _load_dictionary_from_disk,
    )

    dictionary = _load_dictionary_from_disk(language)
    by_lemma: dict[str, set[str]] = defaultdict(set)
    for form, base in dictionary.items():
        by_lemma[base.decode().casefold()].add(form.decode().casefold())
    lemmas: set[str] = set()
    for word in seed_words(language):
        lemmas.add(simplemma.lemmatize(word, lang=language).casefold())
        if word in by_lemma:
            lemmas.add(word)
    out: dict[str, set[str]] = defaultdict(set)
    for lemma in lemmas:
        forms = by_lemma.get(lemma, set()) | {lemma}
        if len(forms) > MAX_FORMS or len(tokens(lemma)) != 1:
            continue
        key = fold(lemma)
        for surface in forms:
            folded = tokens(surface)
            if len(folded) == 1 and len(folded[0]) >= 3:
                out[key].add(folded[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(TABLE_LANGUAGES))
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    lines = []
    for language in args.languages.split(","):
        table = table_for(language)
        forms = sum(len(v) for v in table.values())
        print(f"{language}: {len(table)} lemmas, {forms} forms", flush=True)
        for lemma in sorted(table):
            lines.append(f"{language}\t{lemma}\t{' '.join(sorted(table[lemma]))}\n")
    args.output.write_bytes(lzma.compress("".join(lines).encode(), preset=9))
    print(f"{args.output}: {args.output.stat().st_size} bytes")


if __name__ == "__main__":
    main()
