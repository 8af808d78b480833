"""Parameter checks the real Bot API applies, with Telegram's error texts.

Each function raises ``ApiError`` (400) for what Telegram refuses, so the fake
fails a test exactly where production would fail.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .models import ApiError, bad_request
from .telegram_html import ParsedText, TelegramHTMLError, parse_html, utf16_len

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
MAX_BUTTONS = 100
CALLBACK_ANSWER_LIMIT = 200
MAX_INLINE_RESULTS = 50
MAX_COMMANDS = 100
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_INLINE_RESULT_TYPES = frozenset(
    {
        "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
        "location", "venue", "contact", "game", "sticker",
    }
)
_URL_RE = re.compile(r"(https?|tg|ton)://\S+", re.IGNORECASE)


def parse_text(
    text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
) -> ParsedText:
    """Entity-parse a message text or caption and apply Telegram's length limits."""
    if text is None or text == "":
        if caption:
            return ParsedText("")
        raise bad_request("message text is empty")
    if not isinstance(text, str):
        text = str(text)
    mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
    if mode == "html":
        try:
            parsed = parse_html(text)
        except TelegramHTMLError as exc:
            raise ApiError(400, exc.description) from exc
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown is not validated by the fake; the text is taken literally.
        parsed = ParsedText(text, list(entities) if isinstance(entities, list) else [])
    else:
        raise bad_request("unsupported parse_mode")
    if not parsed.text.strip():
        if caption:
            return ParsedText("")
        raise bad_request("message text is empty")
    limit = CAPTION_LIMIT if caption else MESSAGE_LIMIT
    if utf16_len(parsed.text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return parsed


def _check_web_app(button: dict[str, Any], chat_type: str | None) -> None:
    """A Mini App button: only in a private chat with the bot (not in groups, channels or
    messages sent via inline mode), and only to an https address."""
    if chat_type != "private":
        raise bad_request("BUTTON_TYPE_INVALID")
    web_app = button["web_app"]
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str) or not url.lower().startswith("https://") \
            or not _URL_RE.fullmatch(url):
        raise bad_request(f"inline keyboard button Web App URL '{url}' is invalid: Only "
                          "HTTPS links are allowed")


def check_menu_button(button: Any) -> dict[str, Any]:
    """setChatMenuButton's ``menu_button`` (decoded or still JSON); returned decoded."""
    if isinstance(button, str):
        try:
            button = json.loads(button)
        except ValueError as exc:
            raise bad_request("can't parse menu button JSON object") from exc
    if button is None:
        return {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app",
                                                                  "default"):
        raise bad_request("can't parse menu button: unsupported type")
    if button["type"] == "web_app":
        text, web_app = button.get("text"), button.get("web_app")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        url = web_app.get("url") if isinstance(web_app, dict) else None
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
    return button


def _check_inline_button(button: Any, chat_type: str | None = "private") -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "web_app" in button:
        _check_web_app(button, chat_type)
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not _URL_RE.fullmatch(url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_reply_button(button: Any) -> None:
    if isinstance(button, str):
        text = button
    elif isinstance(button, dict) and isinstance(button.get("text"), str):
        text = button["text"]
    else:
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")


def check_reply_markup(markup: Any, chat_type: str | None = "private") -> dict[str, Any] | None:
    """Validate ``reply_markup`` (decoded or still a JSON string); return it decoded.
    `chat_type`: where the message is (None: a message sent via inline mode)."""
    if markup is None:
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError as exc:
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]

        def check(button: Any) -> None:
            _check_inline_button(button, chat_type)

        what = "inline keyboard"
    elif "keyboard" in markup:
        rows, check = markup["keyboard"], _check_reply_button
        what = "keyboard"
    elif markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    else:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f"can't parse {what}: field must be an Array of Arrays")
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("too many buttons")
    for row in rows:
        for button in row:
            check(button)
    return markup


def check_callback_answer(text: Any) -> None:
    if isinstance(text, str) and len(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate setMyCommands' ``commands``; return the normalised list."""
    if isinstance(commands, str):
        try:
            commands = json.loads(commands)
        except ValueError as exc:
            raise bad_request("can't parse commands JSON object") from exc
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands")
    checked: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not description.strip():
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command, "description": description})
    return checked


def _check_inline_result(result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict):
        raise bad_request("can't parse InlineQueryResult: InlineQueryResult must be an Object")
    kind = result.get("type")
    if kind not in _INLINE_RESULT_TYPES:
        raise bad_request("RESULT_TYPE_INVALID")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if kind == "article":
        if not isinstance(result.get("title"), str) or not result["title"]:
            raise bad_request(
                "can't parse InlineQueryResultArticle: Field \"title\" must be of type String"
            )
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            raise bad_request(
                "can't parse InlineQueryResultArticle: Field \"input_message_content\" "
                "must be of type Object"
            )
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        parse_text(content["message_text"], content.get("parse_mode"), content.get("entities"))
    if "reply_markup" in result:
        check_reply_markup(result["reply_markup"], None)


def check_inline_results(results: Any) -> list[dict[str, Any]]:
    if isinstance(results, str):
        try:
            results = json.loads(results)
        except ValueError as exc:
            raise bad_request("can't parse inline query results JSON object") from exc
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_inline_result(result, seen)
    return results
