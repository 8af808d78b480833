"""Deep links: t.me/<bot>?start=<kind>_<value>, one `DeepLink` per kind of thing a link
opens, in the manner of python-telegram-bot's deeplinking example.

Usage::

    INVITE.url(context.bot, token)          # built with telegram.helpers.create_deep_linked_url
    CommandHandler("start", on_invite, filters=INVITE.filter)  # one handler per kind, all
                                            # registered before the plain /start
    INVITE.value(context)                   # in that handler: the token the link carries

A payload is read by its kind's pattern, as callback data is: a link whose value does not
have its kind's shape is not followed (the plain /start greets instead), so no handler
takes a payload apart by hand. Payloads are at most 64 letters, digits, "_" and "-".
"""

from __future__ import annotations

import re

from telegram import Bot
from telegram.ext import filters
from telegram.helpers import create_deep_linked_url

from bot.context import TakasContext
from handlers.callback_data import ROW_ID

PAYLOAD_MAX = 64  # Telegram's limit on a start parameter


class DeepLink:
    """Links of one kind: `<prefix>_<value>`; `value` is a regular expression (default: a
    token of the characters Telegram allows, as long as the payload may be)."""

    def __init__(self, prefix: str, value: str | None = None) -> None:
        if not re.fullmatch(r"[a-z]+", prefix):
            raise ValueError(f"deep link prefix {prefix!r}: lowercase letters")
        self.prefix = prefix
        self.pattern = value or rf"[A-Za-z0-9_-]{{1,{PAYLOAD_MAX - len(prefix) - 1}}}"
        self._payload = re.compile(rf"{prefix}_({self.pattern})", re.ASCII)
        # The command's text: "/start PAYLOAD" (or "/start@our_bot PAYLOAD").
        self.filter = filters.Regex(re.compile(
            rf"^/start(?:@\w+)?\s+{prefix}_(?:{self.pattern})(?:\s|$)", re.ASCII))

    def payload(self, value: str | int) -> str:
        """The start parameter for `value` (ValueError for one its handler would not take)."""
        text = f"{self.prefix}_{value}"
        if not self._payload.fullmatch(text) or len(text) > PAYLOAD_MAX:
            raise ValueError(f"{text!r} is not a {self.prefix} deep link")
        return text

    def url(self, bot: Bot, value: str | int) -> str:
        """https://t.me/<bot>?start=<prefix>_<value>"""
        return create_deep_linked_url(bot.username, self.payload(value))

    def value(self, context: TakasContext) -> str:
        """The value of the link that was opened (the handler's filter has matched it)."""
        found = self._payload.match((context.args or [""])[0])
        if found is None:
            raise ValueError(f"not a {self.prefix} deep link")
        return found.group(1)


INVITE = DeepLink("org")  # become an organizer of an organisation (handlers/start.py)
CHECK_IN = DeepLink("ci")  # check in at an event: verified hours (handlers/start.py)
PLAYLIST = DeepLink("pl", ROW_ID)  # a learning playlist (handlers/playlists.py)
CLASS = DeepLink("cl")  # join a school class (handlers/schools.py)
CLAIM = DeepLink("rp")  # take over a pupil's record on the class list (handlers/schools.py)


def from_group(bot: Bot) -> str:
    """The link under a group answer that opens the private chat (a plain /start)."""
    return create_deep_linked_url(bot.username, "group")
