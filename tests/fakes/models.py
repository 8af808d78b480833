"""Plain data objects the fake Bot API records and hands to tests.

Everything here is a dataclass with no behaviour beyond converting itself to the
JSON shape Telegram uses, so tests can compare, print and pattern-match them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup", "channel"]


class ApiError(Exception):
    """A Bot API error response; raised inside the fake and turned into JSON."""

    def __init__(
        self, status: int, description: str, *, retry_after: int | None = None, cause: str = ""
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        # Why the fake refused: "" (the bot sent something Telegram refuses), or one of
        # "injected", "flood", "blocked" for conditions a test set up on purpose.
        self.cause = cause

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only inline keyboards belong to a message; reply keyboards live in the client."""
    return markup if markup and "inline_keyboard" in markup else None


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user the test acts as."""

    id: int
    first_name: str = "Ona"
    language_code: str | None = "lt"
    username: str | None = None
    last_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat the bot can talk in: a user's private chat or a group."""

    id: int
    type: ChatType
    title: str | None = None
    first_name: str | None = None
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (multipart) or referenced, or one a fake user sent."""

    filename: str
    content: bytes
    mime: str
    file_id: str = ""


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, with the fake's answer."""

    method: str  # canonical Bot API spelling, e.g. "sendMessage"
    params: dict[str, Any]
    status: int = 200
    description: str | None = None
    result: Any = None
    cause: str = ""  # see ApiError.cause; "unauthorized"/"unknown" for token/method errors
    content_type: str = ""  # how the client encoded the parameters
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    def summary(self) -> str:
        shown = {
            k: f"<file {v.filename!r}, {len(v.content)}B>" if isinstance(v, UploadedFile) else v
            for k, v in self.params.items()
        }
        text = repr(shown)
        if len(text) > 300:
            text = text[:300] + "..."
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.method}({text}) -> {outcome}"


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (edits are applied in place).

    ``text``/``caption`` are what the user sees (HTML parsed away, like Telegram's
    Message.text); ``source`` is the text or caption exactly as the bot sent it.
    """

    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    source: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: UploadedFile | None = None
    photo: UploadedFile | None = None
    caption: str | None = None
    edited: bool = False
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict)  # the Message JSON last returned

    def to_dict(self, chat: FakeChat, bot_user: dict[str, Any]) -> dict[str, Any]:
        """The Telegram Message JSON for this message as it is now."""
        raw: dict[str, Any] = {
            "message_id": self.message_id,
            "from": bot_user,
            "chat": chat.to_dict(),
            "date": self.date,
        }
        if self.edited:
            raw["edit_date"] = int(time.time())
        if self.text is not None:
            raw["text"] = self.text
            if self.entities:
                raw["entities"] = self.entities
        elif self.caption:
            raw["caption"] = self.caption
            if self.entities:
                raw["caption_entities"] = self.entities
        for upload, kind in ((self.document, "document"), (self.photo, "photo")):
            if upload is None:
                continue
            file = {
                "file_id": upload.file_id,
                "file_unique_id": f"U{upload.file_id}",
                "file_size": len(upload.content),
            }
            if kind == "document":
                raw["document"] = file | {"file_name": upload.filename, "mime_type": upload.mime}
            else:
                raw["photo"] = [file | {"width": 800, "height": 600}]
        if inline_markup(self.reply_markup):
            raw["reply_markup"] = self.reply_markup
        return raw

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """(text, callback_data or url or None) of every button, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        flat: list[tuple[str, str | None]] = []
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    flat.append((button, None))
                else:
                    target = button.get("callback_data", button.get("url"))
                    flat.append((button.get("text", ""), target))
        return flat

    @property
    def callback_data(self) -> list[str]:
        """The callback_data values of the current inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class InlineAnswer:
    query_id: str
    results: list[dict[str, Any]]
    next_offset: str | None = None
    cache_time: int | None = None
    is_personal: bool = False


@dataclass(frozen=True)
class FloodRejection:
    method: str
    chat_id: int | None
    retry_after: int
    at: float


@dataclass(frozen=True)
class Injected:
    """What a simulated user action produced."""

    update_id: int
    update: dict[str, Any]
    message_id: int | None = None
    chat_id: int | None = None
    query_id: str | None = None  # callback_query / inline_query id
