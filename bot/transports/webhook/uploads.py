"""Reading what clients post: an uploaded badge file (raw body or multipart) and a Telegram
update (`parse_update`: strict JSON, bounded nesting)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.transports.webhook.config import MAX_BODY, MAX_DEPTH


class UploadError(ValueError):
    """A body that is not the upload it claims to be (say, multipart without a boundary)."""


async def uploaded_file(request: web.Request) -> bytes | None:
    """The uploaded bytes (at most MAX_BODY): the raw body, or the first multipart file.
    `UploadError` when the multipart body cannot be read."""
    if not request.content_type.startswith("multipart/"):
        body = await request.read()
        return body or None
    try:
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.filename is not None:
                data = bytearray()
                while chunk := await part.read_chunk():
                    data += chunk
                    if len(data) > MAX_BODY:
                        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY,
                                                            actual_size=len(data))
                return bytes(data) or None
    except (ValueError, AssertionError, HttpProcessingError) as exc:  # a broken multipart
        raise UploadError(f"the multipart body cannot be read: {exc}"[:200]) from None
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: no database stores them


def _depth(value: Any) -> int:
    """How deep containers nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item
                         if isinstance(child, dict | list))
    return deepest


def parse_update(body: bytes) -> Any:
    """The JSON body of a delivery, or None when it is not JSON we can store: malformed,
    nested deeper than MAX_DEPTH (thousands deep is a RecursionError), NaN or Infinity."""
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return payload if _depth(payload) <= MAX_DEPTH else None
