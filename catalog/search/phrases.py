"""Finding multi-word phrases (concept labels, place names, filter words) in token sequences.

Documents have one token per position; queries have several candidate forms per position
(the typed word, its stem, its spelling corrections), each with a quality in (0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Phrase = tuple[str, ...]
PhraseIndex = Mapping[str, tuple[tuple[Phrase, str], ...]]


def find_exact(words: Sequence[str], index: PhraseIndex) -> list[tuple[int, int, str]]:
    """Every (start, end, value) whose phrase occurs at `start` in `words`."""
    found: list[tuple[int, int, str]] = []
    if index.keys().isdisjoint(words):  # the usual case, decided in C
        return found
    for start, word in enumerate(words):
        for phrase, value in index.get(word, ()):
            end = start + len(phrase)
            if end == start + 1 or tuple(words[start:end]) == phrase:
                found.append((start, end, value))
    return found


def find_alternatives(
    positions: Sequence[Mapping[str, float]], index: PhraseIndex
) -> list[tuple[int, int, str, float]]:
    """Like `find_exact` where each position offers forms with qualities; a phrase's quality
    is the lowest quality among the forms it used."""
    found = []
    for start, forms in enumerate(positions):
        for form, quality in forms.items():
            for phrase, value in index.get(form, ()):
                end = start + len(phrase)
                if end > len(positions):
                    continue
                worst = quality
                for offset, word in enumerate(phrase[1:], start=start + 1):
                    q = positions[offset].get(word)
                    if q is None:
                        break
                    worst = min(worst, q)
                else:
                    found.append((start, end, value, worst))
    return found
