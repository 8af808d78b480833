"""Renders the bot's HTML messages and keyboards as readable terminal text.

On a terminal, bold, italic, underline and code become ANSI styles; when the output is piped,
emphasis is kept as *bold* and _italic_ so transcripts stay readable. Links show their URL.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_ANSI = {"b": "1", "i": "3", "u": "4", "s": "9", "code": "2", "pre": "2", "a": "4"}
_PLAIN = {"b": "*", "i": "_"}
_ALIASES = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s"}


class _Renderer(HTMLParser):
    def __init__(self, ansi: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.ansi = ansi
        self.out: list[str] = []
        self.stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _ALIASES.get(tag, tag)
        href = dict(attrs).get("href") if tag == "a" else None
        self.stack.append((tag, href))
        if tag == "blockquote":
            self.out.append("│ ")
        elif self.ansi and tag in _ANSI:
            self.out.append(f"\x1b[{_ANSI[tag]}m")
        elif not self.ansi and tag in _PLAIN:
            self.out.append(_PLAIN[tag])

    def handle_endtag(self, tag: str) -> None:
        tag = _ALIASES.get(tag, tag)
        href = None
        while self.stack:
            open_tag, open_href = self.stack.pop()
            if open_tag == tag:
                href = open_href
                break
        if self.ansi and tag in _ANSI:
            self.out.append("\x1b[0m")
            self.out.extend(f"\x1b[{_ANSI[t]}m" for t, _ in self.stack if t in _ANSI)
        elif not self.ansi and tag in _PLAIN:
            self.out.append(_PLAIN[tag])
        if href:
            self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "blockquote":
            data = data.replace("\n", "\n│ ")
        self.out.append(data)


def render_html(text: str, *, ansi: bool) -> str:
    """Telegram HTML as terminal text."""
    renderer = _Renderer(ansi)
    renderer.feed(text)
    renderer.close()
    return "".join(renderer.out)


def render_keyboard(markup: dict[str, Any] | None) -> tuple[str, list[dict[str, Any]]]:
    """Inline keyboard rows as numbered buttons; returns the text and buttons in order."""
    if not markup or "inline_keyboard" not in markup:
        return "", []
    lines, buttons = [], []
    for row in markup["inline_keyboard"]:
        cells = []
        for button in row:
            buttons.append(button)
            label = button.get("text", "")
            target = f" → {button['url']}" if button.get("url") else ""
            cells.append(f"[#{len(buttons)} {label}{target}]")
        lines.append("  " + " ".join(cells))
    return "\n".join(lines), buttons
