"""Fakes for end-to-end tests; ``FakeBotAPI`` is a local Telegram Bot API server."""

from .models import (
    ApiError,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    FloodRejection,
    Injected,
    InlineAnswer,
    RecordedRequest,
    SentMessage,
    UploadedFile,
)
from .server import FakeBotAPI
from .telegram_html import ParsedText, TelegramHTMLError, html_error, parse_html, utf16_len

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "FloodRejection",
    "Injected",
    "InlineAnswer",
    "ParsedText",
    "RecordedRequest",
    "SentMessage",
    "TelegramHTMLError",
    "UploadedFile",
    "html_error",
    "parse_html",
    "utf16_len",
]
