"""Simulated user activity: what people do in Telegram, turned into updates.

Each action builds the update JSON Telegram would send, queues it for
``getUpdates`` and returns an ``Injected`` record (update_id, and where it
applies the message id, chat id or query id). Users' messages take message ids
from the same per-chat sequence as the bot's messages, as in Telegram.
"""

from __future__ import annotations

import re
import time
from typing import Any

from .models import ChatType, FakeChat, FakeUser, Injected, SentMessage, UploadedFile
from .state import FakeState
from .telegram_html import utf16_len

# A bot command: '/' + up to 64 word chars, optionally '@botname', starting the text
# or preceded by whitespace (Telegram finds commands anywhere in the text).
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/@])")


# An @username mention: 5-32 word characters after '@', not inside a word or a command.
_MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities for ``text``, offsets and lengths in UTF-16 code
    units, in order, as Telegram's clients send them."""
    found = [(m, "bot_command") for m in _COMMAND_RE.finditer(text)]
    found += [(m, "mention") for m in _MENTION_RE.finditer(text)]
    return [
        {
            "type": kind,
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m, kind in sorted(found, key=lambda pair: pair[0].start())
    ]


class UserActions(FakeState):
    """Methods a test calls to act as Telegram users."""

    def user(
        self,
        user_id: int,
        first_name: str = "Ona",
        language_code: str | None = "lt",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """A user who has started the bot (so the bot may write to them)."""
        user = FakeUser(user_id, first_name, language_code, username, last_name)
        self._users[user_id] = user
        self._chats[user_id] = FakeChat(
            user_id, "private", first_name=first_name, username=username
        )
        return user

    def group(self, chat_id: int, title: str = "Group", type: ChatType = "group") -> FakeChat:
        """A group or supergroup the bot is a member of."""
        chat = FakeChat(chat_id, type, title=title)
        self._chats[chat_id] = chat
        return chat

    def add_bot_to_group(self, user: FakeUser, chat: FakeChat) -> Injected:
        """``user`` adds the bot to ``chat``: a my_chat_member update (left -> member)."""
        self._blocked.pop(chat.id, None)
        self._chats[chat.id] = chat
        return self._membership(user, chat, "left", "member")

    def remove_bot_from_group(self, user: FakeUser, chat: FakeChat) -> Injected:
        """``user`` removes the bot: sends to the group get 403 from now on."""
        kind = "supergroup" if chat.type == "supergroup" else "group"
        self._blocked[chat.id] = f"Forbidden: bot was kicked from the {kind} chat"
        return self._membership(user, chat, "member", "kicked")

    def _membership(self, user: FakeUser, chat: FakeChat, old: str, new: str) -> Injected:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        change = {"chat": chat.to_dict(), "from": user.to_dict(), "date": int(time.time()),
                  "old_chat_member": member(old), "new_chat_member": member(new)}
        return self._push({"my_chat_member": change}, chat_id=chat.id)

    def _private_chat(self, user: FakeUser) -> FakeChat:
        if user.id not in self._chats:
            self.user(user.id, user.first_name, user.language_code, user.username, user.last_name)
        return self._chats[user.id]

    def _push(self, update: dict[str, Any], **fields: Any) -> Injected:
        update_id = self.updates.push(update)
        self._notify()
        return Injected(update_id, {"update_id": update_id, **update}, **fields)

    def _user_message(
        self, user: FakeUser, chat: FakeChat | None, content: dict[str, Any]
    ) -> Injected:
        target = chat or self._private_chat(user)
        message = {
            "message_id": self._new_message_id(target.id),
            "from": user.to_dict(),
            "chat": target.to_dict(),
            "date": int(time.time()),
            **content,
        }
        self._user_messages.setdefault(target.id, {})[message["message_id"]] = message
        return self._push(
            {"message": message}, message_id=message["message_id"], chat_id=target.id
        )

    def send_text(
        self, user: FakeUser, text: str, chat: FakeChat | None = None,
        reply_to: SentMessage | None = None,
    ) -> Injected:
        """The user sends ``text``; commands get bot_command entities."""
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            content["reply_to_message"] = reply_to.raw
        return self._user_message(user, chat, content)

    def send_location(
        self, user: FakeUser, latitude: float, longitude: float, chat: FakeChat | None = None
    ) -> Injected:
        return self._user_message(
            user, chat, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def send_photo(
        self, user: FakeUser, caption: str | None = None, chat: FakeChat | None = None,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
    ) -> Injected:
        """The user sends a photo; the bot can getFile and download ``content``."""
        stored = self._store_file(UploadedFile("photo.jpg", content, "image/jpeg"))
        size = {"file_id": stored.file_id, "file_unique_id": f"U{stored.file_id}",
                "file_size": len(content)}
        body: dict[str, Any] = {"photo": [size | {"width": 90, "height": 67},
                                          size | {"width": 1280, "height": 960}]}
        if caption:
            body["caption"] = caption
        return self._user_message(user, chat, body)

    def edit_text(
        self, user: FakeUser, message_id: int, new_text: str, chat: FakeChat | None = None
    ) -> Injected:
        """The user edits one of their earlier text messages (an edited_message update)."""
        target = chat or self._private_chat(user)
        message = self._user_messages.get(target.id, {}).get(message_id)
        if message is None or "text" not in message:
            raise AssertionError(f"user has no text message {message_id} in chat {target.id}")
        message["text"] = new_text
        message.pop("entities", None)
        if entities := command_entities(new_text):
            message["entities"] = entities
        message["edit_date"] = int(time.time())
        return self._push({"edited_message": dict(message)}, message_id=message_id,
                          chat_id=target.id)

    def press_button(
        self, user: FakeUser, message: SentMessage | int, data: str, *,
        chat: FakeChat | None = None, forge: bool = False,
    ) -> Injected:
        """The user presses an inline button with ``data`` on one of the bot's messages.

        Fails the test unless the message currently shows a button with that
        callback_data; ``forge=True`` sends it anyway (a stale or malicious client).
        """
        if isinstance(message, SentMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = (chat or self._private_chat(user)).id, message
        current = self._bot_messages.get(chat_id, {}).get(message_id)
        if not forge:
            if current is None or current.deleted:
                raise AssertionError(
                    f"no bot message {message_id} in chat {chat_id}\n{self.describe()}"
                )
            if data not in current.callback_data:
                raise AssertionError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"buttons now: {current.buttons}"
                )
        query_id = str(4_000_000_000_000 + self._next_serial())
        self._open_callbacks.add(query_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": str(-chat_id * 7 + 13),
            "data": data,
        }
        if current is not None:
            query["message"] = current.raw
        return self._push({"callback_query": query}, message_id=message_id, chat_id=chat_id,
                          query_id=query_id)

    def send_inline_query(self, user: FakeUser, query: str, offset: str = "") -> Injected:
        """The user types ``@bot query`` in some chat."""
        query_id = str(5_000_000_000_000 + self._next_serial())
        self._open_inline_queries.add(query_id)
        inline = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset,
                  "chat_type": "sender"}
        return self._push({"inline_query": inline}, query_id=query_id)

    def inject_update(self, raw: dict[str, Any]) -> Injected:
        """Queue any update JSON as is; its update_id is (re)assigned by the fake."""
        body = {k: v for k, v in raw.items() if k != "update_id"}
        return self._push(body)
