"""The typed per-update context handlers receive, and what the application holds for them.

Handlers reach settings, the database and translations through `context.settings`,
`context.db` and `context.i18n` instead of globals (STYLE practice 3).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery.badges import BadgeDocuments
from bot.delivery.kinds import Kinds
from bot.delivery.sender import Sender
from bot.flood import FloodGuard
from bot.i18n import I18n
from bot.services.waiting import Expecting
from bot.storage.db import Database
from catalog.search.service import SearchService
from catalog.service import Catalog


class BotData:
    """Long-lived objects of one running application, created once and closed on shutdown.

    PTB instantiates this class without arguments; `bot.app.build_application` fills it in
    right after building the application, before any update can arrive.
    """

    settings: Settings
    i18n: I18n
    db: Database
    catalog: Catalog
    search: SearchService
    sender: Sender
    flood: FloodGuard
    badges: BadgeDocuments  # the deployment's badge issuer (key, status list address)
    kinds: Kinds  # renderers of what the outbox sends to other people (bot/delivery/kinds.py)

    def __init__(self) -> None:
        # Services added by later features (catalog index, HTTP session, ...), by name.
        self.extras: dict[str, Any] = {}


class TakasContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the application's services.

    PTB makes one context per update and hands it to every handler group, so what the
    middleware learns here serves the later handlers of the same update."""

    # The sender's id, set by the middleware for a private user's update.
    user_id: int | None = None
    # What waits for the sender's typed text (handlers/waiting.py); read by the middleware
    # in the update's first transaction, so `expecting_known` tells None from "not read".
    expecting: Expecting | None = None
    expecting_known: bool = False

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def db(self) -> Database:
        return self.bot_data.db

    @property
    def i18n(self) -> I18n:
        return self.bot_data.i18n

    @property
    def catalog(self) -> Catalog:
        return self.bot_data.catalog


TakasApplication = Application[
    ExtBot[None], TakasContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
