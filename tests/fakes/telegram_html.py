"""Parse ``parse_mode=HTML`` text the way Telegram does, for the fake Bot API.

The parser follows tdlib's ``parse_html`` (which is what the Bot API server runs):
it accepts only the tags Telegram supports, reports errors with Telegram's exact
wording (including the UTF-8 *byte* offset of the offending tag), and produces the
plain text the user sees plus the ``MessageEntity`` dicts, with offsets and
lengths in UTF-16 code units as Telegram counts them.

One deliberate difference: tdlib silently keeps a bare ``&`` that does not start a
known entity. The fake refuses it by default (``strict_ampersand=True``), because
a bare ``&`` in bot output almost always means user text was interpolated without
``html.escape`` -- the very bug that turns into a 400 as soon as the text contains
``<``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PREFIX = "Bad Request: can't parse entities: "

# tag name -> entity type; span/a/code/pre/blockquote/tg-emoji get special handling.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
SUPPORTED_TAGS = frozenset(
    {*_SIMPLE_TAGS, "span", "a", "code", "pre", "blockquote", "tg-emoji"}
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(x[0-9a-fA-F]+|[0-9]+)|([a-zA-Z]+));?")
_SPACE = " \t\r\n\f\v"


class TelegramHTMLError(ValueError):
    """Telegram would refuse the text; ``description`` is the Bot API error text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass
class ParsedText:
    """The result of entity parsing: what the user sees and how it is formatted."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def utf16_length(self) -> int:
        return utf16_len(self.text)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_start: int  # index into the output text, for <a> without href


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, which is how Telegram measures text and offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _fail(message: str) -> TelegramHTMLError:
    return TelegramHTMLError(PREFIX + message)


def _decode_entity(text: str, pos: int, strict: bool) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``.

    Returns (character, next position) or None when it is not a reference tdlib
    understands. In strict mode the terminating ``;`` is required.
    """
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    if strict and not match.group(0).endswith(";"):
        return None
    numeric, name = match.group(1), match.group(2)
    if numeric is not None:
        code = int(numeric[1:], 16) if numeric[0] == "x" else int(numeric)
        # tdlib: zero, out of range and overly long references are not entities.
        if code == 0 or code >= 0x10FFFF or len(match.group(0).rstrip(";")) >= 10:
            return None
        return chr(code), match.end()
    if name not in _NAMED_ENTITIES:
        return None
    return _NAMED_ENTITIES[name], match.end()


def _parse_attributes(text: str, i: int, tag: str, begin: int, strict: bool) -> tuple[int, str]:
    """Parse attributes of a start tag from ``i`` up to ``>``; return (index of '>', argument)."""
    argument = ""
    n = len(text)
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise _fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return i, argument
        attr_begin = i
        while i < n and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        attr_name = text[attr_begin:i].lower()
        if not attr_name:
            raise _fail(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        while i < n and text[i] in _SPACE:
            i += 1
        value: str | None = None
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n:
                raise _fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < n and text[i] != quote:
                    decoded = _decode_entity(text, i, strict=False) if text[i] == "&" else None
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                    else:
                        chars.append(text[i])
                        i += 1
                if i >= n:
                    raise _fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                i += 1
                value = "".join(chars)
            else:
                token_begin = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_begin:i].lower()
                if i < n and text[i] not in _SPACE and text[i] != ">":
                    raise _fail(
                        "Unexpected end of name token at byte offset "
                        f"{_byte_offset(text, token_begin)}"
                    )
        # Attributes Telegram does not know are ignored, like tdlib does.
        if value is None:
            if tag == "blockquote" and attr_name == "expandable":
                argument = "expandable"
        elif tag == "a" and attr_name == "href":
            argument = value
        elif tag == "code" and attr_name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and attr_name == "emoji-id":
            argument = value


def _close_entity(
    tag: _OpenTag, end_offset: int, out: list[str], entities: list[dict[str, Any]],
    stack: list[_OpenTag],
) -> None:
    """Emit the entity for a closed tag (empty tags produce no entity, like Telegram)."""
    length = end_offset - tag.utf16_offset
    if length <= 0:
        return
    base = {"offset": tag.utf16_offset, "length": length}
    name = tag.name
    if name in _SIMPLE_TAGS or name == "span":
        entities.append({"type": _SIMPLE_TAGS.get(name, "spoiler"), **base})
    elif name == "a":
        url = tag.argument or "".join(out)[tag.text_start :]
        user_match = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user_match:
            user = {"id": int(user_match.group(1)), "is_bot": False, "first_name": ""}
            entities.append({"type": "text_mention", "user": user, **base})
        elif url:
            entities.append({"type": "text_link", "url": url, **base})
    elif name == "tg-emoji":
        entities.append({"type": "custom_emoji", "custom_emoji_id": tag.argument, **base})
    elif name == "blockquote":
        kind = "expandable_blockquote" if tag.argument == "expandable" else "blockquote"
        entities.append({"type": kind, **base})
    elif name == "code":
        # <pre><code class="language-x">...</code></pre> gives one pre entity with a language.
        parent = stack[-1] if stack else None
        if parent and parent.name == "pre" and parent.utf16_offset == tag.utf16_offset:
            if tag.argument:
                parent.argument = tag.argument
            return
        entities.append({"type": "code", **base})
    elif name == "pre":
        entity: dict[str, Any] = {"type": "pre", **base}
        if tag.argument:
            entity["language"] = tag.argument
        entities.append(entity)


def parse_html(text: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML; return the visible text and entities or raise TelegramHTMLError."""
    out: list[str] = []
    utf16_offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i, strict_ampersand)
            if decoded is not None:
                out.append(decoded[0])
                utf16_offset += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise _fail(
                    'Unescaped "&" at byte offset '
                    f"{_byte_offset(text, i)} (use &amp;; the fake is stricter than Telegram)"
                )
        if ch != "<":
            out.append(ch)
            utf16_offset += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise _fail(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            i += 2
            while i < n and text[i] not in _SPACE and text[i] != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n or text[i] != ">":
                raise _fail(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            open_tag = stack[-1]
            if end_name and end_name != open_tag.name:
                raise _fail(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{open_tag.name}>", found "</{end_name}>"'
                )
            stack.pop()
            _close_entity(open_tag, utf16_offset, out, entities, stack)
            i += 1
            continue
        i += 1
        while i < n and text[i] not in _SPACE and text[i] != ">":
            i += 1
        if i >= n:
            raise _fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise _fail(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        i, argument = _parse_attributes(text, i, tag, begin, strict_ampersand)
        if tag == "span" and argument != "spoiler":
            raise _fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if tag == "tg-emoji" and not argument:
            raise _fail(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        stack.append(_OpenTag(tag, argument, utf16_offset, len("".join(out))))
        i += 1  # skip '>'
    if stack:
        raise _fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    # Telegram lists entities by offset, outer (longer) entities first.
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def html_error(text: str, *, strict_ampersand: bool = True) -> str | None:
    """Return Telegram's error description for ``text``, or None when it is valid."""
    try:
        parse_html(text, strict_ampersand=strict_ampersand)
    except TelegramHTMLError as exc:
        return exc.description
    return None
