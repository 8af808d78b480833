"""Translations: compiled gettext catalogs, one active language per update.

English is the source language (message ids are English). Every other language has a
catalog under `locales/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo` by `make i18n`
(and by `make run`/`make test`). Start-up refuses a catalog whose `.mo` is missing or older
than its `.po`, so nobody runs with stale translations by accident.

The active translations live in a `ContextVar`, set per update by the middleware handler, so
`_()` works anywhere below a handler without passing the locale around and concurrent
updates never see each other's language.

Messages use named placeholders filled *after* translation:
`_("You have {hours} hours").format(hours=...)`; never f-strings as message ids. A translated
message is a `Message`, whose `.format()` never doubles a full stop: a value that ends with an
abbreviation ('gruodžio 7 d.', '2 Std.') ends the sentence without the message's own period.
"""

from __future__ import annotations

import gettext as _gettext
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from babel.support import Translations

from bot.languages import SUPPORTED_LANGUAGES, language_from_code

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


_FORMATTER = string.Formatter()


class Message(str):
    """A translated message; `.format()` fills it without doubling a full stop.

    Dates and hours often end with an abbreviation's period in our languages ('gruodžio 7 d.',
    '2 val.', '2 Std.', '3 godz.'); a message that ends a sentence right after such a value
    keeps one period, not two. An ellipsis ('...') after a value is left alone.
    """

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        parts: list[str] = []
        value = ""
        auto = 0
        for literal, name, spec, conversion in _FORMATTER.parse(self):
            if value.endswith(".") and literal.startswith(".") and not literal.startswith(".."):
                literal = literal[1:]
            parts.append(literal)
            if name is None:
                value = ""
                continue
            if name == "":
                name, auto = str(auto), auto + 1
            obj, _key = _FORMATTER.get_field(name, args, kwargs)
            if conversion:
                obj = _FORMATTER.convert_field(obj, conversion)
            value = _FORMATTER.format_field(obj, spec or "")
            parts.append(value)
        return "".join(parts)


class CatalogError(Exception):
    """A catalog is missing or not compiled; the message says how to fix it."""


class Speaker(Protocol):
    """A person as stored (a `users` row): their choice in /language and the language
    their Telegram app reported last."""

    @property
    def language(self) -> str | None: ...

    @property
    def telegram_language(self) -> str | None: ...


@dataclass(frozen=True)
class _Active:
    language: str
    translations: _gettext.NullTranslations


_SOURCE = _Active(SOURCE_LANGUAGE, _gettext.NullTranslations())
_active: ContextVar[_Active] = ContextVar("takas_language", default=_SOURCE)


@dataclass(frozen=True)
class I18n:
    """The loaded catalogs; immutable once built."""

    catalogs: dict[str, _gettext.NullTranslations] = field(default_factory=dict)
    default_language: str = SOURCE_LANGUAGE

    @classmethod
    def load(cls, locales_dir: Path = DEFAULT_LOCALES_DIR, default_language: str = "en") -> I18n:
        catalogs: dict[str, _gettext.NullTranslations] = {
            SOURCE_LANGUAGE: _gettext.NullTranslations()
        }
        for language in SUPPORTED_LANGUAGES:
            folder = locales_dir / language / "LC_MESSAGES"
            po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
            if language == SOURCE_LANGUAGE or not po.exists():
                continue
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                raise CatalogError(
                    f"The {language} translations are not compiled ({mo} is missing or older "
                    "than its .po): run `make i18n`."
                )
            with mo.open("rb") as handle:
                catalogs[language] = Translations(handle, domain=DOMAIN)
        if default_language not in catalogs:
            raise CatalogError(
                f"DEFAULT_LANGUAGE={default_language} has no catalog in {locales_dir}; "
                f"available: {', '.join(sorted(catalogs))}."
            )
        return cls(catalogs=catalogs, default_language=default_language)

    @property
    def languages(self) -> tuple[str, ...]:
        """Available languages in the order of the language keyboard."""
        return tuple(code for code in SUPPORTED_LANGUAGES if code in self.catalogs)

    def resolve(self, stored: str | None, telegram_code: str | None) -> str:
        """The stored choice wins, then Telegram's language_code, then the default."""
        for candidate in (stored, telegram_code):
            language = language_from_code(candidate, self.languages)
            if language:
                return language
        return self.default_language

    def language_of(self, person: Speaker | None) -> str:
        """The language to speak to `person` (None: unknown, the default): the ONE rule for
        a user's language, whether we answer them, render an outbox notice for them or
        write their broadcast's progress."""
        if person is None:
            return self.default_language
        return self.resolve(person.language, person.telegram_language)

    def activate(self, language: str) -> None:
        """Make `language` the language of the current update (context)."""
        translations = self.catalogs.get(language) or self.catalogs[self.default_language]
        _active.set(_Active(language if language in self.catalogs else self.default_language,
                            translations))

    @contextmanager
    def use(self, language: str) -> Iterator[None]:
        """Temporarily speak `language`, e.g. when writing to another user."""
        token = _active.set(_active.get())
        self.activate(language)
        try:
            yield
        finally:
            _active.reset(token)


def current_language() -> str:
    """The language of the update being handled (for Babel formatting)."""
    return _active.get().language


# Typed as str so that callers' lists and dicts stay list[str]; the value is a Message.
def gettext(message: str) -> str:
    """Translate `message` into the current language."""
    return Message(_active.get().translations.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the plural form that `n` takes in the current language."""
    return Message(_active.get().translations.ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """Translate `message` in a disambiguating context (e.g. a button vs a heading)."""
    return Message(_active.get().translations.pgettext(context, message))


def gettext_noop(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is used."""
    return message


_ = gettext
N_ = gettext_noop
