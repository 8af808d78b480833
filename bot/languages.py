"""The languages Takas speaks and how a Telegram `language_code` maps onto them.

Kept free of imports from the rest of the package so settings and i18n can both use it.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

# Order is the order of the /language keyboard.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")

NATIVE_NAMES: dict[str, str] = {
    "lt": "Lietuvių",
    "lv": "Latviešu",
    "et": "Eesti",
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "pl": "Polski",
    "de": "Deutsch",
}

FLAGS: dict[str, str] = {
    "lt": "🇱🇹", "lv": "🇱🇻", "et": "🇪🇪", "en": "🇬🇧",
    "ru": "🇷🇺", "uk": "🇺🇦", "pl": "🇵🇱", "de": "🇩🇪",
}

# Languages without a catalog of their own whose speakers read one of ours best.
# Belarusian users in the region mostly read Russian; Norwegian and other Nordic users English.
CLOSEST: dict[str, str] = {
    "be": "ru",
    "nb": "en", "nn": "en", "no": "en", "sv": "en", "fi": "en", "da": "en",
    "ltg": "lv",  # Latgalian readers read Latvian
}


def language_from_code(code: str | None, available: tuple[str, ...] | frozenset[str]) -> str | None:
    """Map a Telegram/IETF code ('lt-LT', 'pt_BR', 'nb') to an available language, or None."""
    if not code:
        return None
    raw = code.strip().replace("_", "-").lower()
    try:
        language = Locale.parse(raw, sep="-").language
    except (UnknownLocaleError, ValueError):
        language = raw.split("-")[0]
    if language in available:
        return language
    closest = CLOSEST.get(language)
    return closest if closest in available else None
