"""Safe text for Telegram: HTML escaping, shortening and splitting below the limits."""

from __future__ import annotations

import html
import re
from typing import Any

MESSAGE_LIMIT = 4096
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64


def esc(value: object) -> str:
    """HTML-escape any value for interpolation into a parse_mode=HTML message."""
    return html.escape(str(value), quote=True)


def without_nul(value: Any) -> Any:
    """`value` with U+0000 removed from every string in it (keys included), through any
    depth of dicts and lists, which are changed in place (a loop, not recursion: an
    update nested deeply must not raise here); a string comes back cleaned.

    PostgreSQL's text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00")
    and it is never meaningful in a message, so it is dropped where text enters: updates
    before they are stored or decoded, outgoing calls before they are queued."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in [key for key in node if isinstance(key, str) and "\x00" in key]:
                node[key.replace("\x00", "")] = node.pop(key)
            pairs: Any = node.items()
        elif isinstance(node, list):
            pairs = enumerate(node)
        else:
            continue
        for key, item in list(pairs):
            if isinstance(item, str):
                if "\x00" in item:
                    node[key] = item.replace("\x00", "")
            elif isinstance(item, dict | list):
                stack.append(item)
    return value


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a message on line boundaries into parts that each fit `limit`.

    Callers build messages from lines whose HTML tags are balanced within the line, so a
    split between lines never breaks markup. A single over-long line is cut hard, which is
    only safe for plain (escaped) text; the renderers keep such lines tag-free.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            head, line = _cut(line, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def _cut(line: str, limit: int) -> tuple[str, str]:
    cut = limit
    while utf16_len(line[:cut]) > limit:
        cut -= 1
    # Never split an HTML entity such as &amp; in two.
    amp = line.rfind("&", max(cut - 8, 0), cut)
    if amp != -1 and ";" not in line[amp:cut]:
        cut = amp
    return line[:cut], line[cut:]


_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str) -> int | None:
    """A database id or a count written in ASCII digits (at most 18: fits a BIGINT), else
    None. `str.isdigit()` is no test: it accepts "²" and "٣", which `int()` then refuses
    or reads as another number."""
    return int(text) if _ID.fullmatch(text) else None


def is_id(text: str) -> bool:
    """Whether `parse_id(text)` gives a number."""
    return _ID.fullmatch(text) is not None


ROW_ID_MAX = 2**31 - 1  # the tables' own ids are INTEGER: PostgreSQL refuses a larger one


def is_row_id(text: str) -> bool:
    """Whether `text` can be one of our tables' ids (not a Telegram id, which is larger)."""
    return is_id(text) and int(text) <= ROW_ID_MAX
