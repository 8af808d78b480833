"""Every text key the Mini App's pages look up exists in bot/web/strings.py, so no page
shows a bare key (`map.search`) to a person; and the pages carry no English of their own
beyond the last-resort lines for a page that could not load its strings at all.

Keys are read from the pages as they are written: `t("key")`, `labelled("key", ...)`,
`data-t="key"` (and `-label`, `-placeholder`, `data-title`) and the keys built from a value
(`map.kind.${kind}` and the like), whose values the contract fixes.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.web.strings import STRINGS

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
LITERAL = re.compile(r"""(?:\bt|labelled)\(\s*"([a-z_.]+)"|data-(?:t|t-label|t-placeholder|title)"""
                     r"""="([a-z_.]+)"|"((?:nav|state|action|error|shared|org|profile|item)"""
                     r"""\.[a-z_.]+)\"""")
BUILT = {
    "map.kind.${": ["course", "event", "volunteering"],
    "profile.status.${": ["passed", "on_track", "behind", "no_target"],
    "profile.entry.${": ["approved", "pending", "rejected"],
    "reason.${": ["absent", "hours", "organisation", "evidence"],
}


def page_files() -> list[Path]:
    return sorted(p for p in STATIC.iterdir() if p.suffix in (".js", ".html"))


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in page_files():
        text = path.read_text()
        for groups in LITERAL.findall(text):
            keys.update(key for key in groups if key)
        for prefix, values in BUILT.items():
            if prefix in text:
                keys.update(prefix[:-2] + value for value in values)
    return keys


def test_every_key_a_page_uses_is_a_translated_string() -> None:
    used = used_keys()
    assert len(used) > 100  # the reader found the pages' keys
    assert sorted(used - set(STRINGS)) == []


def test_the_pages_hold_no_english_sentences_of_their_own() -> None:
    # Quoted text with two or more words that starts with a capital letter: a sentence
    # for people. Only common.js's FALLBACK (the last resort) may hold such lines.
    sentence = re.compile(r""""[A-Z][a-z]+ [a-z]+[^"]*"|>[A-Z][a-z]+ [a-z]+[^<]*<""")
    line_comment = re.compile(r"(?m)(?:^\s*|\s)//\s.*$")
    block_comment = re.compile(r"/\*.*?\*/", re.DOTALL)
    found = {path.name: sentence.findall(line_comment.sub("", block_comment.sub(
        "", path.read_text()))) for path in page_files()}
    fallback = found.pop("common.js")
    assert len(fallback) == 4  # FALLBACK: not signed in, an error, a link gone or unknown
    assert {name: lines for name, lines in found.items() if lines} == {}
