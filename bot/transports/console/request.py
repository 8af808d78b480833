"""An in-process Bot API: the console's replacement for Telegram's HTTP layer.

`ConsoleRequest` is a `telegram.request.BaseRequest`; the real `ExtBot` (and the outbox
sender's bot) call it exactly as they would call Telegram, and it answers the methods the bot
uses from a small in-memory model of the private chats of the people the console has played
(`/as`), printing every message the bot sends or edits. A message for someone other than
the person typing now is printed with its recipient ("takas → Ona (2) ▸"), and that
person's keyboard is kept for when the console switches to them.

Messages are stored as Telegram stores them: plain text plus entities (see
`render.to_entities`), so what a handler reads back (`message.text_html`) is what it sent.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.transports.console.render import render_html, render_keyboard, to_entities

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Takas", "username": "takas_console_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": True}
FILE_PATH = "/file/bot"  # the Bot API's download URLs: <base>/file/bot<token>/<file_path>

Method = Callable[[dict[str, Any], dict[str, tuple[str, bytes, str]]], Any]


class ConsoleAPI:
    """State of the simulated chats and the answers to each Bot API method."""

    def __init__(self, write: Callable[[str], None], ansi: bool, files_dir: Path) -> None:
        self.write = write
        self.ansi = ansi
        self.files_dir = files_dir  # the session removes it at exit
        self.people: dict[int, dict[str, Any]] = {}  # private chats by id
        self.current = 0  # whose terminal this is now
        self.messages: dict[int, dict[str, Any]] = {}
        self.next_message_id = 1
        # Per chat, the buttons of the keyboard shown last and their message: what `#N` presses.
        self.keyboards: dict[int, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
        self.files: dict[str, Path] = {}  # file_id -> the file on disk
        self.methods: dict[str, Method] = {
            "getme": lambda p, f: BOT_USER,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_text,
            "editmessagecaption": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "answercallbackquery": self._answer_callback,
            "senddocument": lambda p, f: self._send_file("document", p, f),
            "sendphoto": lambda p, f: self._send_file("photo", p, f),
            "sendlocation": self._send_location,
            "sendchataction": lambda p, f: True,
            "deletemessage": self._delete,
            "getfile": self._get_file,
            "setmycommands": lambda p, f: True,
            "deletemycommands": lambda p, f: True,
            "setmydescription": lambda p, f: True,
            "setmyshortdescription": lambda p, f: True,
            "setchatmenubutton": lambda p, f: True,
            "deletewebhook": lambda p, f: True,
            "answerinlinequery": self._answer_inline,
            "getupdates": lambda p, f: [],
        }

    def person(self, user_id: int, first_name: str | None = None) -> dict[str, Any]:
        """The private chat with `user_id` (its first name updated when given)."""
        chat = self.people.setdefault(
            user_id, {"id": user_id, "type": "private", "first_name": f"User {user_id}"})
        if first_name:
            chat["first_name"] = first_name
        return chat

    def keyboard(self, chat_id: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        buttons, message = self.keyboards.get(chat_id, ([], None))
        return buttons, message

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def keep_file(self, file_id: str, path: Path) -> None:
        self.files[file_id] = path

    def call(self, name: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        method = self.methods.get(name.lower())
        if method is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": method(params, files)}

    def download(self, url: str) -> tuple[int, bytes]:
        path = self.files.get(url.rsplit("/", 1)[-1])
        return (200, path.read_bytes()) if path is not None and path.exists() else (404, b"")

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.person(int(params.get("chat_id", self.current)))

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = {"message_id": self.new_message_id(), "date": int(time.time()),
                   "chat": self._chat(params), "from": BOT_USER, **extra}
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
        self.messages[message["message_id"]] = message
        return message

    def _formatted(self, message: dict[str, Any], field: str, text: str,
                   parse_mode: str) -> str:
        """Store `text` in `message[field]` as Telegram would; return the HTML to show."""
        html = text if parse_mode.upper() == "HTML" else _escape(text)
        message[field], entities = to_entities(html)
        entities_field = "entities" if field == "text" else "caption_entities"
        if entities:
            message[entities_field] = entities
        else:
            message.pop(entities_field, None)
        return html

    def _show(self, message: dict[str, Any], html: str, *, edited: bool = False) -> None:
        body = render_html(html, ansi=self.ansi)
        chat = message["chat"]
        who = "" if chat["id"] == self.current else f" → {chat['first_name']} ({chat['id']})"
        prefix = f"takas{who}{' (edited)' if edited else ''} ▸ "
        keyboard, buttons = render_keyboard(message.get("reply_markup"))
        if buttons:
            self.keyboards[chat["id"]] = (buttons, message)
        shown = prefix + body.replace("\n", "\n        ")
        self.write(shown + ("\n" + keyboard if keyboard else ""))

    def _send_message(self, params: dict[str, Any], _files: Any) -> dict[str, Any]:
        message = self._message(params)
        html = self._formatted(message, "text", str(params["text"]),
                               str(params.get("parse_mode") or ""))
        self._show(message, html)
        return message

    def _edit_text(self, params: dict[str, Any], _files: Any) -> dict[str, Any] | bool:
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None:
            return True
        field = "caption" if "caption" in params else "text"
        html = self._formatted(message, field, str(params.get(field, "")),
                               str(params.get("parse_mode") or ""))
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
        else:
            self._drop_keyboard(message)
        self._show(message, html, edited=True)
        return message

    def _drop_keyboard(self, message: dict[str, Any]) -> None:
        """The message lost its keyboard: `#N` no longer presses its old buttons."""
        message.pop("reply_markup", None)
        _buttons, shown = self.keyboard(message["chat"]["id"])
        if shown is not None and shown["message_id"] == message["message_id"]:
            del self.keyboards[message["chat"]["id"]]

    def _edit_markup(self, params: dict[str, Any], _files: Any) -> dict[str, Any] | bool:
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None:
            return True
        if params.get("reply_markup"):
            message["reply_markup"] = _decode(params["reply_markup"])
            keyboard, buttons = render_keyboard(message["reply_markup"])
            self.keyboards[message["chat"]["id"]] = (buttons, message)
            self.write(keyboard)
        else:
            self._drop_keyboard(message)
        return message

    def _answer_callback(self, params: dict[str, Any], _files: Any) -> bool:
        if params.get("text"):
            self.write(f"        ({params['text']})")
        return True

    def _answer_inline(self, params: dict[str, Any], _files: Any) -> bool:
        """Inline results as a numbered list: title, description, and the message it sends."""
        results = _decode(params.get("results") or "[]")
        if not results:
            self.write("takas (inline) ▸ no results")
            return True
        lines = [f"takas (inline) ▸ {len(results)} results to share:"]
        for number, result in enumerate(results, 1):
            lines.append(f"  @{number} {result.get('title', '')}")
            if result.get("description"):
                lines.append(f"       {result['description']}")
            content = result.get("input_message_content") or {}
            if content.get("message_text"):
                html = (content["message_text"] if str(content.get("parse_mode", "")).upper()
                        == "HTML" else _escape(content["message_text"]))
                shared = render_html(html, ansi=self.ansi).replace("\n", "\n       │ ")
                lines.append(f"       │ {shared}")
        self.write("\n".join(lines))
        return True

    def _send_file(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        saved = []
        for filename, content, _mime in files.values():
            data = content if isinstance(content, bytes) else content.read()
            path = self.files_dir / Path(filename or f"{kind}.bin").name
            path.write_bytes(data)
            saved.append(path)
        if not saved and isinstance(params.get(kind), str) and params[kind] in self.files:
            saved.append(self.files[params[kind]])  # sent again by file_id
        message = self._message(params)
        html = self._formatted(message, "caption", str(params.get("caption", "")),
                               str(params.get("parse_mode") or ""))
        file_id = f"console-{message['message_id']}"
        if saved:
            self.keep_file(file_id, saved[0])
        message[kind] = ({"file_id": file_id, "file_unique_id": file_id,
                          "file_name": saved[0].name if saved else kind}
                         if kind == "document" else
                         [{"file_id": file_id, "file_unique_id": file_id, "width": 1,
                           "height": 1}])
        self._show(message, html)
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

    def _get_file(self, params: dict[str, Any], _files: Any) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        path = self.files.get(file_id)
        return {"file_id": file_id, "file_unique_id": file_id,
                "file_size": path.stat().st_size if path else 0, "file_path": file_id}


def _decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


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
        if FILE_PATH in url:
            return self.api.download(url)
        params = request_data.parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        status, payload = self.api.call(url.rsplit("/", 1)[-1], dict(params), dict(files))
        return status, json.dumps(payload).encode()
