"""The Bot API methods the fake implements, with Telegram's checks and errors.

Every handler takes the decoded parameters and returns the ``result`` value of a
successful response or raises ``ApiError``. ``BotMethods.call`` adds what applies
to all methods: injected faults and flood control.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any

from .limits import FLOOD_METHODS
from .models import (
    ApiError,
    CallbackAnswer,
    FakeChat,
    FloodRejection,
    InlineAnswer,
    SentMessage,
    UploadedFile,
    bad_request,
    inline_markup,
)
from .state import FakeState
from .validation import (
    check_callback_answer,
    check_commands,
    check_inline_results,
    check_menu_button,
    check_reply_markup,
    parse_text,
)

Handler = Callable[[dict[str, Any]], Any]
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def scope_key(scope: Any) -> str:
    """'default', 'all_private_chats', 'chat:<id>', 'chat_member:<chat>:<user>', ..."""
    if isinstance(scope, str):
        scope = json.loads(scope)
    if not isinstance(scope, dict):
        return "default"
    parts = [str(scope.get("type", "default"))]
    parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"invalid {name} specified") from exc


class BotMethods(FakeState):
    """Bot-side Bot API methods on top of the shared state."""

    @cached_property
    def _handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": lambda p: self._send_file(p, "document"),
            "sendPhoto": lambda p: self._send_file(p, "photo"),
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p: self.commands.get(self._commands_key(p), []),
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": lambda p: self._set_text(p, "description", 512),
            "setMyShortDescription": lambda p: self._set_text(p, "short_description", 120),
            "getMyDescription": lambda p: self._get_text(p, "description"),
            "getMyShortDescription": lambda p: self._get_text(p, "short_description"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": lambda p: self.menu_buttons.get(
                str(p.get("chat_id") or ""), self.menu_buttons.get("", {"type": "default"})),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": lambda p: {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": self.updates.unconfirmed,
            },
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
            "close": lambda p: True,
            "logOut": lambda p: True,
        }

    def register_method(self, name: str, handler: Handler) -> None:
        """Add (or replace) a Bot API method: ``handler(params)`` returns the result
        or raises ``ApiError``. For methods a bot needs that the fake lacks."""
        self._handlers[name] = handler

    def method_name(self, name: str) -> str | None:
        """Canonical spelling of a method name (Telegram ignores case), or None."""
        lowered = name.lower()
        return next((m for m in self._handlers if m.lower() == lowered), None)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API method (canonical name) with faults and flood control."""
        delay = self.faults.take_delay(method)
        if delay:
            await asyncio.sleep(delay)
        fault = self.faults.take(method)
        if fault is not None:
            raise fault
        flood_chat: FakeChat | None = None
        if method.lower() in FLOOD_METHODS and "inline_message_id" not in params:
            flood_chat = self._chat(params.get("chat_id"))
            wait = self.flood.check(flood_chat.id, flood_chat.type)
            if self.enforce_flood and wait is not None:
                self.flood_rejections.append(
                    FloodRejection(method, flood_chat.id, wait, time.monotonic())
                )
                raise ApiError(
                    429, f"Too Many Requests: retry after {wait}", retry_after=wait, cause="flood"
                )
        result = self._handlers[method](params)
        if isinstance(result, Awaitable):
            result = await result
        if flood_chat is not None:
            self.flood.record(flood_chat.id, flood_chat.type)
        return result

    def _get_me(self, p: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    # -- updates and webhooks -----------------------------------------------------------

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.get("allowed_updates")
        return await self.updates.get(
            offset=int(p.get("offset") or 0),
            limit=int(p.get("limit") or 100),
            timeout=float(p.get("timeout") or 0),
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )

    def _set_webhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            self.updates.drop_all()
        return True

    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self.updates.drop_all()
        return True

    # -- sending and editing ------------------------------------------------------------

    def _message_json(self, msg: SentMessage) -> dict[str, Any]:
        msg.raw = msg.to_dict(self._chats[msg.chat_id], self.bot_user())
        return msg.raw

    def _deliver(self, chat: FakeChat, msg: SentMessage) -> dict[str, Any]:
        self._bot_messages.setdefault(chat.id, {})[msg.message_id] = msg
        body = msg.text if msg.text is not None else (msg.caption or "")
        self._delivered.setdefault(chat.id, []).append(body)
        return self._message_json(msg)

    def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        self._check_not_blocked(chat)
        parsed = parse_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = check_reply_markup(p.get("reply_markup"), chat.type)
        msg = SentMessage(
            self._new_message_id(chat.id), chat.id, int(time.time()), text=parsed.text,
            parse_mode=p.get("parse_mode"), entities=parsed.entities, reply_markup=markup,
            source=p.get("text"),
        )
        return self._deliver(chat, msg)

    def _resolve_file(self, source: Any, kind: str) -> UploadedFile:
        if isinstance(source, UploadedFile):
            if not source.content:
                raise bad_request("file must be non-empty")
            return self._store_file(source)
        if isinstance(source, str) and source in self._files:
            return self._files[source]
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            name = source.rstrip("/").rsplit("/", 1)[-1] or kind
            return self._store_file(UploadedFile(name, b"", "application/octet-stream"))
        if source is None:
            raise bad_request(f"there is no {kind} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_file(self, p: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        self._check_not_blocked(chat)
        upload = self._resolve_file(p.get(kind), kind)
        parsed = parse_text(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        markup = check_reply_markup(p.get("reply_markup"), chat.type)
        msg = SentMessage(
            self._new_message_id(chat.id), chat.id, int(time.time()),
            parse_mode=p.get("parse_mode"), entities=parsed.entities, reply_markup=markup,
            caption=parsed.text or None, source=p.get("caption"),
        )
        setattr(msg, kind, upload)
        return self._deliver(chat, msg)

    def _get_file(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        path = f"files/{file_id}/{stored.filename}"
        self._file_paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(stored.content),
            "file_path": path,
        }

    def _message_to_edit(self, p: dict[str, Any]) -> SentMessage:
        chat = self._chat(p.get("chat_id"))
        message_id = _as_int(p.get("message_id"), "message_id")
        msg = self._bot_messages.get(chat.id, {}).get(message_id)
        if msg is None or msg.deleted:
            if message_id in self._user_messages.get(chat.id, {}):
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return msg

    def _apply_edit(
        self, msg: SentMessage, body: str | None, entities: list[dict[str, Any]],
        markup: dict[str, Any] | None, parse_mode: Any, source: Any,
    ) -> dict[str, Any]:
        new_markup = inline_markup(markup)
        old_body = msg.text if msg.text is not None else msg.caption
        old_markup = inline_markup(msg.reply_markup)
        if (body, entities, new_markup) == (old_body, msg.entities, old_markup):
            raise bad_request(_NOT_MODIFIED)
        if msg.text is not None:
            msg.text = body
        else:
            msg.caption = body
        # Editing without reply_markup removes the inline keyboard, as in Telegram.
        msg.entities, msg.reply_markup, msg.parse_mode = entities, new_markup, parse_mode
        msg.source = source
        msg.edited = True
        return self._message_json(msg)

    def _edited_chat_type(self, p: dict[str, Any]) -> str | None:
        """The type of the chat an edit is in (None: a message sent via inline mode)."""
        return None if p.get("inline_message_id") else self._chat(p.get("chat_id")).type

    def _edit_message_text(self, p: dict[str, Any]) -> Any:
        parsed = parse_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = check_reply_markup(p.get("reply_markup"), self._edited_chat_type(p))
        if p.get("inline_message_id"):
            return True  # messages sent via inline mode are not tracked
        msg = self._message_to_edit(p)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(
            msg, parsed.text, parsed.entities, markup, p.get("parse_mode"), p.get("text")
        )

    def _edit_message_caption(self, p: dict[str, Any]) -> Any:
        parsed = parse_text(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        markup = check_reply_markup(p.get("reply_markup"), self._edited_chat_type(p))
        if p.get("inline_message_id"):
            return True
        msg = self._message_to_edit(p)
        if msg.text is not None:
            raise bad_request("there is no caption in the message to edit")
        caption = parsed.text or None
        return self._apply_edit(
            msg, caption, parsed.entities, markup, p.get("parse_mode"), p.get("caption")
        )

    def _edit_message_reply_markup(self, p: dict[str, Any]) -> Any:
        markup = check_reply_markup(p.get("reply_markup"), self._edited_chat_type(p))
        if p.get("inline_message_id"):
            return True
        msg = self._message_to_edit(p)
        body = msg.text if msg.text is not None else msg.caption
        return self._apply_edit(msg, body, msg.entities, markup, msg.parse_mode, msg.source)

    def _delete_message(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p.get("chat_id"))
        message_id = _as_int(p.get("message_id"), "message_id")
        msg = self._bot_messages.get(chat.id, {}).get(message_id)
        if msg is not None and not msg.deleted:
            msg.deleted = True
            return True
        if self._user_messages.get(chat.id, {}).pop(message_id, None) is not None:
            return True
        raise bad_request("message to delete not found")

    def _send_chat_action(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p.get("chat_id"))
        self._check_not_blocked(chat)
        action = p.get("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, str(action)))
        return True

    # -- answering users ----------------------------------------------------------------

    def _answer_callback_query(self, p: dict[str, Any]) -> bool:
        check_callback_answer(p.get("text"))
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise bad_request(_QUERY_TOO_OLD)
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(query_id, p.get("text"), bool(p.get("show_alert")), p.get("url"))
        )
        return True

    def _answer_inline_query(self, p: dict[str, Any]) -> bool:
        results = check_inline_results(p.get("results"))
        query_id = str(p.get("inline_query_id") or "")
        if query_id not in self._open_inline_queries:
            raise bad_request(_QUERY_TOO_OLD)
        self._open_inline_queries.discard(query_id)
        self.inline_answers.append(
            InlineAnswer(
                query_id, results, p.get("next_offset"), p.get("cache_time"),
                bool(p.get("is_personal")),
            )
        )
        return True

    # -- bot profile ----------------------------------------------------------------------

    def _commands_key(self, p: dict[str, Any]) -> tuple[str, str]:
        return scope_key(p.get("scope")), str(p.get("language_code") or "")

    def _set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        """The menu button of one private chat (`chat_id`), or everyone's default."""
        chat_id = p.get("chat_id")
        if chat_id is not None and self._chat(chat_id).type != "private":
            raise bad_request("chat not found")
        self.menu_buttons[str(chat_id or "")] = check_menu_button(p.get("menu_button"))
        return True

    def _set_my_commands(self, p: dict[str, Any]) -> bool:
        commands = check_commands(p.get("commands"))
        key = self._commands_key(p)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)  # an empty list deletes, like deleteMyCommands
        return True

    def _delete_my_commands(self, p: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _set_text(self, p: dict[str, Any], field: str, limit: int) -> bool:
        value = str(p.get(field) or "")
        if len(value) > limit:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        store = self.descriptions if field == "description" else self.short_descriptions
        store[str(p.get("language_code") or "")] = value
        return True

    def _get_text(self, p: dict[str, Any], field: str) -> dict[str, str]:
        store = self.descriptions if field == "description" else self.short_descriptions
        return {field: store.get(str(p.get("language_code") or ""), "")}
