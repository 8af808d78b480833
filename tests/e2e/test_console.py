"""The terminal console: the real Application, answered in-process, piped or interactive."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.config import Settings
from bot.i18n import I18n
from bot.transports.console import run_console
from bot.transports.console.render import render_html, render_keyboard, to_entities
from tests.conftest import REPO, subprocess_env


def console(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"], input=script, cwd=REPO, text=True,
        env=subprocess_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", **env),
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


def test_html_becomes_telegram_text_and_entities() -> None:
    text, entities = to_entities('<b>Ona</b> &lt;3 😀<a href="https://x.lt">site</a>')
    assert text == "Ona <3 😀site"
    assert entities == [{"type": "bold", "offset": 0, "length": 3},
                        {"type": "text_link", "offset": 9, "length": 4, "url": "https://x.lt"}]


def test_as_switches_person_and_the_current_id_is_printed(tmp_path: Path) -> None:
    result = console(tmp_path, "/start\n/as 2 Ona\n/start\n/as x\n/as 1\n/start\n")
    assert result.returncode == 0, result.stderr
    first, ona, back = result.stdout.split("(console) you are ")[1:]
    assert first.startswith("Console (id 1);")
    assert "Hello, Console!" in first
    assert ona.startswith("Ona (id 2);")
    assert "Hello, Ona!" in ona
    assert "(console) /as ID [NAME], e.g. /as 2 Ona (you are Ona, id 2)" in ona
    assert back.startswith("Console (id 1);")
    assert "Hello, Console!" in back


class Script:
    """Lines typed one by one; a step may look at what the console printed so far."""

    def __init__(self, *steps: str | Callable[[str], str]) -> None:
        self.steps = iter(steps)
        self.out: list[str] = []

    @property
    def transcript(self) -> str:
        return "\n".join(self.out)

    def read(self) -> str:
        step = next(self.steps, "")
        line = step(self.transcript) if callable(step) else step
        self.out.append(f"» {line}")
        return f"{line}\n" if line else ""


def press(label: str) -> Callable[[str], str]:
    """`#N` for the button labelled `label` in the last keyboard printed."""
    def find(transcript: str) -> str:
        return "#" + str(re.findall(rf"\[#(\d+) {re.escape(label)}", transcript)[-1])
    return find


def once_printed(out: list[str], text: str, count: int, line: str) -> Callable[[str], str]:
    """`line`, typed once the console printed `text` `count` times (or after 10 s)."""
    def wait(_transcript: str) -> str:
        for _attempt in range(500):
            if "\n".join(out).count(text) >= count:
                break
            time.sleep(0.02)
        return line
    return wait


def invite_link(transcript: str) -> str:
    return str(re.findall(r"https://t\.me/takas_console_bot\?start=org_\S+", transcript)[-1])


async def test_an_organizer_approves_a_pupils_entry_across_two_persons(
        make_settings, i18n: I18n, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.png"
    evidence.write_bytes(b"\x89PNG fake")  # the bot keeps its file_id; nothing decodes it
    script = Script()
    script.steps = iter([
        "/org new Vilnius Library", "/org invite Vilnius Library",
        invite_link,  # person 1 (an admin) opens the invite: now an organizer too
        "/as 2 Ona", "/log", "Reading to children", press("✍ Keep my words"),
        press("Vilnius Library"), press("Today"), press("2 h"),
        f"/photo {evidence} at the library", press("✔ Confirm"),
        # The request reaches person 1 on the outbox's time: wait for it before switching.
        once_printed(script.out, "takas → Console (1) ▸ *Hours to verify*", 1, "/as 1"),
        press("✔ Approve"),
    ])
    code = await run_console(make_settings(admin_ids="1"), i18n, read_line=script.read,
                             write=script.out.append, interactive=False)
    transcript = script.transcript
    assert code == 0
    assert "Welcome! You are now an organizer of *Vilnius Library*" in transcript
    pupil, organizer = transcript.split("» /as 1")
    assert "Photo attached" in pupil
    # Ona's entry reaches person 1's chat while Ona is typing, and is labelled so.
    assert "takas → Console (1) ▸ *Hours to verify* (Vilnius Library)" in pupil
    assert "Ona: Reading to children" in pupil
    # The organizer's decision edits the request: the new text, formatted, never raw tags.
    assert "takas (edited) ▸ *Hours to verify* (Vilnius Library)" in organizer
    assert "*✔ Approved*" in organizer
    assert "takas → Ona (2) ▸ ✔ Your 2 h for «Reading to children»" in organizer
    assert "<b>" not in transcript
    assert "&lt;" not in transcript


async def test_the_verification_queue_in_the_console(make_settings, i18n: I18n,
                                                      tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.png"
    evidence.write_bytes(b"\x89PNG fake")
    script = Script()
    requests = "takas → Console (1) ▸ *Hours to verify*"
    script.steps = iter([
        "/org new Vilnius Library", "/org invite Vilnius Library", invite_link,
        "/as 2 Ona", "/log 2 Reading to children", press("Vilnius Library"),
        press("✔ Confirm"), "/log", "Sorting books",
        press("Vilnius Library"), press("Today"), press("1 h"),
        f"/photo {evidence} the shelves", press("✔ Confirm"),
        # The requests reach person 1 on the outbox's time: the last keyboard must be the list's.
        once_printed(script.out, requests, 2, "/as 1"), "/pending", press("📷 2"),
        press("✔ Approve these 2"), press("☑ 1."),
        press("✔ Approve 1"), press("✖ 1"), press("the hours do not match"),
    ])
    code = await run_console(make_settings(admin_ids="1"), i18n, read_line=script.read,
                             write=script.out.append, interactive=False)
    transcript = script.transcript
    assert code == 0
    organizer = transcript.split("» /pending")[1]
    assert "*Hours to verify* (Vilnius Library)" in organizer
    assert "2 entries wait" in organizer
    assert "*2. Ona*" in organizer
    assert "[#1 ✔ 1]" in organizer
    assert "📷 Photo from Ona: Sorting books" in organizer
    assert "*Approve these entries?*" in organizer
    assert "☐ *1. Ona*: Reading to children" in organizer
    assert "takas (edited) ▸ *Hours to verify* (Vilnius Library)" in organizer
    assert "1 entry waits" in organizer
    assert "*Reject this entry?*" in organizer
    assert "takas (edited) ▸ Nothing waits for your verification." in organizer
    assert "takas → Ona (2) ▸ ✔ Your 1 h for «Sorting books»" in organizer
    assert "takas → Ona (2) ▸ ✖ Your 2 h for «Reading to children»" in organizer
    assert "<b>" not in transcript


async def test_location_by_town_and_an_inline_query(settings: Settings, i18n: I18n) -> None:
    script = Script("/location Vilnius", "/location 56.9496 24.1052", "/location Atlantis",
                    "@bot keramika", "@takas_console_bot hi")
    code = await run_console(settings, i18n, read_line=script.read, write=script.out.append,
                             interactive=False)
    town, coordinates, unknown, inline, greeting = script.transcript.split("» ")[1:6]
    assert code == 0
    assert "(console) sharing the location of Vilnius: 54.6872, 25.2797" in town
    assert "takas ▸ *Nearest to you*" in town
    assert "· Vilnius · 0 m" in town
    assert "· Rīga ·" in coordinates
    assert "(console) /location LAT LON" in unknown
    assert re.search(r"takas \(inline\) ▸ \d+ results to share:\n  @1 \w", inline)
    assert "Keramikos kursai pradedantiesiems" in inline
    assert "│ 🎓 *Keramik" in inline  # the message it would share, rendered
    assert "takas (inline) ▸ no results" in greeting


def test_files_are_kept_in_a_folder_removed_at_exit(tmp_path: Path) -> None:
    result = console(tmp_path, "anglu kalbos kursai vilniuje\n#1\n#1\n")
    assert result.returncode == 0, result.stderr
    [saved] = re.findall(r"\[document: (\S+\.ics)\]", result.stdout)
    assert Path(saved).parent.name.startswith("takas-console-")
    assert not Path(saved).parent.exists()
