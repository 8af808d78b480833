"""The webhook transport: an aiohttp server that Telegram POSTs updates to.

`serve()` runs one `web.Application` in front of the bot's `telegram.ext.Application`
(built with `background=False`: the scheduled jobs and the outbox sender run in
`python -m bot worker`). Routes:

- `POST <path>` (`/telegram`, or the path of `WEBHOOK_URL`): Telegram's deliveries. The
  `X-Telegram-Bot-Api-Secret-Token` header must equal `WEBHOOK_SECRET` (403 otherwise), the
  body must be at most 1 MB (413) and a JSON object with an integer `update_id`, nested at
  most 64 deep, without NaN or Infinity (400). The update is stored in the inbox table
  and the transaction committed *before* the 200 goes out, so once Telegram is told
  "received" the update survives a crash of this process.
- `GET /healthz`: `{database, last_feed_sync_age_s, outbox_backlog, inbox_backlog,
  inbox_oldest_waiting_age_s, inbox_last_progress_age_s, inbox_processor}`; 200 when the
  database answers within a short timeout and this process's inbox processor moves; 503
  when the database does not answer, or when an update has waited longer than
  `Timings.stuck_after` while the processor settled nothing and was never idle for as long
  (`inbox_processor: "stuck"`). Nothing is cached: each call asks the database again, so
  the check turns healthy as soon as it is back.
- `GET /metrics`: Prometheus text format (see `bot.metrics`). Like `/healthz` it is served
  on the webhook's port; keep both off the public internet at the load balancer. With
  `METRICS_TOKEN` set it asks for `Authorization: Bearer <token>` (401 otherwise).
- `POST /badges/verify` and `GET /badges/status/<n>`: Open Badges (see bot/badge_check.py).
  Verification runs in a worker thread with a time budget; an upload refused by its size
  or shape is a 400 with the reason.

Slow clients: a connection must deliver a request's headers within `header_timeout`
(aiohttp's keep-alive timer, which also closes idle keep-alive connections) and its body
within `body_timeout` (408); a handler whose client went away is cancelled.

Delivery guarantees, honestly:

- An update is **stored once**: the inbox key is Telegram's `update_id`, so a redelivery
  (Telegram retries when it did not get our 200 in time) or the same update reaching two
  processes is answered 200 and stored only the first time.
- An update is **processed by one process**: the inbox processor of each process claims rows
  with one conditional UPDATE (`FOR UPDATE SKIP LOCKED` on PostgreSQL), like the outbox.
- **Replies exactly once.** While an update is processed, the Bot API calls its handlers
  make are captured, not sent (`bot.delivery.capture`), and written to the outbox in the
  same transaction that marks the update done; the worker's sender delivers them, paced
  with everything else (replies first). If a process dies mid-way, nothing of that update
  left it: after 60 s another process (or this one after a restart) takes the row for
  stale and processes it from scratch. Handlers' own writes survive that second run (hours,
  follows and broadcasts carry idempotency or dedupe keys with unique constraints). What
  remains at-least-once is the sender's one message in flight when the *worker* dies. A
  live process refreshes `claimed_at` of what it is still working on, so a slow handler is
  not taken for dead. An update whose processing raises is tried again and marked `failed`
  after three attempts; one that kills its process every time stops the same way. Each
  update's outcome is stored in a transaction of its own: one the database refuses (a chat
  id beyond 64 bits) is tried three times, then marked `failed` without its replies, and
  holds up no other update. Updates are stored without U+0000 (`inbox.store`).
  Consequences: a webhook deployment needs its worker to say anything at all, and an error
  Telegram gives a reply (say, "message is not modified") reaches the outbox row, not the
  handler.
- Updates of one chat are processed one after another in a process (in `update_id` order);
  different chats are processed concurrently. Across processes there is no ordering.

Other duties of a web process: `setWebhook` at start-up (a failure is logged, not fatal; at
stop the webhook is *not* deleted, other processes still serve it), and a check every 60 s
whether another process (the worker's feed sync) changed the catalog, which rebuilds this
process's search index.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import re
import signal
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from sqlalchemy import func, select
from telegram import Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import badge_check, metrics, verify_page
from bot.app import build_application, running
from bot.config import ConfigError, Settings
from bot.context import TakasApplication
from bot.delivery.capture import CapturedCall, CapturingRequest, capturing
from bot.i18n import I18n
from bot.logs import safe_error
from bot.services import badges as badge_rules
from bot.storage import inbox, outbox
from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database, unavailable
from bot.storage.models import OutboxMessage, OutboxStatus, utcnow
from bot.usecases import certificates as certificate_usecase
from catalog.search.service import SearchService

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name
DEFAULT_PATH = "/telegram"
MAX_BODY = 1024 * 1024  # bytes; Telegram's updates are far smaller
MAX_DEPTH = 64  # JSON nesting of an update; Telegram's go about 10 deep
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token


@dataclass(frozen=True)
class Timings:
    """Intervals of the background loops (seconds); tests shorten them."""

    poll: float = 1.0  # look for updates stored by other processes
    stale_after: float = 60.0  # a row `processing` this long belongs to a dead process
    requeue_every: float = 30.0
    heartbeat: float = 15.0  # refresh claimed_at of rows still being worked on
    prune_every: float = 3600.0
    prune_after: float = 3 * 24 * 3600.0  # keep done rows this long
    catalog_check: float = 60.0
    health_timeout: float = 2.0
    store_timeout: float = 10.0
    stop_grace: float = 10.0  # let updates in progress finish before cancelling them
    concurrency: int = 16  # updates processed at once by one process
    # /healthz says 503 when an update has waited this long and this process's inbox
    # processor has not moved for as long: it is stuck (or hopelessly behind).
    stuck_after: float = 120.0
    # Slow clients: the headers of a request must arrive within header_timeout (also how
    # long an idle keep-alive connection stays open), its body within body_timeout.
    header_timeout: float = 30.0
    body_timeout: float = 30.0
    verify_budget: float = badge_check.BUDGET  # one badge verification, in a thread


DEFAULT_TIMINGS = Timings()


# -- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram delivers (`url`), where this server listens (`path`), the secret."""

    url: str
    path: str
    secret: str


def webhook_config(settings: Settings, path: str | None = None) -> WebhookConfig:
    """Check the webhook settings; `ConfigError` (one line naming the variable) if unusable.

    The route is `path` when given (a proxy in front may rewrite paths), else the path of
    `WEBHOOK_URL`, else `/telegram`; a `WEBHOOK_URL` without a path gets `/telegram`
    appended, so Telegram posts where this server listens."""
    if not settings.webhook_url:
        raise ConfigError("Invalid WEBHOOK_URL: the webhook needs the public https:// URL "
                          "Telegram should post to")
    if settings.webhook_secret is None:
        raise ConfigError("Invalid WEBHOOK_SECRET: the webhook needs a secret "
                          "(1-256 characters A-Z, a-z, 0-9, _ and -)")
    secret = settings.webhook_secret.get_secret_value()
    if not _SECRET_RE.fullmatch(secret):
        raise ConfigError("Invalid WEBHOOK_SECRET: expected 1-256 characters "
                          "A-Z, a-z, 0-9, _ and -")
    url = settings.webhook_url
    url_path = urlsplit(url).path.rstrip("/")
    if not url_path:
        url, url_path = url + DEFAULT_PATH, DEFAULT_PATH
    route = path or url_path
    if not route.startswith("/"):
        route = "/" + route
    return WebhookConfig(url=url, path=route, secret=secret)


# -- health and metrics -----------------------------------------------------------------------


async def health_report(db: Database, timeout: float = DEFAULT_TIMINGS.health_timeout,  # noqa: ASYNC109
                        processor: InboxProcessor | None = None,
                        stuck_after: float = DEFAULT_TIMINGS.stuck_after,
                        ) -> tuple[bool, dict[str, Any]]:
    """(healthy, the `/healthz` JSON). Asks the database each time: no state is kept
    between calls, so the report turns healthy as soon as the database is back.

    Unhealthy when the database does not answer, or when `processor` (this process's) is
    stuck: an update has waited longer than `stuck_after` seconds and the processor has
    not settled one nor been idle for as long."""
    report: dict[str, Any] = {"database": "error", "last_feed_sync_age_s": None,
                              "outbox_backlog": None, "inbox_backlog": None,
                              "inbox_oldest_waiting_age_s": None,
                              "inbox_last_progress_age_s": None, "inbox_processor": None}
    try:
        async with asyncio.timeout(timeout), db.sessionmaker() as session:
            last_sync = await session.scalar(select(func.max(Feed.last_success_at)))
            outbox_backlog = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_([OutboxStatus.QUEUED.value,
                                              OutboxStatus.SENDING.value])))
            inbox_backlog = await inbox.backlog(session)
            oldest = await inbox.oldest_waiting(session)
    except Exception as exc:  # any failure, a timeout included, means "not healthy"
        log.warning("health check: database unavailable: %s", safe_error(exc))
        return False, report
    report["database"] = "ok"
    now = utcnow()
    if isinstance(last_sync, datetime):
        report["last_feed_sync_age_s"] = round((now - last_sync).total_seconds(), 1)
    report["outbox_backlog"] = int(outbox_backlog or 0)
    report["inbox_backlog"] = inbox_backlog
    waiting = None if oldest is None else max(0.0, (now - oldest).total_seconds())
    if waiting is not None:
        report["inbox_oldest_waiting_age_s"] = round(waiting, 1)
    if processor is None:
        return True, report
    since = processor.since_progress()
    report["inbox_last_progress_age_s"] = round(since, 1)
    stuck = waiting is not None and waiting > stuck_after and since > stuck_after
    report["inbox_processor"] = "stuck" if stuck else "ok"
    if stuck:
        log.warning("health check: the inbox processor is stuck: an update has waited "
                    "%.0f s, no progress for %.0f s", waiting, since)
    return not stuck, report


async def refresh_gauges(db: Database, timeout: float = DEFAULT_TIMINGS.health_timeout,  # noqa: ASYNC109
                         processor: InboxProcessor | None = None) -> bool:
    """Read the outbox and inbox counts into the metrics gauges; False if the database
    did not answer (the gauges keep their last values, `takas_database_up` goes to 0)."""
    try:
        async with asyncio.timeout(timeout), db.sessionmaker() as session:
            rows = (await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )).all()
            inbox_counts = await inbox.counts(session)
            oldest = await inbox.oldest_waiting(session)
    except Exception as exc:
        log.warning("metrics: database unavailable: %s", safe_error(exc))
        metrics.set_database_up(False)
        return False
    outbox_counts = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        outbox_counts[str(status)] = int(count)
    metrics.set_outbox(outbox_counts)
    metrics.set_inbox(inbox_counts)
    metrics.set_inbox_progress(
        waiting=None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()),
        since_progress=None if processor is None else processor.since_progress())
    metrics.set_database_up(True)
    return True


# -- the inbox processor ----------------------------------------------------------------------


def _chat_key(update: Update) -> int | None:
    """What orders updates: the chat, else the user (inline queries), else nothing."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


SETTLE_ATTEMPTS = 3  # tries to store an update's outcome before it is marked failed


@dataclass
class _Outcome:
    """How processing one update ended."""

    error: str | None
    replies: list[CapturedCall]
    chat: int | None
    settle_failures: int = 0  # times its outcome could not be stored


@dataclass
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class InboxProcessor:
    """Claims stored updates and runs them through the Application, in this process.

    `wake()` after storing an update makes it look at once; otherwise it polls every
    `timings.poll` seconds (for rows stored by other processes or given back to `new`)."""

    def __init__(self, application: TakasApplication, db: Database,
                 timings: Timings = DEFAULT_TIMINGS) -> None:
        self.application = application
        self.db = db
        self.timings = timings
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._tasks: dict[int, asyncio.Task[None]] = {}  # update_id -> its processing
        # Processed, not yet marked (or the database is in trouble): the error, or None and
        # the replies captured while processing it, with the chat they belong to.
        self._unsettled: dict[int, _Outcome] = {}
        self._chats: dict[int, _ChatLock] = {}
        self._settling = asyncio.Lock()  # one settle at a time: a row is marked once
        self._failures = 0
        self._warned_at = 0.0  # loop time of the last "database unavailable" warning
        # When this processor last moved: settled an update, or found nothing to do.
        self.progressed_at = time.monotonic()

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def since_progress(self) -> float:
        """Seconds since this processor last settled an update or was idle."""
        return time.monotonic() - self.progressed_at

    def _progressed(self) -> None:
        self.progressed_at = time.monotonic()

    async def run(self) -> None:
        """Process until `stop()`; then let updates in progress finish (up to
        `timings.stop_grace`), give back the rest and return."""
        loop = asyncio.get_running_loop()
        t = self.timings
        next_requeue = next_heartbeat = next_prune = loop.time()
        while not self._stopping:
            self._wakeup.clear()
            now = loop.time()
            try:
                await self._settle_unsettled()
                if now >= next_requeue:
                    await self._requeue_stale()
                    next_requeue = now + t.requeue_every
                if now >= next_heartbeat:
                    await self._heartbeat()
                    next_heartbeat = now + t.heartbeat
                if now >= next_prune:
                    await self._prune()
                    next_prune = now + t.prune_every
                claimed = await self._claim()
            except Exception as exc:
                # Only the database being away gets here (an update whose outcome cannot
                # be stored is settled on its own in _settle_unsettled). Logged at WARNING
                # the first time and then once a minute, at DEBUG in between.
                self._failures += 1
                warn = self._failures == 1 or now - self._warned_at >= 60
                if warn:
                    self._warned_at = now
                log.log(logging.WARNING if warn else logging.DEBUG,
                        "inbox: database unavailable (%s); retrying", safe_error(exc))
                claimed = 0
            else:
                if self._failures:
                    log.info("inbox: database available again")
                self._failures = 0
                if not claimed and not self._tasks and not self._unsettled:
                    self._progressed()  # idle: nothing is waiting for this process
            if claimed and self.in_flight < t.concurrency:
                continue  # there may be more waiting
            pause = min(t.poll * 2 ** min(self._failures, 4), 10 * t.poll)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), pause)
        await self._drain()

    async def _claim(self) -> int:
        free = self.timings.concurrency - self.in_flight
        if free <= 0:
            return 0
        async with self.db.transaction() as session:
            rows = await inbox.claim(session, free, utcnow())
            claimed = [(row.update_id, row.payload) for row in rows]
        for update_id, payload in claimed:
            task = asyncio.create_task(self._process(update_id, payload),
                                       name=f"update-{update_id}")
            self._tasks[update_id] = task
            task.add_done_callback(functools.partial(self._done, update_id))
        return len(claimed)

    def _done(self, update_id: int, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(update_id, None)
        self._wakeup.set()  # a slot is free

    async def _process(self, update_id: int, payload: dict[str, Any]) -> None:
        kind = metrics.update_type(payload)
        error: str | None = None
        chat: int | None = None
        replies: list[CapturedCall] = []
        try:
            update = Update.de_json(payload, self.application.bot)
            self.application.bot.insert_callback_data(update)
            chat = _chat_key(update)
            async with self._chat_lock(chat):
                started = time.perf_counter()
                try:
                    with capturing() as captured:
                        await self.application.process_update(update)
                    replies = captured.calls
                finally:
                    metrics.observe_handler(kind, time.perf_counter() - started)
            metrics.count_update(kind)
        except asyncio.CancelledError:
            raise  # stopping: the row is given back in _drain
        except Exception as exc:
            error = safe_error(exc)
            metrics.count_update_error(kind)
            log.error("update %s could not be processed", update_id, exc_info=exc)
        self._unsettled[update_id] = _Outcome(error, [] if error else replies, chat)
        try:
            await self._settle_unsettled()
        except Exception as exc:  # the database is away: kept, the loop tries again
            log.warning("update %s: could not mark it processed yet: %s", update_id,
                        safe_error(exc))

    @contextlib.asynccontextmanager
    async def _chat_lock(self, key: int | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        entry = self._chats.setdefault(key, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._chats.pop(key, None)

    async def _settle_unsettled(self) -> None:
        """Store the outcome of each processed update, each in a transaction of its own:
        one that cannot be written (a value the database refuses) holds up nobody else.
        After `SETTLE_ATTEMPTS` such failures it is marked failed without its replies.
        Raises only when the database is unavailable (the loop backs off and retries)."""
        async with self._settling:
            for update_id, outcome in list(self._unsettled.items()):
                try:
                    await self._settle(update_id, outcome)
                except Exception as exc:
                    if unavailable(exc):
                        raise  # nobody's fault: everything is kept and tried again
                    outcome.settle_failures += 1
                    if outcome.settle_failures < SETTLE_ATTEMPTS:
                        log.warning("update %s: its outcome could not be stored (%s); "
                                    "trying again", update_id, safe_error(exc))
                        continue
                    try:
                        await self._give_up(update_id, safe_error(exc))
                    except Exception as again:
                        if unavailable(again):
                            raise
                        # Left `processing`: taken for stale later, and failed once its
                        # attempts are used up.
                        log.error("update %s: could not be marked failed either (%s)",
                                  update_id, safe_error(again))
                self._unsettled.pop(update_id, None)
                self._progressed()

    async def _settle(self, update_id: int, outcome: _Outcome) -> None:
        async with self.db.transaction() as session:
            status = await inbox.finish(session, update_id, utcnow(), outcome.error)
            if status == inbox.InboxStatus.DONE:
                # The replies are queued in the transaction that marks the update done:
                # both happen, or neither does and it is processed again.
                await outbox.enqueue_calls(session, update_id, outcome.replies,
                                           outcome.chat)
        if status == inbox.InboxStatus.FAILED:
            log.error("update %s failed for good: %s", update_id, outcome.error)

    async def _give_up(self, update_id: int, reason: str) -> None:
        """Mark an update whose outcome cannot be stored failed (kept for inspection; its
        replies are dropped: they are what could not be stored)."""
        error = f"its outcome could not be stored: {reason}"
        async with self.db.transaction() as session:
            status = await inbox.finish(session, update_id, utcnow(), error, max_attempts=0)
        if status == inbox.InboxStatus.FAILED:
            log.error("update %s failed for good: %s", update_id, error)

    async def _requeue_stale(self) -> None:
        older_than = utcnow() - timedelta(seconds=self.timings.stale_after)
        async with self.db.transaction() as session:
            count = await inbox.requeue_stale(session, older_than)
        if count:
            log.warning("inbox: %d update(s) abandoned by a stopped process taken back", count)

    async def _heartbeat(self) -> None:
        held = [*self._tasks, *self._unsettled]
        if held:
            async with self.db.transaction() as session:
                await inbox.touch(session, held, utcnow())

    async def _prune(self) -> None:
        older_than = utcnow() - timedelta(seconds=self.timings.prune_after)
        async with self.db.transaction() as session:
            count = await inbox.prune(session, older_than)
        if count:
            log.info("inbox: %d processed update(s) pruned", count)

    async def _drain(self) -> None:
        tasks = dict(self._tasks)  # the done callbacks empty self._tasks
        given_back: list[int] = []
        if tasks:
            _done, pending = await asyncio.wait(tasks.values(),
                                                timeout=self.timings.stop_grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            given_back = [uid for uid, task in tasks.items()
                          if task in pending and uid not in self._unsettled]
        try:
            await self._settle_unsettled()
            if given_back:
                async with self.db.transaction() as session:
                    await inbox.release(session, given_back)
                log.info("inbox: %d update(s) in progress given back", len(given_back))
        except Exception as exc:  # they become stale and another process takes them
            log.warning("inbox: could not settle or give back updates at stop: %s", exc)


# -- the catalog watcher ----------------------------------------------------------------------


async def catalog_signature(db: Database) -> tuple[Any, ...]:
    """Changes whenever the searchable catalog does: rows added or updated (updated_at,
    count), withdrawn (count and latest withdrawn_at), feeds enabled or disabled."""
    async with db.sessionmaker() as session:
        opportunities = (await session.execute(select(
            func.max(Opportunity.updated_at), func.count(),
            func.count(Opportunity.withdrawn_at), func.max(Opportunity.withdrawn_at),
        ))).one()
        feeds = (await session.execute(
            select(func.count(), func.coalesce(func.sum(Feed.id), 0))
            .where(Feed.enabled.is_(True))
        )).one()
    return (*opportunities, *feeds)


async def watch_catalog(search: SearchService, db: Database, stop: asyncio.Event,
                        interval: float = DEFAULT_TIMINGS.catalog_check) -> None:
    """Rebuild this process's search index when another process changed the catalog."""
    try:
        last: tuple[Any, ...] | None = await catalog_signature(db)
    except Exception as exc:
        log.warning("catalog check failed: %s", exc)
        last = None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        try:
            current = await catalog_signature(db)
            if current != last:
                await search.refresh()
                last = current
        except Exception as exc:  # the next check tries again
            log.warning("catalog check failed: %s", exc)


# -- the HTTP server --------------------------------------------------------------------------


class WebhookServer:
    """The aiohttp application and the background tasks of one web process."""

    def __init__(self, application: TakasApplication, config: WebhookConfig,
                 timings: Timings = DEFAULT_TIMINGS) -> None:
        self.application = application
        self.config = config
        self.timings = timings
        self.db: Database = application.bot_data.db
        self.processor = InboxProcessor(application, self.db, timings)
        self._secret = config.secret.encode()
        token = application.bot_data.settings.metrics_token
        self._metrics_token = token.get_secret_value().encode() if token else None
        # Badge verification is CPU work: two threads of its own, so a flood of uploads
        # queues here instead of taking the event loop or the default executor.
        self._verifier = ThreadPoolExecutor(max_workers=2, thread_name_prefix="badge-verify")
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.config.path, self.receive)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_post("/badges/verify", self.verify_badge)
        app.router.add_get(r"/badges/status/{number:\d{1,6}}", self.badge_status)
        app.router.add_get(r"/verify/{code:[A-Za-z0-9-]{1,24}}", self.certificate_page)
        return app

    async def start(self, host: str, port: int) -> None:
        """Listen, and start the inbox processor and the catalog watcher."""
        self._tasks = [
            asyncio.create_task(self.processor.run(), name="inbox-processor"),
            asyncio.create_task(
                watch_catalog(self.application.bot_data.search, self.db, self._stop,
                              self.timings.catalog_check), name="catalog-watch"),
        ]
        self._runner = web.AppRunner(
            self.web_app(), access_log=None, shutdown_timeout=5.0,
            keepalive_timeout=self.timings.header_timeout, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("webhook listening on %s:%d%s", host, port, self.config.path)

    async def stop(self) -> None:
        """Stop listening (requests in progress finish), then the background tasks."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._stop.set()
        self.processor.stop()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("webhook task ended with an error", exc_info=result)
        self._tasks = []
        self._verifier.shutdown(wait=False, cancel_futures=True)

    async def set_webhook(self) -> bool:
        """Tell Telegram where to post; a failure is logged, not fatal (another process
        may have set it, and Telegram keeps the last one)."""
        try:
            await self.application.bot.set_webhook(
                url=self.config.url, secret_token=self.config.secret,
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
            )
        except TelegramError as exc:
            log.warning("setWebhook failed: %s", exc)
            return False
        log.info("webhook set")
        return True

    # -- routes ----------------------------------------------------------------------------

    async def receive(self, request: web.Request) -> web.Response:
        status = await self._receive(request)
        metrics.count_webhook_request(status)
        return web.Response(status=status)

    async def _receive(self, request: web.Request) -> int:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            return 403
        if request.content_length is not None and request.content_length > MAX_BODY:
            return 413
        body = bytearray()
        try:
            async with asyncio.timeout(self.timings.body_timeout):
                async for chunk in request.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_BODY:
                        return 413
        except TimeoutError:
            return 408
        payload = parse_update(bytes(body))
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if (not isinstance(update_id, int) or isinstance(update_id, bool)
                or not 0 <= update_id < 2**63):
            return 400
        try:
            async with asyncio.timeout(self.timings.store_timeout), \
                    self.db.transaction() as session:
                added = await inbox.store(session, payload)
        except Exception as exc:  # Telegram retries a non-2xx answer later
            log.error("update %s could not be stored: %s", update_id, safe_error(exc))
            return 503
        # Committed: from here on the update survives this process.
        if added:
            self.processor.wake()
        else:
            log.debug("update %s was already stored", update_id)
        return 200

    async def healthz(self, request: web.Request) -> web.Response:
        healthy, report = await health_report(self.db, self.timings.health_timeout,
                                               self.processor, self.timings.stuck_after)
        return web.json_response(report, status=200 if healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        if self._metrics_token is not None:
            scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                    given.strip().encode("utf-8", "surrogateescape"), self._metrics_token):
                return web.Response(status=401, text="401: a bearer token is required\n",
                                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        await refresh_gauges(self.db, self.timings.health_timeout, self.processor)
        body, content_type = metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})


    async def verify_badge(self, request: web.Request) -> web.Response:
        """POST a badge PNG (raw body, or multipart with one file): the verdict as JSON,
        its message in `?lang=` or the Accept-Language language. Valid when the issuer is
        this deployment, or the one `?issuer=` names; another is `issuer_unknown`. This
        deployment's database says whether one of its badges was revoked; other issuers'
        status lists are not fetched from here (the CLI does that)."""
        try:
            async with asyncio.timeout(self.timings.body_timeout):
                png = await uploaded_file(request)
        except TimeoutError:
            return web.json_response({"error": "the upload was too slow"}, status=408)
        except UploadError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        if png is None:
            return web.json_response({"error": "send a PNG image as the body or as a "
                                      "multipart file"}, status=400)
        data = self.application.bot_data
        trust = badge_check.Trust(
            deployment=data.badges.issuer.key.did,
            named=badge_check.issuer_argument(request.query.get("issuer")))

        async def revoked_here(token: str) -> bool | None:
            async with self.db.transaction() as session:
                return await badge_rules.is_revoked(session, token)

        try:
            verdict = await badge_check.check(png, now=utcnow(), trust=trust,
                                              database=revoked_here, executor=self._verifier,
                                              budget=self.timings.verify_budget)
        except badge_check.TooSlowError as exc:
            return web.json_response({"error": str(exc)}, status=503)
        language = data.i18n.resolve(request.query.get("lang"),
                                     request.headers.get("Accept-Language", "")[:35] or None)
        with data.i18n.use(language):
            body = verdict.as_json()
        if verdict.refused:  # turned away by size or shape: nothing in it was read
            body["error"] = verdict.detail
            return web.json_response(body, status=400)
        return web.json_response(body)

    async def badge_status(self, request: web.Request) -> web.Response:
        """The signed Bitstring Status List credential that lists revoked badges."""
        issuer = self.application.bot_data.badges.issuer
        async with self.db.transaction() as session:
            token = await badge_rules.status_list_token(
                session, int(request.match_info["number"]), issuer)
        if token is None:
            raise web.HTTPNotFound()
        return web.Response(text=token, content_type="application/vc+jwt",
                            headers={"Cache-Control": "max-age=300"})


    async def certificate_page(self, request: web.Request) -> web.Response:
        """The public page of a certificate (its QR code opens it): valid or revoked, in
        the reader's language; 404 with the same kind of page for an unknown code."""
        data = self.application.bot_data
        status = await certificate_usecase.certificate_status(self.db,
                                                              request.match_info["code"])
        language = data.i18n.resolve(request.query.get("lang"),
                                     request.headers.get("Accept-Language", "")[:35] or None)
        base = data.settings.public_base_url or self.config.url
        with data.i18n.use(language):
            body = verify_page.render(status, deployment=urlsplit(base).netloc)
        return web.Response(text=body, content_type="text/html", charset="utf-8",
                            status=200 if status is not None else 404,
                            headers=verify_page.HEADERS)


class UploadError(ValueError):
    """A body that is not the upload it claims to be (say, multipart without a boundary)."""


async def uploaded_file(request: web.Request) -> bytes | None:
    """The uploaded bytes (at most MAX_BODY): the raw body, or the first multipart file.
    `UploadError` when the multipart body cannot be read."""
    if not request.content_type.startswith("multipart/"):
        body = await request.read()
        return body or None
    try:
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.filename is not None:
                data = bytearray()
                while chunk := await part.read_chunk():
                    data += chunk
                    if len(data) > MAX_BODY:
                        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY,
                                                            actual_size=len(data))
                return bytes(data) or None
    except (ValueError, AssertionError, HttpProcessingError) as exc:  # a broken multipart
        raise UploadError(f"the multipart body cannot be read: {exc}"[:200]) from None
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: no database stores them


def _depth(value: Any) -> int:
    """How deep containers nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item
                         if isinstance(child, dict | list))
    return deepest


def parse_update(body: bytes) -> Any:
    """The JSON body of a delivery, or None when it is not JSON we can store: malformed,
    nested deeper than MAX_DEPTH (thousands deep is a RecursionError), NaN or Infinity."""
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return payload if _depth(payload) <= MAX_DEPTH else None


# -- entry point ------------------------------------------------------------------------------


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


__all__ = [
    "DEFAULT_PATH",
    "MAX_BODY",
    "SECRET_HEADER",
    "InboxProcessor",
    "Timings",
    "WebhookConfig",
    "WebhookServer",
    "catalog_signature",
    "health_report",
    "refresh_gauges",
    "serve",
    "watch_catalog",
    "webhook_config",
]
