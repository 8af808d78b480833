"""The terminal console: the real Application, answered in-process, piped or interactive."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.config import Settings
from bot.console import run_console
from bot.console.render import render_html, render_keyboard
from bot.i18n import I18n
from tests.conftest import REPO, subprocess_env


def console(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"], input=script, cwd=REPO, text=True,
        env=subprocess_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"),
        capture_output=True, timeout=60, check=False,
    )


def test_piped_input_prints_both_replies_and_exits_0(tmp_path: Path) -> None:
    result = console(tmp_path, "/start\n/help\n")
    assert result.returncode == 0, result.stderr
    assert "I am *Takas*" in result.stdout
    assert "/language — Change the language" in result.stdout
    assert "Traceback" not in result.stderr


def test_lang_switches_telegram_language(tmp_path: Path) -> None:
    result = console(tmp_path, "/start\n/lang lt\n/start\n")
    assert result.returncode == 0, result.stderr
    english, lithuanian = result.stdout.split("(console) your Telegram language is now lt")
    assert "Hello, Console!" in english
    assert "Sveiki, Console!" in lithuanian


def lines(*items: str) -> Iterator[str]:
    yield from (f"{item}\n" for item in items)


async def test_buttons_are_pressed_with_hash_n(settings: Settings, i18n: I18n) -> None:
    typed = lines("/language", "#9", "#1", "/help")
    out: list[str] = []
    code = await run_console(settings, i18n, read_line=lambda: next(typed, ""),
                             write=out.append, interactive=False)
    transcript = "\n".join(out)
    assert code == 0
    assert "[#1 🇱🇹 Lietuvių]" in transcript  # keyboard order: lt first, current marked ✓
    assert "✓ 🇬🇧 English]" in transcript
    assert "(console) press a button from #1 to #" in transcript
    assert "takas (edited) ▸ Gerai, nuo šiol rašysiu *lietuviškai*." in transcript
    assert "/language — Pakeisti kalbą" in transcript.split("nuo šiol rašysiu")[1]


def test_html_renders_readably() -> None:
    assert render_html("<b>bold</b> &amp; <i>it</i>", ansi=False) == "*bold* & _it_"
    assert render_html('<a href="https://x.lt">site</a>', ansi=False) == "site (https://x.lt)"
    assert render_html("<b>x</b>", ansi=True) == "\x1b[1mx\x1b[0m"
    text, buttons = render_keyboard({"inline_keyboard": [[{"text": "A", "callback_data": "a"},
                                                         {"text": "B", "url": "https://b"}]]})
    assert text == "  [#1 A] [#2 B → https://b]"
    assert [b["text"] for b in buttons] == ["A", "B"]
