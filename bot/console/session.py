"""The console loop: typed lines become updates for the real Application.

    python -m bot console          # interactive
    printf '/start\\n/help\\n' | python -m bot console   # piped: replies, then exit 0

Console-only commands: `/lang xx` sets the simulated user's Telegram language_code,
`#N` presses button N of the keyboard shown last, `/quit` (or end of input) leaves.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.app import build_application, running
from bot.config import Settings
from bot.console.request import ConsoleAPI, ConsoleRequest
from bot.i18n import I18n
from bot.text import is_id, utf16_len

CONSOLE_TOKEN = "1000:console"  # noqa: S105 - not a secret: the console never leaves the process

HELP = (
    "Takas console: you are talking to the real bot, without Telegram.\n"
    "  Type messages or commands (/start, /help, /language ...).\n"
    "  #N presses button N of the last keyboard; /lang xx sets your Telegram language (lt, lv, "
    "en, ru, ...); /quit or Ctrl-D leaves.\n"
)


class ConsoleUser:
    """The one simulated person typing in the terminal."""

    def __init__(self, user_id: int = 1, first_name: str = "Console") -> None:
        self.id = user_id
        self.first_name = first_name
        self.language_code = "en"
        self.update_id = int(time.time())
        self.query_id = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name,
                "language_code": self.language_code}

    def next_update_id(self) -> int:
        self.update_id += 1
        return self.update_id


def message_update(api: ConsoleAPI, user: ConsoleUser, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": api.new_message_id(), "date": int(time.time()), "chat": api.chat,
        "from": user.as_dict(), "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
    return {"update_id": user.next_update_id(), "message": message}


def button_update(api: ConsoleAPI, user: ConsoleUser, number: int) -> dict[str, Any] | str:
    """The callback query for `#N`, or an explanation when there is no such button."""
    if not api.buttons:
        return "(console) there is no keyboard to press"
    if not 1 <= number <= len(api.buttons):
        return f"(console) press a button from #1 to #{len(api.buttons)}"
    button = api.buttons[number - 1]
    if "callback_data" not in button:
        return f"(console) that button opens {button.get('url', 'a link')}"
    user.query_id += 1
    return {"update_id": user.next_update_id(), "callback_query": {
        "id": str(user.query_id), "from": user.as_dict(), "chat_instance": "console",
        "message": api.buttons_message, "data": button["callback_data"]}}


async def run_console(
    settings: Settings,
    i18n: I18n,
    *,
    read_line: Callable[[], str] | None = None,
    write: Callable[[str], None] | None = None,
    interactive: bool | None = None,
) -> int:
    """Run the console until end of input; returns the exit code."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty() if interactive is None else interactive
    read_line = read_line or sys.stdin.readline
    write = write or (lambda line: print(line, flush=True))
    user = ConsoleUser()
    chat = {"id": user.id, "type": "private", "first_name": user.first_name}
    api = ConsoleAPI(chat, write, ansi=interactive)
    application = build_application(
        settings, i18n, token=CONSOLE_TOKEN, request=ConsoleRequest(api), rate_limit=False
    )
    async with running(application):
        if application.bot_data.search.index.size == 0:
            # A first start with an empty catalog: load the feeds before the first question,
            # so the very first search has something to find.
            if interactive:
                write("(console) loading the partner feeds for the first time…")
            await application.bot_data.catalog.sync()
        if interactive:
            write(HELP)
        while True:
            if interactive:
                sys.stdout.write("you ▸ ")
                sys.stdout.flush()
            line = await asyncio.to_thread(read_line)
            if not line:  # end of input
                break
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            if text.strip() in {"/quit", "/exit"}:
                break
            update = _to_update(api, user, text.strip(), write)
            if update is not None:
                await application.process_update(Update.de_json(update, application.bot))
    return 0


def _to_update(
    api: ConsoleAPI, user: ConsoleUser, text: str, write: Callable[[str], None]
) -> dict[str, Any] | None:
    if text.startswith("/lang ") or text == "/lang":
        code = text.removeprefix("/lang").strip()
        if not code:
            write(f"(console) your Telegram language is {user.language_code}; /lang xx changes it")
            return None
        user.language_code = code
        write(f"(console) your Telegram language is now {code} "
              "(a language chosen with /language still wins)")
        return None
    if text.startswith("#") and is_id(text[1:]):
        update = button_update(api, user, int(text[1:]))
        if isinstance(update, str):
            write(update)
            return None
        return update
    return message_update(api, user, text)
