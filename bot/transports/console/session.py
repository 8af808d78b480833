"""The console loop: typed lines become updates for the real Application.

    python -m bot console          # interactive, with line editing and history
    printf '/start\\n/help\\n' | python -m bot console   # piped: replies, then exit 0

Console-only commands (`HELP`): `#N` presses button N of your last keyboard, `/as ID [NAME]`
becomes another person (each has a private chat with the bot; messages the bot sends to
someone else are printed with their recipient), `/lang xx` sets the Telegram language,
`/location LAT LON` or `/location TOWN` shares a location, `/photo PATH [CAPTION]` sends a
photo, `@bot WORDS` is an inline query, a t.me link to the bot opens it (`/start PAYLOAD`),
`/console` prints the help, `/quit` (or end of input) leaves. Files the bot sends are kept
in a temporary folder that is removed at exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application, running
from bot.config import Settings
from bot.context import TakasApplication
from bot.i18n import I18n
from bot.storage import outbox
from bot.storage.models import utcnow
from bot.text import is_id, utf16_len
from bot.transports.console.request import BOT_USER, ConsoleAPI, ConsoleRequest
from bot.transports.web import LocalSite, port_of
from bot.web.app import dev_url
from bot.web.auth import DevLogin
from bot.web.context import dev_login_wanted
from catalog.search.normalize import fold

CONSOLE_TOKEN = "1000:console"  # noqa: S105 - not a secret: the console never leaves the process
PLACES = Path(__file__).resolve().parents[3] / "catalog" / "data" / "places.json"
HISTORY = ".console_history"  # beside the SQLite database, when there is one
SETTLE_SECONDS = 10.0  # at most this long for the outbox to deliver after each line

HELP = (
    "Takas console: you are talking to the real bot, without Telegram.\n"
    "  Type messages and commands as in Telegram (/start, /help, /language ...).\n"
    "  #N                     press button N of your last keyboard\n"
    "  /as ID [NAME]          become another person (ADMIN_IDS=1 makes person 1 an admin)\n"
    "  /lang xx               your Telegram language (lt, lv, et, en, ru, uk, pl, de)\n"
    "  /location LAT LON      share a location; or /location TOWN (/location Vilnius)\n"
    "  /photo PATH [CAPTION]  send a photo (e.g. as evidence while /log asks for one)\n"
    "  @bot WORDS             an inline query, as typed in any chat\n"
    "  https://t.me/takas_console_bot?start=...   open a link to the bot (an invite)\n"
    "  /console               this help; /quit or Ctrl-D leaves\n"
    "  Files the bot sends are saved in a temporary folder, removed when you leave."
)


class ConsoleUser:
    """One simulated person; `/as` switches between them."""

    def __init__(self, user_id: int = 1, first_name: str = "Console") -> None:
        self.id = user_id
        self.first_name = first_name
        self.language_code = "en"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name,
                "language_code": self.language_code}


class Console:
    """The people, the chats and the updates typed lines turn into."""

    def __init__(self, api: ConsoleAPI, write: Callable[[str], None]) -> None:
        self.api = api
        self.write = write
        self.people: dict[int, ConsoleUser] = {}
        self.user = self.switch(1, "Console")
        self.update_id = int(time.time())
        self.query_id = 0
        self._towns: dict[str, tuple[str, float, float]] | None = None
        # The development login of the pages this console serves (bot/web), if any.
        self.dev_token: str | None = None

    def switch(self, user_id: int, name: str | None = None) -> ConsoleUser:
        user = self.people.get(user_id) or ConsoleUser(user_id, name or f"User {user_id}")
        if name:
            user.first_name = name
        self.people[user_id] = self.user = user
        self.api.person(user_id, user.first_name)
        self.api.current = user_id
        return user

    def whoami(self) -> str:
        return (f"(console) you are {self.user.first_name} (id {self.user.id}); "
                "/as ID [NAME] becomes another person, /console lists the console's commands")

    def next_update_id(self) -> int:
        self.update_id += 1
        return self.update_id

    def _message(self, **content: Any) -> dict[str, Any]:
        message = {"message_id": self.api.new_message_id(), "date": int(time.time()),
                   "chat": self.api.person(self.user.id), "from": self.user.as_dict(),
                   **content}
        return {"update_id": self.next_update_id(), "message": message}

    def text(self, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": utf16_len(command)}]
        return self._message(**content)

    def button(self, number: int) -> dict[str, Any] | str:
        """The update for `#N`, or an explanation when there is no such button."""
        buttons, message = self.api.keyboard(self.user.id)
        if not buttons or message is None:
            return "(console) there is no keyboard to press"
        if not 1 <= number <= len(buttons):
            return f"(console) press a button from #1 to #{len(buttons)}"
        button = buttons[number - 1]
        if "web_app" in button:  # Telegram opens the Mini App; here, the browser does
            url = str(button["web_app"].get("url", ""))
            if self.dev_token:
                url += ("&" if "?" in url else "?") + f"dev={self.dev_token}"
            return f"(console) that button opens the Mini App; in your browser: {url}"
        if "callback_data" not in button:
            url = str(button.get("url", ""))
            payload = deep_link_payload(url)
            if payload is not None:
                return self.text(f"/start {payload}")
            return f"(console) that button opens {url or 'a link'}"
        self.query_id += 1
        return {"update_id": self.next_update_id(), "callback_query": {
            "id": str(self.query_id), "from": self.user.as_dict(), "chat_instance": "console",
            "message": message, "data": button["callback_data"]}}

    def location(self, where: str) -> dict[str, Any] | str:
        numbers = where.replace(",", " ").split()
        try:
            latitude, longitude = (float(numbers[0]), float(numbers[1]))
            if len(numbers) != 2 or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValueError(where)
        except (ValueError, IndexError):
            town = self.towns().get(fold(where.strip()))
            if town is None:
                return ("(console) /location LAT LON (e.g. /location 54.687 25.280) or a town "
                        "(e.g. /location Vilnius)")
            name, latitude, longitude = town
            self.write(f"(console) sharing the location of {name}: {latitude}, {longitude}")
        return self._message(location={"latitude": latitude, "longitude": longitude})

    def towns(self) -> dict[str, tuple[str, float, float]]:
        """Folded town names in every language -> (name, latitude, longitude)."""
        if self._towns is None:
            places = json.loads(PLACES.read_text(encoding="utf-8"))["places"]
            self._towns = {
                fold(name): (place["names"].get("en", [place["id"]])[0], float(place["lat"]),
                             float(place["lon"]))
                for place in places for names in place["names"].values() for name in names}
        return self._towns

    def photo(self, argument: str) -> dict[str, Any] | str:
        path_text, _sep, caption = argument.strip().partition(" ")
        path = Path(path_text).expanduser()
        if not path_text or not path.is_file():
            return "(console) /photo PATH [CAPTION]: send a picture file from this computer"
        copy = self.api.files_dir / f"sent-{self.api.next_message_id}-{path.name}"
        copy.write_bytes(path.read_bytes())
        file_id = f"you-{self.api.next_message_id}"
        self.api.keep_file(file_id, copy)
        content: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": file_id,
                                              "width": 640, "height": 480,
                                              "file_size": copy.stat().st_size}]}
        if caption.strip():
            content["caption"] = caption.strip()
        return self._message(**content)

    def inline(self, query: str) -> dict[str, Any]:
        self.query_id += 1
        return {"update_id": self.next_update_id(), "inline_query": {
            "id": str(self.query_id), "from": self.user.as_dict(), "query": query,
            "offset": "", "chat_type": "private"}}

    def to_update(self, line: str) -> dict[str, Any] | None:
        """The update a typed line stands for; console commands are answered here (None)."""
        command, _sep, rest = line.partition(" ")
        rest = rest.strip()
        update: dict[str, Any] | str | None
        if command == "/lang":
            update = self._language(rest)
        elif command == "/as":
            update = self._become(rest)
        elif command == "/console":
            update = HELP
        elif command == "/location":
            update = self.location(rest)
        elif command == "/photo":
            update = self.photo(rest)
        elif command.lower() in ("@bot", f"@{BOT_USER['username']}"):
            update = self.inline(rest)
        elif line.startswith("#") and is_id(line[1:]):
            update = self.button(int(line[1:]))
        elif (payload := deep_link_payload(line)) is not None:
            update = self.text(f"/start {payload}")
        else:
            update = self.text(line)
        if isinstance(update, str):
            self.write(update)
            return None
        return update

    def _language(self, code: str) -> str:
        if not code:
            return (f"(console) your Telegram language is {self.user.language_code}; "
                    "/lang xx changes it")
        self.user.language_code = code
        return (f"(console) your Telegram language is now {code} "
                "(a language chosen with /language still wins)")

    def _become(self, argument: str) -> str:
        number, _sep, name = argument.partition(" ")
        if not is_id(number) or not 0 < int(number) < 10**12:
            return (f"(console) /as ID [NAME], e.g. /as 2 Ona (you are {self.user.first_name}, "
                    f"id {self.user.id})")
        self.switch(int(number), name.strip() or None)
        return self.whoami()


def deep_link_payload(text: str) -> str | None:
    """PAYLOAD of https://t.me/<this bot>?start=PAYLOAD, else None."""
    match = re.fullmatch(rf"(?:https?://)?t\.me/{BOT_USER['username']}\?start=([\w-]{{1,64}})",
                         text.strip())
    return match.group(1) if match else None


async def settle(application: TakasApplication) -> None:
    """Wait (a little) until the outbox has delivered what is due, so that a message to
    another person is printed before the next line is read."""
    db, loop = application.bot_data.db, asyncio.get_running_loop()
    deadline, last = loop.time() + SETTLE_SECONDS, -1
    while loop.time() < deadline:
        async with db.transaction() as session:
            pending = await outbox.backlog(session)
            due = await outbox.next_due(session)
        if pending == 0 or (pending == last and (due is None or due > utcnow())):
            return  # nothing left, or only rows due later (digests) and nothing in flight
        last = pending
        await asyncio.sleep(0.05)


def _reader(interactive: bool, history: Path | None,
            prompt: Callable[[], str]) -> Callable[[], str]:
    """Lines from stdin; on a terminal with readline's editing and a history file."""
    if not interactive:
        return sys.stdin.readline
    try:
        import readline  # only for a terminal; absent on some platforms
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return sys.stdin.readline
    if history is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(history)
        readline.set_history_length(1000)

    def read() -> str:
        try:
            line = input(prompt()) + "\n"
        except EOFError:
            return ""
        if history is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)
        return line

    return read


def history_file(settings: Settings) -> Path | None:
    """The history file in the data folder (beside the SQLite database), or None."""
    if not settings.is_sqlite:
        return None
    database = settings.database_url.split(":///", 1)[-1].split("?", 1)[0]
    folder = Path(database).parent if database and database != ":memory:" else None
    return folder / HISTORY if folder is not None and folder.is_dir() else None


async def run_console(
    settings: Settings,
    i18n: I18n,
    *,
    read_line: Callable[[], str] | None = None,
    write: Callable[[str], None] | None = None,
    interactive: bool | None = None,
    web: bool = False,
) -> int:
    """Run the console until end of input; returns the exit code. `web`: also serve the
    Mini App's pages on this machine (WEB_PORT, else 8090, else any free port), logged in
    as whoever the console plays."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty() if interactive is None else interactive
    write = write or (lambda line: print(line, flush=True))
    with tempfile.TemporaryDirectory(prefix="takas-console-") as files_dir:
        api = ConsoleAPI(write, ansi=interactive, files_dir=Path(files_dir))
        console = Console(api, write)
        read_line = read_line or _reader(
            interactive, history_file(settings),
            lambda: f"{console.user.first_name} ({console.user.id}) ▸ ")
        application = build_application(
            settings, i18n, token=CONSOLE_TOKEN, request=ConsoleRequest(api), rate_limit=False
        )
        async with running(application):
            if application.bot_data.search.index.size == 0:
                # A first start with an empty catalog: load the feeds before the first
                # question, so the very first search has something to find.
                if interactive:
                    write("(console) loading the partner feeds for the first time…")
                await application.bot_data.catalog.sync()
            if interactive:
                write(HELP)
            site = await _serve_pages(application, settings, console, write) if web else None
            write(console.whoami())
            try:
                await _loop(application, console, read_line)
            finally:
                if site is not None:
                    await site.stop()
    return 0


async def _loop(application: TakasApplication, console: Console,
                read_line: Callable[[], str]) -> None:
    """Typed lines to updates until end of input or /quit."""
    while True:
        line = await asyncio.to_thread(read_line)
        if not line:  # end of input
            break
        text = line.strip()
        if not text:
            continue
        if text in {"/quit", "/exit"}:
            break
        update = console.to_update(text)
        if update is not None:
            await application.process_update(Update.de_json(update, application.bot))
            await settle(application)


async def _serve_pages(application: TakasApplication, settings: Settings, console: Console,
                       write: Callable[[str], None]) -> LocalSite | None:
    """The Mini App's pages beside the console, with the development login as the person
    the console plays now (/as switches both)."""
    dev = (DevLogin(lambda: (console.user.id, console.user.first_name,
                             console.user.language_code))
           if dev_login_wanted(settings) else None)
    for port in (port_of(settings), 0):
        site = LocalSite(application, "127.0.0.1", port, dev)
        try:
            base = await site.start()
        except OSError:  # the port is taken: any free one will do
            await site.stop()
            continue
        # The chat's "Open map" buttons lead to these pages (the console shows their address).
        application.bot_data.extras["webapp_url"] = f"{base}/app"
        if dev is None:
            write("(console) Mini App pages: set WEB_DEV_LOGIN=1 to open them without "
                  "Telegram (BOT_TOKEN is set)")
        else:
            console.dev_token = dev.token
            write(f"(console) the Mini App in your browser: {dev_url(base, site.services)}")
        return site
    return None
