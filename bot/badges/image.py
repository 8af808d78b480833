"""The badge picture, and baking a credential into it (Open Badges 3.0 §5.3, PNG).

The picture is drawn with Pillow: a round medal in the badge's colour with a white emblem
from a small fixed set, and the badge's name on a ribbon. Baking adds one `iTXt` chunk
with the keyword `openbadgecredential`, uncompressed (compression flag 0, as the
specification requires), whose text is the compact VC-JWT; extracting reads it back.
"""

from __future__ import annotations

import math
import struct
import zlib
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = 512
FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "DejaVuSans-Bold.ttf"

COLOURS: dict[str, str] = {
    "green": "#2e7d32", "blue": "#1565c0", "red": "#c62828", "orange": "#ef6c00",
    "purple": "#6a1b9a", "teal": "#00838f", "gold": "#b8860b",
}
# What each colour and emblem looks like on a Telegram button (no words to translate).
COLOUR_SIGNS = {"green": "🟢", "blue": "🔵", "red": "🔴", "orange": "🟠", "purple": "🟣",
                "teal": "🩵", "gold": "🟡"}
EMBLEMS = ("star", "heart", "leaf", "book", "shield", "sun")
EMBLEM_SIGNS = {"star": "⭐", "heart": "❤️", "leaf": "🍃", "book": "📖", "shield": "🛡",
                "sun": "☀️"}


# Limits checked before anything is decoded: a badge picture is ~30 KB, its credential a
# few KB (vcjwt.MAX_TOKEN bounds the token itself).
MAX_PNG = 8 * 1024 * 1024
MAX_CREDENTIAL_CHUNK = 512 * 1024


class BakingError(ValueError):
    """Bytes that are not a PNG image, or one refused by its size (`refused`)."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.42
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _emblem(draw: ImageDraw.ImageDraw, emblem: str, cx: float, cy: float, r: float,
            colour: str) -> None:
    white = "#ffffff"
    if emblem == "heart":
        draw.ellipse((cx - r, cy - r * 0.8, cx, cy + r * 0.2), fill=white)
        draw.ellipse((cx, cy - r * 0.8, cx + r, cy + r * 0.2), fill=white)
        draw.polygon([(cx - r * 0.97, cy - r * 0.15), (cx + r * 0.97, cy - r * 0.15),
                      (cx, cy + r)], fill=white)
    elif emblem == "leaf":
        draw.chord((cx - r, cy - r, cx + r * 0.6, cy + r * 1.2), 270, 90, fill=white)
        draw.chord((cx - r * 0.6, cy - r * 1.2, cx + r, cy + r), 90, 270, fill=white)
        draw.line((cx - r * 0.7, cy + r * 0.9, cx + r * 0.5, cy - r * 0.6), fill=colour,
                  width=max(2, int(r / 10)))
    elif emblem == "book":
        draw.polygon([(cx - r, cy - r * 0.6), (cx - r * 0.05, cy - r * 0.4),
                      (cx - r * 0.05, cy + r * 0.8), (cx - r, cy + r * 0.6)], fill=white)
        draw.polygon([(cx + r, cy - r * 0.6), (cx + r * 0.05, cy - r * 0.4),
                      (cx + r * 0.05, cy + r * 0.8), (cx + r, cy + r * 0.6)], fill=white)
    elif emblem == "shield":
        draw.polygon([(cx - r * 0.8, cy - r), (cx + r * 0.8, cy - r), (cx + r * 0.8, cy),
                      (cx, cy + r), (cx - r * 0.8, cy)], fill=white)
    elif emblem == "sun":
        draw.ellipse((cx - r * 0.5, cy - r * 0.5, cx + r * 0.5, cy + r * 0.5), fill=white)
        for i in range(12):
            angle = i * math.pi / 6
            draw.line((cx + r * 0.65 * math.cos(angle), cy + r * 0.65 * math.sin(angle),
                       cx + r * math.cos(angle), cy + r * math.sin(angle)),
                      fill=white, width=max(3, int(r / 8)))
    else:  # star, and whatever an older row holds
        draw.polygon(_star(cx, cy, r), fill=white)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> tuple[str, ImageFont.FreeTypeFont]:
    """The text in the largest font (down to 16 px) that fits; shortened if even that
    does not."""
    for size in range(40, 15, -2):
        font = _font(size)
        if draw.textlength(text, font=font) <= width:
            return text, font
    font = _font(16)
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…", font


def render(name: str, colour: str, emblem: str, organisation: str = "") -> bytes:
    """The badge picture as PNG bytes (no credential yet)."""
    fill = COLOURS.get(colour, colour if colour.startswith("#") else COLOURS["green"])
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre, radius = SIZE / 2, SIZE * 0.40
    draw.ellipse((centre - radius, 24, centre + radius, 24 + 2 * radius), fill=fill,
                 outline="#ffffff", width=10)
    _emblem(draw, emblem, centre, 24 + radius * 0.85, radius * 0.48, fill)
    ribbon_top = SIZE - 150
    draw.rounded_rectangle((18, ribbon_top, SIZE - 18, ribbon_top + 84), radius=18,
                           fill="#ffffff", outline=fill, width=6)
    text, font = _fit(draw, name, SIZE - 70)
    draw.text((centre, ribbon_top + 42), text, font=font, fill="#1a1a1a", anchor="mm")
    if organisation:
        small, small_font = _fit(draw, organisation, SIZE - 70)
        small_font = _font(min(small_font.size, 24))
        draw.text((centre, SIZE - 38), small, font=small_font, fill=fill, anchor="mm",
                  stroke_width=3, stroke_fill="#ffffff")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        end = offset + 12 + length
        if end > len(png):
            raise BakingError("a PNG chunk runs past the end of the file")
        chunks.append((kind, png[offset + 8:offset + 8 + length]))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakingError("the PNG image has no end")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _itxt_fields(data: bytes) -> tuple[bytes, int, bytes] | None:
    """(keyword, compression flag, text) of an iTXt chunk, or None if it is malformed."""
    keyword, sep, rest = data.partition(b"\0")
    if not sep or len(rest) < 2:
        return None
    flag = rest[0]
    _language, sep1, rest = rest[2:].partition(b"\0")
    _translated, sep2, text = rest.partition(b"\0")
    if not (sep1 and sep2):
        return None
    return keyword, flag, text


def bake(png: bytes, credential: str) -> bytes:
    """`png` with one uncompressed `openbadgecredential` iTXt chunk holding `credential`
    (replacing any earlier one), just before IEND."""
    data = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, body in _chunks(png):
        fields = _itxt_fields(body) if kind == b"iTXt" else None
        if fields is not None and fields[0] == KEYWORD:
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", data))
        out.append(_chunk(kind, body))
    return b"".join(out)


def extract(png: bytes) -> str | None:
    """The credential baked into `png`, or None when it holds none. `BakingError` when the
    bytes are not a PNG image, the chunk is compressed (which the specification forbids),
    or the image or its credential chunk is far larger than any badge (`refused`)."""
    if len(png) > MAX_PNG:
        raise BakingError(f"the image has {len(png)} bytes; at most {MAX_PNG} are read",
                          refused=True)
    for kind, body in _chunks(png):
        if kind != b"iTXt":
            continue
        if len(body) > MAX_CREDENTIAL_CHUNK and body.startswith(KEYWORD + b"\0"):
            raise BakingError(f"the credential chunk has {len(body)} bytes; at most "
                              f"{MAX_CREDENTIAL_CHUNK} are read", refused=True)
        fields = _itxt_fields(body)
        if fields is not None and fields[0] == KEYWORD:
            if fields[1] != 0:
                raise BakingError("the credential chunk is compressed")
            return fields[2].decode("utf-8", errors="replace")
    return None
