"""Builds the one `telegram.ext.Application` that every transport runs.

Polling, webhook and the console differ only in how updates arrive and where requests go
(`request=`); handlers, services and start-up are the same for all of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Protocol, cast, runtime_checkable

from telegram import (
    Bot,
    BotCommand,
    LinkPreviewOptions,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
from bot import metrics, retention
from bot.config import Settings
from bot.context import BotData, TakasApplication, TakasContext
from bot.delivery import kinds
from bot.delivery.badges import BadgeDocuments
from bot.delivery.sender import Sender, build_bot, default_concurrency
from bot.flood import FloodGuard
from bot.i18n import I18n, _
from bot.services.badges import Issuer
from bot.storage.db import Database
from bot.storage.models import utcnow
from catalog.search.service import SearchService
from catalog.service import Catalog

log = logging.getLogger(__name__)

# What handlers send to one group: Telegram allows 20 messages a minute. PTB's limiter is a
# leaky bucket; its default (a burst of 20, then one every 3 s) sends up to 40 in the first
# minute. A burst of 5 draining at one per 4 s never sends more than 5 + 15 = 20 in any minute.
GROUP_RATE = (5, 20.0)
# Every text the handlers send is HTML (each interpolated value escaped, bot.text.esc), and
# no message unfolds a preview of the links it carries (an opportunity's page, our own
# t.me links). The outbox's sender has a bot of its own and says so per message.
DEFAULTS = Defaults(parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True))


@runtime_checkable
class Replaying(Protocol):
    """An Application that stored updates it has not handled yet (long polling through the
    inbox), handled at start-up before anything else."""

    async def replay(self) -> int: ...


def rate_limiter() -> AIORateLimiter:
    """Telegram's limits for replies: 30 messages a second overall and `GROUP_RATE` per group;
    a 429 is waited out and the request retried (twice)."""
    return AIORateLimiter(overall_max_rate=30, overall_time_period=1,
                          group_max_rate=GROUP_RATE[0], group_time_period=GROUP_RATE[1],
                          max_retries=2)


def build_application(
    settings: Settings,
    i18n: I18n,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    background: bool = True,
    db: Database | None = None,
    updates_request: BaseRequest | None = None,
    application_class: type[Application[Any, Any, Any, Any, Any, Any]] | None = None,
) -> TakasApplication:
    """The Application with every handler registered; nothing is opened yet.

    `background`: whether this process also runs the scheduled jobs (feed sync, digests,
    broadcast progress) and the outbox sender. Polling and the console do; in a deployment
    with webhook processes only the worker does (`python -m bot worker`).

    `db`, `updates_request`, `application_class`: what a transport brings of its own (long
    polling through the durable inbox: `bot.transports.polling.build_polling_application`).
    Handlers are known only through `handlers.register`."""
    token = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not token:
        raise ValueError("a bot token is needed to build the application")
    builder: Any = (
        Application.builder()
        .token(token)
        .context_types(ContextTypes(context=TakasContext, bot_data=BotData))
        .defaults(DEFAULTS)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.bot_api_url:
        builder = builder.base_url(f"{settings.bot_api_url}/bot").base_file_url(
            f"{settings.bot_api_url}/file/bot"
        )
    db = db or Database(settings.database_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    if application_class is not None:
        builder = builder.application_class(application_class)
    if rate_limit:
        builder = builder.rate_limiter(rate_limiter())
    application = cast(TakasApplication, builder.build())
    data = application.bot_data
    data.settings, data.i18n, data.db = settings, i18n, db
    # The delivery engine's own bot: without the rate limiter (the sender paces and handles
    # 429s itself), over the same transport as the application's bot.
    sender_bot = (Bot(token, request=request) if request is not None
                  else build_bot(token, settings.bot_api_url,
                                 pool_size=default_concurrency(settings.paid_broadcast) + 4))
    data.badges = BadgeDocuments(data.db, i18n, Issuer(settings.badge_key(),
                                                       settings.badge_base_url))
    # Renderers of what goes to other people, by kind; the handler modules add theirs.
    data.kinds = kinds.Kinds(data.db, i18n)
    data.kinds.register(kinds.BADGE, data.badges.notice)
    data.sender = Sender(data.db, sender_bot, paid=settings.paid_broadcast,
                         rate=settings.paid_send_rate if settings.paid_broadcast
                         else settings.send_rate,
                         concurrency=default_concurrency(settings.paid_broadcast),
                         kinds=data.kinds)
    data.flood = FloodGuard(settings.user_flood_burst, settings.user_flood_rate)
    data.extras["background"] = background
    data.catalog = Catalog(data.db, settings.feeds_file)
    data.search = SearchService(data.db)
    data.catalog.listeners.append(data.search.on_synced)  # every sync refreshes the index
    handlers.register(application)  # its catalog listeners come after the index's
    return application


async def on_startup(application: TakasApplication) -> None:
    """Open what the handlers need; runs once, before the first update."""
    data = application.bot_data
    if data.settings.is_sqlite:
        await data.db.migrate()  # the embedded default keeps itself up to date
    await data.catalog.open()
    await data.catalog.register_file_feeds()
    await data.search.refresh()
    if isinstance(application, Replaying):
        await application.replay()  # what a previous run acknowledged and did not handle
    await publish_commands(application)
    if data.extras.get("background", True):
        start_background_work(application)


def start_background_work(application: TakasApplication) -> None:
    """The scheduled jobs and the outbox sender of the one process that runs them."""
    data = application.bot_data
    handlers.schedule(application)
    if application.job_queue is not None:
        # Settled inbox and outbox rows hold what people wrote: kept RETENTION_DAYS only.
        application.job_queue.run_repeating(
            retention_job, interval=RETENTION_EVERY, first=120, name="retention",
            job_kwargs={"max_instances": 1, "coalesce": True})
    # In this single process the outbox is sent from here; `python -m bot worker` does it
    # for a deployment with separate web processes.
    stop = asyncio.Event()
    data.extras["sender_stop"] = stop
    data.extras["sender_task"] = asyncio.create_task(data.sender.run(stop), name="sender")
    interval = data.settings.feed_sync_interval
    if interval > 0 and application.job_queue is not None:
        # Once soon after start-up, then every interval; never two at once.
        application.job_queue.run_repeating(
            sync_feeds_job, interval=interval, first=1, name="feed-sync",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )


async def on_shutdown(application: TakasApplication) -> None:
    data = application.bot_data
    stop, task = data.extras.pop("sender_stop", None), data.extras.pop("sender_task", None)
    if stop is not None and task is not None:
        stop.set()
        await task
    await data.sender.close()
    await data.catalog.close()
    await data.db.close()


RETENTION_EVERY = 3600.0  # s between two prunes of settled inbox and outbox rows


async def retention_job(context: TakasContext) -> None:
    """Delete settled inbox and outbox rows older than RETENTION_DAYS (bot/retention.py);
    then empty SQLite's write-ahead log, which would keep their bytes."""
    data = context.bot_data
    older_than = utcnow() - timedelta(days=data.settings.retention_days)
    async with data.db.transaction() as session:
        inbox_rows, outbox_rows = await retention.prune(session, older_than)
    if inbox_rows or outbox_rows:
        await data.db.checkpoint()
        log.info("retention: %d update(s) and %d message(s) older than %d days deleted",
                 inbox_rows, outbox_rows, data.settings.retention_days)


async def sync_feeds_job(context: TakasContext) -> None:
    reports = await context.catalog.sync()
    for report in reports:
        metrics.count_sync(report.status)
        log.info("sync %s", report.line())


def bot_description() -> str:
    """The bot's profile text (what people see before they press Start), <= 512 chars."""
    return _("Takas finds courses, workshops, lectures and volunteering in Lithuania, Latvia "
             "and Estonia, from libraries, schools, municipalities and NGOs. Write what you "
             "would like to learn or do, in your own words and language; typos are fine.")


def bot_short_description() -> str:
    """The short profile text (shared links, the bot's page), <= 120 chars."""
    return _("Courses, workshops and volunteering in the Baltics: just write what you are "
             "looking for.")


async def publish_commands(application: TakasApplication) -> None:
    """The command menu and the bot's descriptions in every language; a failure here is
    logged, never fatal (the bot works without them)."""
    i18n = application.bot_data.i18n
    bot = application.bot
    for language in (None, *i18n.languages):
        with i18n.use(language or i18n.default_language):
            commands = [BotCommand(name, text) for name, text in handlers.described()]
            description, short = bot_description(), bot_short_description()
        calls: list[tuple[str, Awaitable[bool]]] = [
            ("setMyCommands", bot.set_my_commands(commands, language_code=language)),
            ("setMyDescription", bot.set_my_description(description, language_code=language)),
            ("setMyShortDescription",
             bot.set_my_short_description(short, language_code=language)),
        ]
        for name, call in calls:
            try:
                await call
            except TelegramError as exc:
                log.warning("%s(%s) failed: %s", name, language or "default", exc)
    await publish_menu_button(application)


async def publish_menu_button(application: TakasApplication) -> None:
    """The menu button beside the message field opens the Mini App's map when WEBAPP_URL
    is set (one text for everyone: Telegram has no per-language menu button), else it is
    Telegram's default again (a deployment that drops the Mini App leaves no dead door)."""
    data = application.bot_data
    url = data.settings.webapp_url
    with data.i18n.use(data.i18n.default_language):
        button = (MenuButtonWebApp(_("Map"), WebAppInfo(url + "/")) if url
                  else MenuButtonDefault())
    try:
        await application.bot.set_chat_menu_button(menu_button=button)
    except TelegramError as exc:
        log.warning("setChatMenuButton failed: %s", exc)


@asynccontextmanager
async def running(application: TakasApplication, *, polling: bool = False) -> AsyncIterator[None]:
    """Run the application (and, if asked, polling) for the duration of the block.

    `run_polling()` does the same for the CLI; tests and the console use this form because
    they own the event loop.
    """
    async with application:
        await on_startup(application)
        try:  # whatever fails after start-up, what it started (the sender) is stopped
            await application.start()
            if polling and application.updater is not None:
                await application.updater.start_polling(poll_interval=0.0, timeout=1)
            yield
        finally:
            if polling and application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await on_shutdown(application)
