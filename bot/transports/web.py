"""Serving the Mini App (bot/web) where no webhook process does.

    python -m bot web       the pages and the API on WEB_HOST:WEB_PORT (default
                            127.0.0.1:8090), for a polling deployment behind a reverse
                            proxy, or to open the pages locally

`serve_web` runs the process: its own database engine, search index (rebuilt when another
process's sync changes the catalog, as the webhook's watcher does) and badge issuer.
`LocalSite` serves the pages from a process that runs the bot already (`run` with
WEBAPP_URL or WEB_PORT, and the console), over that Application's services. Either prints
the local address with the development login when that login is on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from bot.config import Settings
from bot.context import TakasApplication
from bot.delivery.badges import BadgeDocuments
from bot.i18n import I18n
from bot.services.badges import Issuer
from bot.storage.db import Database
from bot.transports.webhook.catalog_watch import watch_catalog
from bot.web.app import dev_url, mount
from bot.web.auth import DevLogin
from bot.web.context import Web, make_web
from catalog.search.service import SearchService

log = logging.getLogger(__name__)

DEFAULT_PORT = 8090
CATALOG_CHECK = 60.0  # seconds between looks for a catalog another process synced


def port_of(settings: Settings) -> int:
    return settings.web_port if settings.web_port is not None else DEFAULT_PORT


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


class Site:
    """One aiohttp site serving `services`; `start` returns the base URL."""

    def __init__(self, services: Web, host: str, port: int) -> None:
        self.services, self.host, self.port = services, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/healthz", healthz)
        mount(app, self.services)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0,
                                     handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # the port 0 chose
        port = sockets[0].getsockname()[1] if sockets else self.port
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        base = f"http://{host}:{port}"
        log.info("Mini App pages at %s/app/", base)
        return base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def services_of(application: TakasApplication, dev: DevLogin | None = None) -> Web:
    """The Mini App over a running Application's database, index and issuer."""
    data = application.bot_data
    services = make_web(data.settings, data.i18n, data.db, data.search, data.badges, dev=dev)
    if data.extras.get("background", True):
        services.wake = data.sender.wake
    return services


class LocalSite(Site):
    """The pages beside the bot in one process (polling, the console)."""

    def __init__(self, application: TakasApplication, host: str, port: int,
                 dev: DevLogin | None = None) -> None:
        super().__init__(services_of(application, dev), host, port)


def announce(base: str, services: Web, write: Callable[[str], None]) -> None:
    url = dev_url(base, services)
    if url is not None:
        write(f"Mini App (development login, this machine only): {url}")
    else:
        write(f"Mini App pages: {base}/app/ (open them from the bot in Telegram)")


async def serve_web(settings: Settings, i18n: I18n, *, host: str | None = None,
                    port: int | None = None, ready: asyncio.Event | None = None,
                    stop: asyncio.Event | None = None,
                    write: Callable[[str], None] = print) -> None:
    """Run `python -m bot web` until `stop` is set (SIGTERM/SIGINT when it is None)."""
    from bot.transports.webhook.main import _install_signals

    db = Database(settings.database_url)
    remove_signals = None
    if stop is None:
        stop = asyncio.Event()
        remove_signals = _install_signals(stop)
    try:
        if settings.is_sqlite:
            await db.migrate()
        search = SearchService(db)
        search.freeze_snapshots()  # a long-running process
        await search.refresh()
        badges = BadgeDocuments(db, i18n, Issuer(settings.badge_key(),
                                                 settings.badge_base_url))
        site = Site(make_web(settings, i18n, db, search, badges), host or settings.web_host,
                    port if port is not None else port_of(settings))
        watcher = asyncio.create_task(watch_catalog(search, db, stop, CATALOG_CHECK),
                                      name="catalog-watch")
        try:
            announce(await site.start(), site.services, write)
            if ready is not None:
                ready.set()
            await stop.wait()
        finally:
            await site.stop()
            stop.set()
            await watcher
    finally:
        if remove_signals is not None:
            remove_signals()
        await db.close()


def wanted_beside_bot(settings: Settings) -> bool:
    """Whether `run` (polling) serves the pages too: WEBAPP_URL or WEB_PORT is set."""
    return bool(settings.webapp_url) or bool(settings.web_port)


def attach(application: TakasApplication, settings: Settings,
           write: Callable[[str], None] = print) -> None:
    """Serve the pages from the polling process: started after the Application's own
    start-up, stopped at its shutdown (PTB's post_init / post_shutdown hooks)."""
    site = LocalSite(application, settings.web_host, port_of(settings))
    started, stopped = application.post_init, application.post_shutdown

    async def post_init(app: TakasApplication) -> None:
        if started is not None:
            await started(app)
        announce(await site.start(), site.services, write)

    async def post_shutdown(app: TakasApplication) -> None:
        await site.stop()
        if stopped is not None:
            await stopped(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
