"""Small talk: telling greetings, thanks, asks for help and goodbyes apart from searches.

People greet a bot and thank it ("labas", "привет", "hello, can you help me?", "danke!");
searching such words finds nothing useful and answers "nothing found". `detect()` reads a
message as small talk only when it is made *entirely* of known phrases from
`catalog/data/intents.json` (in all eight languages, with and without diacritics, common
misspellings; Latin-typed Cyrillic meets its Cyrillic form through `fold`), and at least one
of them is a greeting, a thanks, a help request or a goodbye rather than framing ("please",
"bot", "again"). Any other word makes it a search: "hello, English courses in Riga" is a
query with a greeting in front, and `detect()` returns None for it.

Pure functions over data loaded once per process; no I/O after the first call.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from catalog.search.normalize import tokens

DATA = Path(__file__).resolve().parent.parent / "data" / "intents.json"
MAX_WORDS = 12  # small talk is short; a long message is a request, whatever its words
_REPEATS = re.compile(r"(.)\1{2,}")  # "hiii", "priveeet", "aciuuu": typed for warmth


class Intent(enum.Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    GOODBYE = "goodbye"


# When a message holds several, the answer that serves the person best wins: "hi, what can
# you do?" wants the help answer, "thanks, bye" the thanks.
_PRIORITY = (Intent.HELP, Intent.THANKS, Intent.GREETING, Intent.GOODBYE)
_FRAMING = "framing"


@dataclass(frozen=True)
class Phrases:
    """Folded phrases (word tuples) by what they say: an Intent or framing (None)."""

    meaning: dict[tuple[str, ...], Intent | None]
    longest: int


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_squeeze(word) for word in tokens(text))


@lru_cache(maxsize=1)
def load_phrases(path: Path = DATA) -> Phrases:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    meaning: dict[tuple[str, ...], Intent | None] = {}
    for phrase in (p for phrases in data[_FRAMING].values() for p in phrases):
        meaning[_words(phrase)] = None
    for intent in reversed(_PRIORITY):  # a phrase in two lists keeps the stronger intent
        for phrase in (p for phrases in data[intent.value].values() for p in phrases):
            meaning[_words(phrase)] = intent
    meaning.pop((), None)
    return Phrases(meaning, max(len(words) for words in meaning))


def _cover(words: tuple[str, ...], phrases: Phrases) -> list[Intent | None] | None:
    """The meanings of phrases that exactly tile `words`, preferring longer phrases; None
    when some word belongs to no phrase (then the message is not small talk)."""
    # best[i]: a tiling of words[i:], or None; computed right to left.
    best: list[list[Intent | None] | None] = [None] * len(words) + [[]]
    for start in range(len(words) - 1, -1, -1):
        for size in range(min(phrases.longest, len(words) - start), 0, -1):
            rest = best[start + size]
            piece = words[start:start + size]
            if rest is not None and piece in phrases.meaning:
                best[start] = [phrases.meaning[piece], *rest]
                break
    return best[0]


def detect(text: str, phrases: Phrases | None = None) -> Intent | None:
    """The small-talk intent of a whole message, or None when it is (or may be) a search."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    meanings = _cover(words, phrases or load_phrases())
    if meanings is None:
        return None
    return next((intent for intent in _PRIORITY if intent in meanings), None)
