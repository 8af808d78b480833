"""Language names as a sentence needs them, in the language of the current update.

A language's own name ('Lietuvių') suits a button that offers it, not a sentence: Lithuanian
says 'rašysiu lietuviškai', Polish 'po litewsku', Russian 'на литовском'. `in_language` gives
that phrase (translated per language, since no library has it); `language_name` gives the
name as a noun for lists ('lietuvių, latvių'), from CLDR through Babel.
"""

from __future__ import annotations

from babel import Locale

from bot.i18n import current_language, pgettext


def in_language(code: str) -> str:
    """'in Lithuanian' / 'lietuviškai' / 'po litewsku' (unknown codes as they are)."""
    # TRANSLATORS: how a sentence says "in <language>": "I will write in Lithuanian",
    # "Write the title in Lithuanian" (lt "lietuviškai", pl "po litewsku", ru "на литовском").
    phrases = {
        "lt": pgettext("in language", "in Lithuanian"),
        "lv": pgettext("in language", "in Latvian"),
        "et": pgettext("in language", "in Estonian"),
        "en": pgettext("in language", "in English"),
        "ru": pgettext("in language", "in Russian"),
        "uk": pgettext("in language", "in Ukrainian"),
        "pl": pgettext("in language", "in Polish"),
        "de": pgettext("in language", "in German"),
    }
    return phrases.get(code, code)


def language_name(code: str) -> str:
    """The language's name in the current language, as used in a list ('lietuvių')."""
    name = Locale.parse(current_language()).languages.get(code)
    return name or code
