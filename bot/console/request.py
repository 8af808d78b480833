"""An in-process Bot API: the console's replacement for Telegram's HTTP layer.

`ConsoleRequest` is a `telegram.request.BaseRequest`; the real `ExtBot` calls it exactly as
it would call Telegram, and it answers the methods the bot uses from a small in-memory model
of one private chat, printing every message the bot sends or edits.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.console.render import render_html, render_keyboard

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Takas", "username": "takas_console_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": True}

Method = Callable[[dict[str, Any], dict[str, tuple[str, bytes, str]]], Any]


class ConsoleAPI:
    """State of the simulated chat and the answers to each Bot API method."""

    def __init__(self, chat: dict[str, Any], write: Callable[[str], None], ansi: bool) -> None:
        self.chat = chat
        self.write = write
        self.ansi = ansi
        self.messages: dict[int, dict[str, Any]] = {}
        self.next_message_id = 1
        # Buttons of the keyboard shown last: what `#N` presses.
        self.buttons: list[dict[str, Any]] = []
        self.buttons_message: dict[str, Any] | None = None
        self.files_dir: Path | None = None
        self.methods: dict[str, Method] = {
            "getme": lambda p, f: BOT_USER,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "answercallbackquery": self._answer_callback,
            "senddocument": lambda p, f: self._send_file("document", p, f),
            "sendphoto": lambda p, f: self._send_file("photo", p, f),
            "sendlocation": self._send_location,
            "sendchataction": lambda p, f: True,
            "deletemessage": self._delete,
            "setmycommands": lambda p, f: True,
            "deletemycommands": lambda p, f: True,
            "setmydescription": lambda p, f: True,
            "setmyshortdescription": lambda p, f: True,
            "deletewebhook": lambda p, f: True,
            "answerinlinequery": lambda p, f: True,
            "getupdates": lambda p, f: [],
        }

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def call(self, name: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        method = self.methods.get(name.lower())
        if method is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": method(params, files)}

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = {"message_id": self.new_message_id(), "date": int(time.time()),
                   "chat": self.chat, "from": BOT_USER, **extra}
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
        self.messages[message["message_id"]] = message
        return message

    def _show(self, message: dict[str, Any], *, edited: bool = False) -> None:
        body = message.get("text") or message.get("caption") or ""
        if message.get("parse_mode", "").upper() == "HTML" or "<" in body:
            body = render_html(body, ansi=self.ansi)
        prefix = "takas (edited) ▸ " if edited else "takas ▸ "
        keyboard, buttons = render_keyboard(message.get("reply_markup"))
        if buttons:
            self.buttons, self.buttons_message = buttons, message
        shown = prefix + body.replace("\n", "\n        ")
        self.write(shown + ("\n" + keyboard if keyboard else ""))

    def _send_message(self, params: dict[str, Any], _files: Any) -> dict[str, Any]:
        message = self._message(params, text=str(params["text"]))
        self._show({**message, "parse_mode": params.get("parse_mode", "")})
        return message

    def _edit_text(self, params: dict[str, Any], _files: Any) -> dict[str, Any] | bool:
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None:
            return True
        message["text"] = str(params["text"])
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
        else:
            message.pop("reply_markup", None)
        self._show({**message, "parse_mode": params.get("parse_mode", "")}, edited=True)
        return message

    def _edit_markup(self, params: dict[str, Any], _files: Any) -> dict[str, Any] | bool:
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None:
            return True
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
            keyboard, self.buttons = render_keyboard(message["reply_markup"])
            self.buttons_message = message
            self.write(keyboard)
        else:
            message.pop("reply_markup", None)
        return message

    def _answer_callback(self, params: dict[str, Any], _files: Any) -> bool:
        if params.get("text"):
            self.write(f"        ({params['text']})")
        return True

    def _send_file(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if self.files_dir is None:
            self.files_dir = Path(tempfile.mkdtemp(prefix="takas-console-"))
        saved = []
        for filename, content, _mime in files.values():
            data = content if isinstance(content, bytes) else content.read()
            path = self.files_dir / Path(filename or f"{kind}.bin").name
            path.write_bytes(data)
            saved.append(path)
        caption = str(params.get("caption", ""))
        message = self._message(params, caption=caption)
        message[kind] = ({"file_id": f"console-{message['message_id']}", "file_unique_id": "c",
                          "file_name": saved[0].name if saved else kind}
                         if kind == "document" else
                         [{"file_id": f"console-{message['message_id']}", "file_unique_id": "c",
                           "width": 1, "height": 1}])
        self._show({**message, "parse_mode": params.get("parse_mode", "")})
        for path in saved:
            self.write(f"        [{kind}: {path}]")
        return message

    def _send_location(self, params: dict[str, Any], _files: Any) -> dict[str, Any]:
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        message = self._message(params, location=location)
        self.write(f"takas ▸ 📍 {location['latitude']}, {location['longitude']}")
        return message

    def _delete(self, params: dict[str, Any], _files: Any) -> bool:
        self.messages.pop(int(params.get("message_id", 0)), None)
        return True


def _decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class ConsoleRequest(BaseRequest):
    """Answers the bot's API calls from `ConsoleAPI` instead of the network."""

    def __init__(self, api: ConsoleAPI) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: Any = None, write_timeout: Any = None,
        connect_timeout: Any = None, pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        status, payload = self.api.call(url.rsplit("/", 1)[-1], dict(params), dict(files))
        return status, json.dumps(payload).encode()
