"""Decode Bot API request parameters the way the Bot API server does.

Clients send parameters as a query string, ``application/x-www-form-urlencoded``,
``multipart/form-data`` (when a file is uploaded) or a JSON body. In the form
encodings every value is a string and non-string values (numbers, booleans,
reply_markup, entities, ...) are JSON-encoded strings -- python-telegram-bot
sends *everything* that way. Parameters that Telegram types as String are kept
verbatim, so a message text of ``123`` or ``true`` stays a string.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .models import UploadedFile, bad_request

# Bot API parameters of type String: never JSON-decode these.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "description",
        "short_description",
        "language_code",
        "action",
        "next_offset",
        "query",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "address",
        "first_name",
        "last_name",
        "switch_pm_text",
        "switch_pm_parameter",
    }
)


def decode_value(name: str, value: str) -> Any:
    """JSON-decode a form value unless the parameter is a String in the Bot API."""
    if name in STRING_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel", document="https://..."
    # A JSON string literal is not what a client would send for a non-string field;
    # keep the raw text so the method can report it as it sees fit.
    return value if isinstance(decoded, str) else decoded


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a Bot API call; uploaded files become UploadedFile."""
    params: dict[str, Any] = {k: decode_value(k, v) for k, v in request.query.items()}
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
        return params
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                params[key] = UploadedFile(value.filename, content, value.content_type)
            elif isinstance(value, str):
                params[key] = decode_value(key, value)
            else:
                params[key] = decode_value(key, bytes(value).decode("utf-8", "replace"))
        return params
    raise bad_request(f"unsupported Content-Type {content_type!r}")
