"""The sender: takes rows from the outbox and delivers them to Telegram, paced.

Usage:

    async with Sender.from_settings(db, settings, exclusive=True) as sender:
        await sender.run(stop)          # until `stop` is set (the worker process)
        await sender.drain(timeout=60)  # or: until the outbox is empty (tests, benchmarks)

Rows are claimed in batches (about one second of sending; the next batch as soon as the
claimed rows are all taken) and delivered through the `Pacer`, which keeps Telegram's
limits however many sends are in flight. A notice queued as a kind and a reference is
rendered ahead, in its recipient's language read with the claim. A row takes one of
`concurrency` permits at its first send and gives it back once its outcome is committed;
outcomes that come together share one transaction (`settling.Settler`), and twice as
many workers as permits wait at the next slots meanwhile. No transaction is ever open
during a network call. A crash therefore loses nothing and repeats at most the messages
sent and not yet marked: at most `concurrency` (4 at Telegram's free rate, 16 for paid
broadcasts), once their claims go stale and `requeue_stale` puts them back. (The same
holds when the database fails between a send and its mark.) Two messages to one chat
are never in flight at once.

How Telegram's answers are settled:

- success: `sent`;
- 429 `RetryAfter`: every send waits out retry_after, then the same row is tried again
  (flood waits are not attempts);
- 403 `Forbidden` (blocked, deactivated, kicked): `blocked`, the user is marked unreachable
  and the chat's other queued rows are settled `blocked` too;
- 400 `BadRequest` ("chat not found", bad HTML, ...): `failed` with Telegram's reason;
- `ChatMigrated`: the chat's rows follow it to the supergroup, and the row is retried;
- `TimedOut`: tried once more at once; if that times out too, it is treated as below (so
  a message Telegram did get before the timeout may arrive twice: better than never);
- other `NetworkError` (5xx, connection refused): queued again later with a growing delay
  (`retry_delay`, doubled per attempt, at most `MAX_RETRY_DELAY`), and sending pauses
  meanwhile. An API that is down or slow for a long time loses nothing: the row is given
  up (`failed`) only after `give_up_after` (a day) or `max_attempts` if one is set.

The sender owns its `telegram.Bot`, built WITHOUT PTB's `AIORateLimiter`: that limiter
retries 429s on its own, out of sight of the pacer and the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot import retention
from bot.config import Settings
from bot.delivery.capture import stored_request
from bot.delivery.http import AiohttpRequest
from bot.delivery.kinds import Kinds, Part
from bot.delivery.pacing import Pacer
from bot.delivery.settling import Settler
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

FREE_RATE_LIMIT = 30.0  # messages per second Telegram allows without paid broadcasts
MAX_MIGRATIONS = 2  # ChatMigrated answers followed for one row
MAX_TIMEOUTS = 2  # a TimedOut row is tried this many times in all
DEFER_AFTER = 2.0  # s; a row whose chat is busy for longer goes back to the queue
ERROR_PAUSE = 5.0  # s; run() waits this long after an unexpected error (database down)
MAX_RETRY_DELAY = 300.0  # s; the longest wait between tries while the Bot API is unwell
GIVE_UP_AFTER = timedelta(days=1)  # a row the API kept refusing this long is `failed`


WORKERS_PER_SEND = 2  # workers per send in flight (see _round)


class _Permit:
    """One of the sender's `concurrency` permits to have a message sent and not stored,
    taken at a row's first send and given back once its outcome is stored."""

    def __init__(self, permits: asyncio.Semaphore) -> None:
        self.permits = permits
        self.held = False

    async def take(self) -> None:
        if not self.held:
            await self.permits.acquire()
            self.held = True

    def release(self) -> None:
        if self.held:
            self.permits.release()
            self.held = False


class Skipped(Exception):  # noqa: N818 - an outcome, not a programming error
    """The row has nothing to send any more (e.g. its badge was revoked meanwhile)."""


@dataclass
class DeliveryStats:
    """What this sender did since it was created."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0  # transient errors that queued a row again
    flood_waits: int = 0  # 429s waited out
    timeouts: int = 0
    migrated: int = 0
    deferred: int = 0  # rows put back because their chat was busy
    requeued_stale: int = 0  # rows taken back from dead senders


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's retry_after in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        # PTB 22 warns that the attribute will become a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    if isinstance(value, timedelta):
        return max(0.0, value.total_seconds())
    return max(0.0, float(value))


def build_bot(
    token: str, api_url: str | None = None, *, pool_size: int = 8, timeout: float = 10.0
) -> Bot:
    """A `telegram.Bot` for sending: same token and Bot API URL as the application, no
    rate limiter (the sender paces and handles 429s itself), over aiohttp (bot/delivery/
    http.py: a send's CPU time is part of how fast a broadcast can go)."""
    request = AiohttpRequest(pool_size=pool_size, timeout=timeout)
    if api_url:
        return Bot(token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot",
                   request=request)
    return Bot(token, request=request)


def default_concurrency(paid: bool) -> int:
    """Sends in flight at once (what a crash can repeat): four at Telegram's free rate, so a
    slow answer or a slow database write does not hold the rate below 30/s; sixteen for
    paid broadcasts, whose rate one connection cannot reach."""
    return 16 if paid else 4


class Sender:
    """Delivers the outbox through one `telegram.Bot`, at most `rate` messages per second."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        rate: float,
        paid: bool = False,
        concurrency: int = 1,
        batch_size: int | None = None,
        stale_after: timedelta = timedelta(minutes=2),
        exclusive: bool = False,
        retry_delay: float = 5.0,
        max_attempts: int | None = None,
        give_up_after: timedelta = GIVE_UP_AFTER,
        idle_interval: float = 0.5,
        pacer: Pacer | None = None,
        kinds: Kinds | None = None,
    ) -> None:
        """`exclusive`: this is the only sender, so at start every `sending` row belongs
        to a dead one (otherwise only claims older than `stale_after` are taken back).
        `concurrency`: sends in flight at once; a crash can repeat that many (and no
        more: a send's outcome is committed before its worker takes another row).
        `max_attempts`, `give_up_after`: when a row the Bot API keeps failing (5xx,
        timeouts, no connection) is given up: after that many attempts (default: no
        limit) or once it is that old. `kinds`: the renderers of rows queued as a kind
        and a reference (bot/delivery/kinds.py), rendered when sent."""
        if not paid and rate > FREE_RATE_LIMIT:
            raise ValueError(f"rate {rate}/s is above Telegram's {FREE_RATE_LIMIT:g}/s; "
                             "only paid broadcasts may go faster")
        if concurrency < 1 or (max_attempts is not None and max_attempts < 1):
            raise ValueError("concurrency and max_attempts must be at least 1")
        self.db = db
        self.bot = bot
        self.paid = paid
        # Telegram's 30 per second is kept for sure, whatever the network does (pacing.py).
        self.pacer = pacer or Pacer(rate, limit=None if paid else int(FREE_RATE_LIMIT))
        self.concurrency = concurrency
        self.batch_size = batch_size or max(concurrency, min(100, math.ceil(rate)))
        self.stale_after = stale_after
        self.exclusive = exclusive
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self.give_up_after = give_up_after
        self.idle_interval = idle_interval
        self.stats = DeliveryStats()
        self.kinds = kinds
        # Set by `wake` when this process queued something: the idle pause ends at once.
        self._wake = asyncio.Event()
        self._woken = self._running = False
        self._held: dict[int, OutboxMessage] = {}  # claimed by us and not settled yet
        self._pending: list[OutboxMessage] = []  # claimed and not tried yet
        self._deferred: list[tuple[int, float]] = []  # (row, seconds): its chat is busy
        self._busy: set[int] = set()  # chats with a send in flight
        self._freed = asyncio.Event()  # a send ended: its chat may take the next
        self._refilling = asyncio.Lock()  # one claim at a time
        self._claimed = 0  # rows claimed in this round
        self._exhausted = False  # a claim of this round found nothing due
        self._rendering: dict[int, asyncio.Task[list[Part]]] = {}  # claimed rows' notices
        self._render_slots = asyncio.Semaphore(concurrency)
        self._sending = asyncio.Semaphore(concurrency)  # sent or sending, not yet stored
        self._last_requeue = -math.inf
        self.settler = Settler(db)

    @classmethod
    def from_settings(cls, db: Database, settings: Settings, **options: Any) -> Sender:
        """A sender with its own bot: `SEND_RATE`, or with `PAID_BROADCAST` the paid rate."""
        if settings.bot_token is None:
            raise ValueError("BOT_TOKEN is needed to send messages")
        paid = settings.paid_broadcast
        rate = settings.paid_send_rate if paid else settings.send_rate
        concurrency = int(options.pop("concurrency", default_concurrency(paid)))
        bot = build_bot(settings.bot_token.get_secret_value(), settings.bot_api_url,
                        pool_size=concurrency + 4)
        return cls(db, bot, rate=rate, paid=paid, concurrency=concurrency, **options)

    async def __aenter__(self) -> Sender:
        await self.bot.initialize()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.bot.shutdown()

    # -- loops ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; rows claimed but not tried then go back to the queue."""
        await self.bot.initialize()
        started = False
        self._running = True
        try:
            while not stop.is_set():
                self._wake.clear()  # a wake during this round ends the next pause at once
                try:
                    if not started:  # also when the database is away at start-up: retried
                        await self._requeue_stale(at_start=True)
                        started = True
                    handled = await self._round(stop)
                    await self._requeue_stale()
                    if not handled and not self._wake.is_set():
                        self._woken = False
                    pause = 0.0 if handled else await self._idle_pause()
                except Exception:
                    # The database may be restarting: what was claimed is taken back once stale.
                    log.exception("the sender failed; trying again in %.0f s", ERROR_PAUSE)
                    pause = ERROR_PAUSE
                if pause:
                    await self._pause(stop, pause)
        finally:
            self._running = self._woken = False

    def wake(self) -> None:
        """This process just queued something: a running sender looks at the outbox now
        instead of after its idle pause (a web process's sender is not running: no-op)."""
        if self._running:
            self._woken = True
            self._wake.set()

    @property
    def active(self) -> bool:
        """Woken by `wake` and not yet back to an empty outbox (tests wait for this)."""
        return self._woken

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep `seconds`, or less if stopped or woken."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109 -- a deadline, not a cancel scope
        """Send until nothing is queued or sending; `TimeoutError` if that takes longer than
        `timeout` seconds (rows not tried by then stay queued)."""
        await self.bot.initialize()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        timer = loop.call_later(timeout, stop.set)
        try:
            await self._requeue_stale(at_start=True)
            while True:
                if stop.is_set():
                    if await self.backlog() == 0:
                        return
                    raise TimeoutError(f"the outbox was not empty after {timeout} s")
                handled = await self._round(stop)
                await self._requeue_stale()
                if handled:
                    continue
                if await self.backlog() == 0:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), await self._idle_pause())
        finally:
            timer.cancel()

    async def backlog(self) -> int:
        async with self.db.transaction() as session:
            return await outbox.backlog(session)

    async def _idle_pause(self) -> float:
        """How long to sleep when nothing is due: until the next row is, at most a while."""
        async with self.db.transaction() as session:
            due = await outbox.next_due(session)
        if due is None:
            return self.idle_interval
        return min(self.idle_interval, max(0.01, (due - utcnow()).total_seconds()))

    async def _requeue_stale(self, *, at_start: bool = False) -> None:
        interval = self.stale_after.total_seconds() / 2
        if not at_start and time.monotonic() - self._last_requeue < interval:
            return
        self._last_requeue = time.monotonic()
        older_than = utcnow() if at_start and self.exclusive else utcnow() - self.stale_after
        async with self.db.transaction() as session:
            count = await outbox.requeue_stale(session, older_than)
        if count:
            self.stats.requeued_stale += count
            log.warning("took back %d message(s) claimed by a sender that stopped", count)

    # -- rounds of batches ----------------------------------------------------------------

    async def _round(self, stop: asyncio.Event) -> int:
        """Deliver what is due, claiming the next batch as soon as the claimed ones are
        taken (no pause between batches), until nothing is due or `stop`; the number of
        rows claimed."""
        self._claimed, self._exhausted = 0, False
        if not await self._refill(stop):
            return 0
        keeper = asyncio.create_task(self._keep_claims())
        # Twice as many workers as sends in flight: while some wait for their outcome to be
        # stored, others are at the next slots, so a slow commit does not delay the pace.
        workers = [asyncio.create_task(self._work(stop))
                   for _ in range(WORKERS_PER_SEND * self.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:  # one failed: stop the others (their rows go stale)
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            rendering, self._rendering = list(self._rendering.values()), {}
            for task in rendering:  # rows not tried: rendered again when claimed again
                task.cancel()
            await asyncio.gather(*rendering, return_exceptions=True)
            await self.settler.idle()  # what was sent is stored before anything is given back
            untried = [row.id for row in self._pending]
            deferred, self._deferred = self._deferred, []
            self._pending, self._held, self._busy = [], {}, set()
            if untried or deferred:
                async with self.db.transaction() as session:
                    await self._give_back(session, untried, deferred)
        return self._claimed

    async def _refill(self, stop: asyncio.Event) -> bool:
        """Claim the next batch when the claimed rows are all taken (rows deferred because
        their chat is busy go back to the queue in the same transaction); whether rows
        wait to be taken."""
        async with self._refilling:
            if self._pending or self._exhausted or stop.is_set():
                return bool(self._pending)
            await self._requeue_stale()  # a long round still takes back dead senders' rows
            deferred, self._deferred = self._deferred, []
            async with self.db.transaction() as session:
                await self._give_back(session, [], deferred)
                rows = await outbox.claim(session, self.batch_size, utcnow())
                noticed = [row for row in rows if self.kinds is not None and row.kind in self.kinds]
                languages = (await self.kinds.languages(session, [r.chat_id for r in noticed])
                             if self.kinds is not None and noticed else {})
            for row in noticed:  # rendered ahead, while earlier rows are being sent
                self._rendering[row.id] = asyncio.create_task(
                    self._render(row, languages[row.chat_id]), name=f"render-{row.id}")
            self._pending.extend(rows)
            self._held.update((row.id, row) for row in rows)
            self._claimed += len(rows)
            # Nothing due: the other workers need not ask again (the round ends; the next
            # one claims what was queued meanwhile).
            self._exhausted = not rows
            return bool(rows)

    @staticmethod
    async def _give_back(session: AsyncSession, untried: list[int],
                         deferred: list[tuple[int, float]]) -> None:
        await outbox.release(session, untried)
        for row_id, wait in deferred:
            until = utcnow() + timedelta(seconds=wait)
            await outbox.release(session, [row_id], not_before=until)

    async def _work(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            row = await self._next_row(stop)
            if row is None:
                return
            wait = self.pacer.delay(row.chat_id)
            if wait > DEFER_AFTER:
                # Its chat is busy (a group's 20 per minute): let other rows go first.
                self._deferred.append((row.id, wait))
                self._held.pop(row.id, None)
                self.stats.deferred += 1
                continue
            self._busy.add(row.chat_id)
            try:
                await self._deliver(row, stop)  # returns once its outcome is stored
            finally:
                self._busy.discard(row.chat_id)
                self._held.pop(row.id, None)
                self._freed.set()

    async def _next_row(self, stop: asyncio.Event) -> OutboxMessage | None:
        """The next row to deliver, claiming more when none are left; None when nothing
        more is due (or `stop`)."""
        while not stop.is_set():
            if not self._pending:
                if not await self._refill(stop):
                    return None
                continue
            self._freed.clear()  # before looking: a send that ends after it sets it again
            row = self._take_ready()
            if row is not None:
                return row
            # Every claimed row is for a chat with a send in flight: wait for one to end.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._freed.wait(), 1.0)
        return None

    def _take_ready(self) -> OutboxMessage | None:
        """The pending row whose chat can take a message soonest (the oldest on ties),
        leaving out chats with a send in flight: a chat's next message is paced from when
        its previous one arrived, which is known only once it has."""
        free = [i for i, row in enumerate(self._pending) if row.chat_id not in self._busy]
        if not free:
            return None
        index = min(free, key=lambda i: (self.pacer.ready_at(self._pending[i].chat_id), i))
        return self._pending.pop(index)

    async def _keep_claims(self) -> None:
        """Refresh our claims while a batch takes long (flood waits), so no other sender
        mistakes them for a dead sender's; rows taken from us meanwhile are dropped."""
        interval = max(0.05, self.stale_after.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            held = list(self._held)
            async with self.db.transaction() as session:
                still = await outbox.touch(session, held, utcnow())
            lost = set(held) - still
            if lost:
                log.warning("%d claimed message(s) were taken back from this sender",
                            len(lost))
                self._pending = [row for row in self._pending if row.id not in lost]

    # -- one row --------------------------------------------------------------------------

    async def _deliver(self, row: OutboxMessage, stop: asyncio.Event) -> None:
        """Send one row until it is settled (or handed back because we are stopping).
        From its first send until its outcome is stored it holds one of the `concurrency`
        permits: what a crash can repeat."""
        permit = _Permit(self._sending)
        try:
            await self._attempt(row, stop, permit)
        finally:
            permit.release()

    async def _attempt(self, row: OutboxMessage, stop: asyncio.Event, permit: _Permit) -> None:
        chat_id = row.chat_id
        attempts = row.attempts
        timeouts = migrations = 0
        parts: list[Part] | None = None  # what is left to send of a rendered notice
        while True:
            try:
                if parts is None and self.kinds is not None and row.kind in self.kinds:
                    # Rendered before its slot is taken (mostly while earlier rows were
                    # being sent): reading the database is no send.
                    rendering = self._rendering.pop(row.id, None)
                    parts = await (rendering or self._render(row, None))
                    if not parts:
                        raise Skipped(f"nothing to send for {row.kind} {row.text}")
                if parts is None:
                    async with self.pacer.slot(chat_id):
                        await permit.take()
                        await self._send_stored(row, chat_id)
                while parts:
                    async with self.pacer.slot(chat_id):
                        await permit.take()
                        await self._send_part(chat_id, parts[0])
                    parts.pop(0)  # sent: a retry goes on with the next one
            except RetryAfter as exc:
                delay = retry_after_seconds(exc)
                self.stats.flood_waits += 1
                log.warning("flood control: waiting %.1f s before message %d", delay, row.id)
                self.pacer.pause(delay)
                if not await self._sleep(delay, stop):
                    await self._settle_later(row.id, delay, None, count=False)
                    return
                continue
            except ChatMigrated as exc:
                migrations += 1
                new_chat_id = int(exc.new_chat_id)
                self.stats.migrated += 1
                async with self.db.transaction() as session:
                    await outbox.migrate_chat(session, chat_id, new_chat_id)
                log.info("chat %d is now supergroup %d", chat_id, new_chat_id)
                chat_id = new_chat_id
                if migrations > MAX_MIGRATIONS:
                    await self._settle(row.id, OutboxStatus.FAILED, str(exc))
                    return
                continue
            except Forbidden as exc:
                await self._settle_blocked(row.id, chat_id, exc.message)
            except BadRequest as exc:
                await self._settle(row.id, OutboxStatus.FAILED, exc.message)
            except TimedOut as exc:
                timeouts += 1
                attempts += 1
                self.stats.timeouts += 1
                if timeouts < MAX_TIMEOUTS:
                    async with self.db.transaction() as session:
                        await outbox.count_attempt(session, row.id, error=exc.message)
                    continue
                await self._unwell(row, attempts, exc.message)
            except NetworkError as exc:
                attempts += 1
                await self._unwell(row, attempts, exc.message)
            except TelegramError as exc:
                await self._settle(row.id, OutboxStatus.FAILED, exc.message)
            except Skipped as exc:
                await self._settle(row.id, OutboxStatus.CANCELLED, str(exc))
            except Exception as exc:  # a bug or bad data must not stop the whole outbox
                log.exception("message %d could not be sent", row.id)
                await self._settle(row.id, OutboxStatus.FAILED, f"{type(exc).__name__}: {exc}")
            else:
                await self._settle(row.id, OutboxStatus.SENT, None)
            return

    async def _render(self, row: OutboxMessage, language: str | None) -> list[Part]:
        assert self.kinds is not None
        async with self._render_slots:  # as many renders at once as sends in flight
            return await self.kinds.render(row.kind, row.text, row.chat_id, language)

    async def _unwell(self, row: OutboxMessage, attempts: int, error: str) -> None:
        """The Bot API failed this row's `attempts`-th try (5xx, timeout, no connection):
        slow down and queue it again later, unless it has been trying for too long."""
        self.pacer.pause(self.retry_delay)
        too_many = self.max_attempts is not None and attempts >= self.max_attempts
        if too_many or utcnow() - row.created_at >= self.give_up_after:
            await self._settle(row.id, OutboxStatus.FAILED, error, count=True)
            return
        delay = min(self.retry_delay * 2 ** max(0, attempts - 1), MAX_RETRY_DELAY)
        await self._settle_later(row.id, delay, error)

    async def _send_part(self, chat_id: int, part: Part) -> None:
        """One message of a notice rendered now (a document, a photo or a text)."""
        paid = True if self.paid else None
        if part.document is not None:
            await self.bot.send_document(
                chat_id, InputFile(part.document, filename=part.filename),
                caption=part.text, parse_mode=ParseMode.HTML, reply_markup=part.reply_markup,
                allow_paid_broadcast=paid)
        elif part.photo_file_id:
            await self.bot.send_photo(
                chat_id, part.photo_file_id, caption=part.text, parse_mode=ParseMode.HTML,
                reply_markup=part.reply_markup, allow_paid_broadcast=paid)
        else:
            await self.bot.send_message(
                chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.reply_markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_paid_broadcast=paid)

    async def _send_stored(self, row: OutboxMessage, chat_id: int) -> None:
        """A row whose message was made when it was queued (alerts, broadcasts, replies)."""
        if row.method:  # a reply captured in a web process: posted as it was made
            stored = dict(row.request or {})
            if chat_id != row.chat_id and "chat_id" in stored.get("params", {}):
                stored["params"] = {**stored["params"], "chat_id": str(chat_id)}  # migrated
            await self.bot.request.post(f"{self.bot.base_url}/{row.method}",
                                        request_data=stored_request(stored))
            return
        markup = (InlineKeyboardMarkup.de_json(row.reply_markup, self.bot)
                  if row.reply_markup else None)
        paid = True if self.paid else None
        if row.photo_file_id:
            await self.bot.send_photo(
                chat_id, row.photo_file_id, caption=row.text, parse_mode=ParseMode.HTML,
                reply_markup=markup, allow_paid_broadcast=paid,
            )
        else:
            await self.bot.send_message(
                chat_id, row.text, parse_mode=ParseMode.HTML, reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_paid_broadcast=paid,
            )

    async def _sleep(self, seconds: float, stop: asyncio.Event) -> bool:
        """Sleep unless stopped; False if `stop` was set meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return not stop.is_set()

    # -- settling (through the settler: outcomes that come together share a transaction) --

    async def _settle(
        self, row_id: int, status: OutboxStatus, error: str | None, *, count: bool = False
    ) -> None:
        held = self._held.get(row_id)
        reply = held is not None and held.kind == retention.REPLY_KIND

        async def write(session: AsyncSession) -> bool:
            if count:
                await outbox.count_attempt(session, row_id, error=error)
            await outbox.mark(session, row_id, status, error=error, now=utcnow())
            # The reply to /forgetme goes out after the erasure: once sent, it goes too.
            return reply and await retention.drop_if_recipient_gone(session, row_id)

        if await self.settler.settle(write):
            await self.db.checkpoint()
        if status is OutboxStatus.SENT:
            self.stats.sent += 1
        else:
            self.stats.failed += 1
            log.warning("message %d failed: %s", row_id, error)

    async def _settle_blocked(self, row_id: int, chat_id: int, error: str) -> None:
        # Rows of this batch for the same chat are settled now too, without a request.
        same_chat = [row.id for row in self._pending if row.chat_id == chat_id]
        self._pending = [row for row in self._pending if row.chat_id != chat_id]

        async def write(session: AsyncSession) -> int:
            now = utcnow()
            for settled in (row_id, *same_chat):
                await outbox.mark(session, settled, OutboxStatus.BLOCKED, error=error, now=now)
            return await outbox.mark_unreachable(session, chat_id, error=error)

        others = await self.settler.settle(write)
        for settled in same_chat:
            self._held.pop(settled, None)
        self.stats.blocked += 1 + len(same_chat) + others
        log.info("chat %d is unreachable (%s)", chat_id, error)

    async def _settle_later(
        self, row_id: int, delay: float, error: str | None, *, count: bool = True
    ) -> None:
        until = utcnow() + timedelta(seconds=delay)

        async def write(session: AsyncSession) -> None:
            if count:
                await outbox.retry_later(session, row_id, at=until, error=error)
            else:
                await outbox.release(session, [row_id], not_before=until)

        await self.settler.settle(write)
        if count:
            self.stats.retried += 1
