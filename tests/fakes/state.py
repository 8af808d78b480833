"""The fake Bot API's world: chats, users, messages, recorded requests.

``FakeState`` is the common base of the bot-side methods (``methods.py``), the
user-side simulation (``actions.py``) and the HTTP server (``server.py``); it
also holds the read-only views tests use to observe what the bot did.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from .limits import FaultInjector, FloodControl
from .models import (
    ApiError,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    FloodRejection,
    InlineAnswer,
    RecordedRequest,
    SentMessage,
    UploadedFile,
    bad_request,
)
from .updates import UpdateQueue

# Refusals caused by conditions the test set up on purpose, not by a bot bug.
SIMULATED_CAUSES = frozenset({"injected", "flood", "blocked"})


class FakeState:
    """Everything the fake knows; subclasses add Bot API methods and user actions."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "takas_test_bot",
        enforce_flood: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = "Takas"
        self.enforce_flood = enforce_flood
        self.requests: list[RecordedRequest] = []
        self.flood_rejections: list[FloodRejection] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        # (scope key, language_code) -> commands; see ``scope_key`` for the key format.
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        # setChatMenuButton: chat id as text ("" for everyone's default) -> the MenuButton.
        self.menu_buttons: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook_url = ""
        self.updates = UpdateQueue(on_change=self._notify)
        self.flood = FloodControl()
        self.faults = FaultInjector()
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._blocked: dict[int, str] = {}
        self._bot_messages: dict[int, dict[int, SentMessage]] = {}
        self._user_messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._last_message_id: dict[int, int] = {}
        self._open_callbacks: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._files: dict[str, UploadedFile] = {}
        self._file_paths: dict[str, str] = {}
        self._delivered: dict[int, list[str]] = {}
        self._changed = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._serial = 0

    # -- bookkeeping shared by the subclasses ------------------------------------------

    def _notify(self) -> None:
        """Wake every ``wait_for_*`` helper so it re-checks its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _new_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by the bot's and the users' messages."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _chat(self, chat_id: Any) -> FakeChat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and f"@{chat.username}".lower() == chat_id.lower():
                    return chat
            raise bad_request("chat not found")
        try:
            numeric = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise bad_request("chat not found") from exc
        found = self._chats.get(numeric)
        if found is None:
            raise bad_request("chat not found")
        return found

    def _check_not_blocked(self, chat: FakeChat) -> None:
        # Private chats: the user blocked the bot; groups: the bot was removed from them.
        if chat.id in self._blocked:
            raise ApiError(403, self._blocked[chat.id], cause="blocked")

    def _store_file(self, upload: UploadedFile) -> UploadedFile:
        serial = self._next_serial()
        stored = UploadedFile(upload.filename, upload.content, upload.mime, f"FILE{serial:06d}")
        self._files[stored.file_id] = stored
        return stored

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- test set-up ------------------------------------------------------------------

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to their private chat get 403."""
        self._blocked[user_id] = "Forbidden: bot was blocked by the user"

    def deactivate(self, user_id: int) -> None:
        """The user deleted their account: sends to their private chat get 403."""
        self._blocked[user_id] = "Forbidden: user is deactivated"

    def unblock(self, user_id: int) -> None:
        self._blocked.pop(user_id, None)

    def inject_429(self, method: str = "sendMessage", retry_after: int = 1, times: int = 1) -> None:
        """Force the next ``times`` calls of ``method`` to fail with 429 retry_after."""
        self.faults.add(method, 429, retry_after, times)

    def inject_error(self, method: str, status: int = 500, times: int = 1) -> None:
        """Force the next ``times`` calls of ``method`` to fail with a server error."""
        self.faults.add(method, status, None, times)

    def inject_delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` before handling them
        as usual: a slow API. A client that gives up first does not learn that the call
        went through (a sent message is then delivered all the same)."""
        self.faults.add_delay(method, seconds, times)

    # -- observation ------------------------------------------------------------------

    @property
    def rejected(self) -> list[RecordedRequest]:
        """Requests Telegram would refuse because of what the bot sent.

        Excludes refusals the test provoked on purpose: injected faults, flood-control
        429s (see ``flood_rejections``) and 403s from ``block``/``deactivate``.
        """
        return [r for r in self.requests if not r.ok and r.cause not in SIMULATED_CAUSES]

    @property
    def errors(self) -> list[RecordedRequest]:
        """Every request that was answered with an error, for whatever reason."""
        return [r for r in self.requests if not r.ok]

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, as they are now."""
        stored = self._bot_messages.get(chat_id, {}).values()
        return [m for m in stored if include_deleted or not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        found = self.messages(chat_id)
        if not found:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.describe()}")
        return found[-1]

    def delivered(self, chat_id: int) -> list[str]:
        """Texts (or captions) of every successful send to the chat, in order."""
        return list(self._delivered.get(chat_id, []))

    def duplicates(self) -> list[tuple[int, str]]:
        """(chat_id, text) pairs that were delivered more than once."""
        found: list[tuple[int, str]] = []
        for chat_id, texts in self._delivered.items():
            found.extend((chat_id, text) for text, n in Counter(texts).items() if n > 1)
        return found

    def command_names(self, scope: str = "default", language_code: str = "") -> list[str]:
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    def describe(self, last: int = 25) -> str:
        """A readable dump of recent requests and the bot's messages, for failures."""
        lines = [f"last {min(last, len(self.requests))} of {len(self.requests)} requests:"]
        lines += [f"  {r.summary()}" for r in self.requests[-last:]]
        for chat_id, stored in self._bot_messages.items():
            lines.append(f"chat {chat_id}:")
            for m in stored.values():
                flags = " (edited)" if m.edited else ""
                flags += " (deleted)" if m.deleted else ""
                body = m.text if m.text is not None else f"[file] {m.caption or ''}"
                lines.append(f"  #{m.message_id}{flags}: {body!r} buttons={m.buttons}")
        lines.append(f"unconfirmed updates: {self.updates.unconfirmed}")
        return "\n".join(lines)
