"""`serve()`: the webhook process from start to stop (`python -m bot webhook`): builds the
Application without background work, starts the server, waits for SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from telegram.request import HTTPXRequest

from bot.app import build_application, running
from bot.config import Settings
from bot.context import TakasApplication
from bot.delivery.capture import CapturingRequest
from bot.i18n import I18n
from bot.transports.webhook.config import DEFAULT_TIMINGS, Timings, webhook_config
from bot.transports.webhook.server import WebhookServer

log = logging.getLogger(__name__)


def _install_signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop`; returns the function that removes the handlers."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass

    def remove() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return remove


async def serve(
    settings: Settings,
    i18n: I18n,
    *,
    host: str | None = None,
    port: int | None = None,
    path: str | None = None,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    timings: Timings = DEFAULT_TIMINGS,
    build: Callable[..., TakasApplication] | None = None,
) -> None:
    """Run the webhook server until `stop` is set (SIGTERM/SIGINT when `stop` is None).

    `build` makes the Application (`build_application`'s arguments); the webhook
    benchmark passes an echo bot built on the same stack.

    `ready` is set once the server listens and `setWebhook` was tried. Raises
    `ConfigError` when WEBHOOK_URL or WEBHOOK_SECRET is missing or unusable."""
    config = webhook_config(settings, path)
    # Replies are captured and queued with their update (bot/delivery/capture.py), so this
    # process sends nothing itself but start-up calls: no rate limiter here, the worker's
    # sender paces everything the bot sends.
    request = CapturingRequest(HTTPXRequest(connection_pool_size=16))
    application = (build or build_application)(settings, i18n, background=False,
                                               request=request, rate_limit=False)
    # Every transaction here is short (no sync, no jobs: the worker's): on SQLite they take
    # turns instead of sleeping in its busy handler (bot/storage/db.py).
    application.bot_data.db.take_turns()
    application.bot_data.search.freeze_snapshots()  # a long-running process
    remove_signals: Callable[[], None] | None = None
    if stop is None:
        stop = asyncio.Event()
        remove_signals = _install_signals(stop)
    try:
        async with running(application):
            server = WebhookServer(application, config, timings)
            await server.start(host or settings.host, port or settings.port)
            try:
                await server.set_webhook()
                if ready is not None:
                    ready.set()
                await stop.wait()
                log.info("webhook stopping")
            finally:
                # The webhook stays registered: other processes still serve it.
                await server.stop()
    finally:
        if remove_signals is not None:
            remove_signals()
