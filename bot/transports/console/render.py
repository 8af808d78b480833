"""Renders the bot's HTML messages and keyboards as readable terminal text.

On a terminal, bold, italic, underline and code become ANSI styles; when the output is piped,
emphasis is kept as *bold* and _italic_ so transcripts stay readable. Links show their URL.

`to_entities` turns the same HTML into what Telegram stores: plain text plus entities. The
console keeps messages in that form, so a handler that edits a message from its
`text_html` (an organizer's decision under a verification request) gets the formatting back,
not escaped tags.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from bot.text import utf16_len

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


_ENTITY_TYPES = {"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough",
                 "code": "code", "pre": "pre", "a": "text_link", "blockquote": "blockquote",
                 "tg-spoiler": "spoiler"}


class _Entities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.length = 0  # UTF-16 code units so far
        self.open: list[tuple[str, int, str | None]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _ALIASES.get(tag, tag)
        self.open.append((tag, self.length, dict(attrs).get("href")))

    def handle_endtag(self, tag: str) -> None:
        tag = _ALIASES.get(tag, tag)
        while self.open:
            name, start, href = self.open.pop()
            if name == tag:
                break
        else:
            return
        kind = _ENTITY_TYPES.get(tag)
        if kind is None or self.length == start or (kind == "text_link" and not href):
            return
        entity: dict[str, Any] = {"type": kind, "offset": start, "length": self.length - start}
        if href and kind == "text_link":
            entity["url"] = href
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += utf16_len(data)


def to_entities(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram HTML as Telegram keeps it: the plain text and its entities (by offset)."""
    parser = _Entities()
    parser.feed(text)
    parser.close()
    return "".join(parser.text), sorted(parser.entities, key=lambda e: (e["offset"],
                                                                        -e["length"]))


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
