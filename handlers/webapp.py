"""The Mini App's doors in the chat: "Open map" and "Open my profile" buttons under /start,
search results and /hours, when the Mini App has an address (WEBAPP_URL; in the console,
the pages it serves on this machine).

Telegram opens `web_app` buttons only in a private chat with the bot (it refuses them in
groups and in messages sent via inline mode with BUTTON_TYPE_INVALID), so elsewhere
there are none. The menu button is set at start-up (bot/app.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from telegram import Chat, InlineKeyboardButton, WebAppInfo

from bot.context import TakasContext
from bot.i18n import _

MAX_QUERY = 200  # characters of a search handed to the map


def base_url(context: TakasContext) -> str | None:
    """The address of the map page's folder, without a trailing slash, or None."""
    local = context.bot_data.extras.get("webapp_url")
    return local if isinstance(local, str) else context.settings.webapp_url


def page_url(base: str, page: str = "", **query: str) -> str:
    wanted = {key: value for key, value in query.items() if value}
    return f"{base}/{page}" + (f"?{urlencode(wanted)}" if wanted else "")


def open_rows(context: TakasContext, chat: Chat | None, *, search: str | None = None,
              map_page: bool = True, profile: bool = False) -> list[list[InlineKeyboardButton]]:
    """One row with the buttons asked for; none outside a private chat or without an
    address. `search`: the map opens with that query."""
    base = base_url(context)
    if base is None or chat is None or chat.type != Chat.PRIVATE:
        return []
    row = []
    if map_page:
        row.append(InlineKeyboardButton(_("🗺 Open map"), web_app=WebAppInfo(
            page_url(base, q=" ".join((search or "").split())[:MAX_QUERY]))))
    if profile:
        row.append(InlineKeyboardButton(_("📊 Open my profile"), web_app=WebAppInfo(
            page_url(base, "profile"))))
    return [row] if row else []
