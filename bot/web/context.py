"""What the Mini App's routes reach: the running process's services, created once.

The webhook process hands over its Application's (`from_bot_data`); `python -m bot web`
builds its own (bot/transports/web.py). Routes read it with `services(request)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.config import Settings
from bot.delivery.badges import BadgeDocuments
from bot.flood import FloodGuard
from bot.i18n import I18n
from bot.storage.db import Database
from bot.web.auth import DevLogin, Signer
from bot.web.mapdata import MapCache
from catalog.search.service import SearchService


@dataclass
class Limits:
    """Requests per person (token buckets; see bot/flood.py): every call, writes, files
    that take CPU to make (PDF, PNG), and what arrives without a user (shared links,
    failed logins) per address."""

    calls: FloodGuard = field(default_factory=lambda: FloodGuard(120, 10.0))
    writes: FloodGuard = field(default_factory=lambda: FloodGuard(30, 1.0))
    files: FloodGuard = field(default_factory=lambda: FloodGuard(12, 0.2))
    anonymous: FloodGuard = field(default_factory=lambda: FloodGuard(60, 2.0))


@dataclass
class Web:
    settings: Settings
    i18n: I18n
    db: Database
    search: SearchService
    badges: BadgeDocuments
    signer: Signer
    dev: DevLogin | None = None
    limits: Limits = field(default_factory=Limits)
    # Wakes this process's outbox sender after a decision queued a message (a no-op where
    # another process sends: the webhook's worker finds the row by itself).
    wake: Callable[[], None] = lambda: None
    maps: MapCache = field(init=False)

    def __post_init__(self) -> None:
        self.maps = MapCache(self.search)

    def wake_sender(self) -> None:
        self.wake()

    @property
    def bot_token(self) -> str | None:
        token = self.settings.bot_token
        return token.get_secret_value() if token else None


def dev_login_wanted(settings: Settings) -> bool:
    """The development login: without a real token (the console), or when asked."""
    return settings.bot_token is None or settings.web_dev_login


def make_web(settings: Settings, i18n: I18n, db: Database, search: SearchService,
             badges: BadgeDocuments, *, dev: DevLogin | None = None) -> Web:
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    if dev is None and dev_login_wanted(settings):
        dev = DevLogin()
    return Web(settings, i18n, db, search, badges, Signer.for_token(token), dev)


WEB: web.AppKey[Web] = web.AppKey("takas_web", Web)


def services(request: web.Request) -> Web:
    return request.config_dict[WEB]
