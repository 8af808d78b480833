"""Plain text out of whatever partners put in their feeds.

`html_to_text` turns an HTML fragment (or a whole page, or broken markup, or plain text) into
readable plain text; `clean_line` makes a single display line. The `*_LIMIT` constants are the
sizes every feed format cuts its fields to, so one huge field cannot bloat the catalog or a
Telegram message. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

TITLE_LIMIT = 300
DESCRIPTION_LIMIT = 5000
NAME_LIMIT = 200  # provider and city
KEYWORD_LIMIT = 80
KEYWORDS_MAX = 30
URL_LIMIT = 2000

# Contents of these are never text a reader should see (code, styles, embedded documents).
_DROPPED = frozenset({"script", "style", "iframe", "object", "noscript", "template"})
# A paragraph break before and after; the rest of the block elements get a line break.
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
                         "ul", "ol", "dl", "figure", "section", "article", "header", "footer",
                         "address", "aside", "nav", "main", "form", "fieldset", "hr"})
_LINES = frozenset({"br", "div", "li", "tr", "dt", "dd", "figcaption", "caption", "td", "th",
                    "option", "summary", "details"})
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG_LIKE = re.compile(r"</?[a-zA-Z][^<>]*>")
# Whatever survived the parser (an unterminated tag swallowed it into text): never show it.
_DANGEROUS = re.compile(r"<\s*(script|style|iframe|object)\b.*?(?:</\s*\1\s*>|\Z)",
                        re.IGNORECASE | re.DOTALL)


_LINE, _PARAGRAPH = 1, 2


class _TextExtractor(HTMLParser):
    def __init__(self, *, markup: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup  # in markup a newline is just a space; in plain text it is a line
        self.parts: list[str] = []
        self.pending = 0  # the strongest break asked for since the last text
        self.dropped_depth = 0

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self.pending = max(self.pending, _PARAGRAPH)
        elif tag in _LINES:
            self.pending = max(self.pending, _LINE)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped_depth += 1
        else:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> and <iframe/> have no content to drop, and must not open a dropped region.
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped_depth = max(0, self.dropped_depth - 1)
        else:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if self.dropped_depth:
            return
        if not data.strip():
            # Indentation between tags; a break already asked for covers it.
            if not self.pending:
                self.parts.append(" ")
            return
        if self.pending and self.parts:
            self.parts.append("\n" * self.pending)
        self.pending = 0
        self.parts.append(data.replace("\n", " ") if self.markup else data)


def _extract(html: str) -> str:
    parser = _TextExtractor(markup=bool(_TAG_LIKE.search(html)))
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, AttributeError, ValueError, IndexError):
        # html.parser's marked-section handling still has crash paths on garbage like "<![if";
        # a crude tag strip is better than losing the description.
        return unescape(_TAG_LIKE.sub(" ", html))
    return "".join(parser.parts)


def _is_visible(ch: str) -> bool:
    # Cc: control characters; Cf: zero-width and bidi controls, soft hyphen, BOM;
    # Cs: lone surrogates (from JSON "\ud800"), which cannot even be encoded as UTF-8.
    return unicodedata.category(ch) not in ("Cc", "Cf", "Cs")


def _scrub(text: str) -> str:
    """NFC, tabs and odd spaces to spaces, invisible characters removed; newlines kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Fast path (most feeds): str.isprintable() is False for every Cc, Cf and Cs character
    # and for every space but ' ', so printable lines need no per-character work.
    if all(line.isprintable() for line in text.split("\n")):
        return text
    return "".join(ch if ch == "\n" or _is_visible(ch) else (" " if ch.isspace() else "")
                   for ch in text)


def html_to_text(s: str | None) -> str:
    """Readable plain text from an HTML fragment; paragraphs kept, everything else collapsed."""
    if not s:
        return ""
    text = _extract(s)
    if _TAG_LIKE.search(text):
        # Markup escaped twice ("&amp;lt;p&amp;gt;") decodes to tags on the first pass.
        text = _extract(text)
    text = _DANGEROUS.sub(" ", _scrub(text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when one is close."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def clean_line(s: str | None, limit: int) -> str:
    """One line: whitespace collapsed, control and zero-width characters gone, at most `limit`."""
    if not s:
        return ""
    text = " ".join(_scrub(str(s)).split())
    return clip(text, limit)


def clean_description(s: str | None) -> str:
    """An HTML or plain-text description as plain text within `DESCRIPTION_LIMIT`."""
    return clip(html_to_text(s), DESCRIPTION_LIMIT)


def clean_keywords(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """At most `KEYWORDS_MAX` non-empty keywords, each one line, duplicates (any case) dropped."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        word = clean_line(value, KEYWORD_LIMIT)
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            out.append(word)
            if len(out) == KEYWORDS_MAX:
                break
    return tuple(out)


def clean_url(s: str | None) -> str | None:
    """An absolute http(s) URL of at most `URL_LIMIT` characters, or None."""
    if not s:
        return None
    url = str(s).strip()
    if not url.isprintable():
        url = "".join(ch for ch in url if _is_visible(ch))
    if not url or len(url) > URL_LIMIT or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
