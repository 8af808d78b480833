"""The i18n core: language resolution, catalogs, per-update isolation."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.i18n import CatalogError, I18n, _, current_language, ngettext
from bot.languages import language_from_code


@pytest.mark.parametrize(
    ("code", "expected"),
    [("lt", "lt"), ("lt-LT", "lt"), ("LT_lt", "lt"), ("en-GB", "en"), ("nb", "en"),
     ("no", "en"), ("be", None), ("fr", None), ("", None), (None, None), ("x-klingon", None)],
)
def test_language_codes_map_to_available(code: str | None, expected: str | None) -> None:
    # Only en and lt are available here: Belarusian maps to Russian, which is not.
    assert language_from_code(code, ("en", "lt")) == expected


def test_belarusian_reads_russian_when_available() -> None:
    assert language_from_code("be", ("en", "ru")) == "ru"


def test_stored_choice_wins_over_telegram(i18n: I18n) -> None:
    assert i18n.resolve("en", "lt") == "en"
    assert i18n.resolve(None, "lt-LT") == "lt"
    assert i18n.resolve(None, "fr") == i18n.default_language
    assert i18n.resolve(None, None) == i18n.default_language


def test_a_persons_language_is_their_choice_then_their_apps(i18n: I18n) -> None:
    from types import SimpleNamespace

    chose = SimpleNamespace(language="lv", telegram_language="ru")
    follows_app = SimpleNamespace(language=None, telegram_language="de-AT")
    assert i18n.language_of(chose) == "lv"
    assert i18n.language_of(follows_app) == "de"
    assert i18n.language_of(None) == i18n.default_language


def test_lithuanian_is_available_and_translates(i18n: I18n) -> None:
    assert {"en", "lt"} <= set(i18n.languages)
    with i18n.use("lt"):
        assert _("Change the language") == "Pakeisti kalbą"
        assert current_language() == "lt"
    assert _("Change the language") == "Change the language"


def test_lithuanian_plural_forms_are_cldr() -> None:
    # The catalog header's plural rule must give 1 valanda, 2 valandos, 10 valandų.
    plural = I18n.load().catalogs["lt"].plural  # type: ignore[attr-defined]
    assert [plural(n) for n in (1, 2, 10, 21, 11, 101, 111, 22)] == [0, 1, 2, 0, 2, 0, 2, 1]
    # English (the source) has two forms.
    assert [ngettext("{n} hour", "{n} hours", n) for n in (1, 2)] == ["{n} hour", "{n} hours"]


def test_uncompiled_catalog_refuses_to_start(tmp_path: Path) -> None:
    locales = Path(__file__).resolve().parents[2] / "locales"
    copy = tmp_path / "locales"
    shutil.copytree(locales, copy)
    for mo in copy.rglob("*.mo"):
        mo.unlink()
    with pytest.raises(CatalogError, match="make i18n"):
        I18n.load(copy)


def test_unknown_default_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="DEFAULT_LANGUAGE"):
        I18n.load(tmp_path, default_language="lv")


async def test_each_task_keeps_its_own_language(i18n: I18n) -> None:
    async def speak(language: str) -> str:
        i18n.activate(language)
        await asyncio.sleep(0.01)  # let the other task switch its language meanwhile
        return _("Change the language")

    english, lithuanian = await asyncio.gather(speak("en"), speak("lt"))
    assert (english, lithuanian) == ("Change the language", "Pakeisti kalbą")
