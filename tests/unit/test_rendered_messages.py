"""The eight-language check, once over every message as a user reads it: each message of the
catalog translated through the real gettext and filled with realistic values that Babel
formats in that language (benchmarks/render_messages.py, the text of a language review), plural
messages for 1, 3 and 0. In every language no English source text is left and every
placeholder is filled. The running bot's journeys use one language of each kind
(tests/e2e/test_languages.py: JOURNEY_LANGUAGES)."""

from __future__ import annotations

import re

import pytest

from benchmarks.render_messages import render
from bot.i18n import I18n
from tests.e2e.test_languages import LANGUAGES, english_fragments

UNFILLED = re.compile(r"(?<!\{)\{[a-z_][a-z0-9_]*\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_reads_in_the_language(i18n: I18n, language: str) -> None:
    lines = render(language, i18n)
    english = render("en", i18n)
    assert len(lines) == len(english) > 300
    transcript = "\n".join(lines)
    leaks = [piece for piece in english_fragments(language) if piece in transcript]
    assert not leaks, f"English left in the {language} messages: {leaks}"
    assert not UNFILLED.findall(transcript)
