"""The inbox processor: claims stored updates and runs them through the Application in
this process, one chat at a time, with their replies captured and settled into the outbox
in the transaction that marks the update done (see the package docstring for the
guarantees).

Fewer transactions per update: the transaction that claims a batch also reads its senders
(their language, what waits for their text: `people.known`), and the write that records
the sender is put off to the update's next transaction (bot/storage/deferred.py), at the
latest the one that marks it done. A sender is read ahead only when no other update of
theirs is in this process or in the batch: one that is could change what was read."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update

from bot import metrics
from bot.context import TakasApplication
from bot.delivery.capture import CapturedCall, capturing
from bot.logs import safe_error
from bot.services.users import KnownSender, known_senders
from bot.storage import deferred, inbox, outbox
from bot.storage.db import Database, unavailable
from bot.storage.models import utcnow
from bot.transports.webhook.config import DEFAULT_TIMINGS, Timings
from bot.usecases import people

log = logging.getLogger(__name__)


def _chat_key(update: Update) -> int | None:
    """What orders updates: the chat, else the user (inline queries), else nothing."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


SETTLE_ATTEMPTS = 3  # tries to store an update's outcome before it is marked failed
_SENT_BY_A_USER = ("message", "edited_message", "callback_query", "inline_query")


def _sender_id(payload: dict[str, Any]) -> int | None:
    """Who sent a stored update (the kinds a person makes), from its JSON."""
    for kind in _SENT_BY_A_USER:
        found = payload.get(kind)
        if isinstance(found, dict):
            sender = found.get("from")
            user_id = sender.get("id") if isinstance(sender, dict) else None
            return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) \
                else None
    return None


@dataclass
class _Outcome:
    """How processing one update ended."""

    error: str | None
    replies: list[CapturedCall]
    chat: int | None
    put_off: deferred.Deferred  # writes its handling put off (recording its sender)
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
        self._senders: Counter[int] = Counter()  # updates in this process, by sender
        self._full_claim = False  # the last claim took as many as it could: more may wait
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
                claimed, self._full_claim = 0, False  # back off below
            else:
                if self._failures:
                    log.info("inbox: database available again")
                self._failures = 0
                if not claimed and not self._tasks and not self._unsettled:
                    self._progressed()  # idle: nothing is waiting for this process
            if self._full_claim and self.in_flight < t.concurrency:
                continue  # there may be more waiting
            pause = min(t.poll * 2 ** min(self._failures, 4), 10 * t.poll)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), pause)
        await self._drain()

    async def _claim(self) -> int:
        """Claim as many waiting updates as there are free slots. Only a claim that filled
        them all (more may wait) is followed at once by another, or by one as soon as a
        slot frees: otherwise the next comes with `wake()` or the next poll."""
        free = self.timings.concurrency - self.in_flight
        if free <= 0:
            self._full_claim = True
            return 0
        async with self.db.transaction() as session:
            rows = await inbox.claim(session, free, utcnow())
            claimed = [(row.update_id, row.payload, _sender_id(row.payload)) for row in rows]
            in_batch = Counter(sender for _uid, _payload, sender in claimed)
            alone = {sender for sender, count in in_batch.items()
                     if sender is not None and count == 1 and not self._senders[sender]}
            known = await known_senders(session, alone)
        self._full_claim = len(claimed) == free
        for update_id, payload, sender in claimed:
            ahead = {sender: known[sender]} if sender in known else {}
            task = asyncio.create_task(self._process(update_id, payload, ahead),
                                       name=f"update-{update_id}")
            self._tasks[update_id] = task
            if sender is not None:
                self._senders[sender] += 1
            task.add_done_callback(functools.partial(self._done, update_id, sender))
        return len(claimed)

    def _done(self, update_id: int, sender: int | None, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(update_id, None)
        if sender is not None:
            self._senders[sender] -= 1
            if self._senders[sender] <= 0:
                del self._senders[sender]
        if self._full_claim:
            self._wakeup.set()  # a slot is free, and updates may be waiting for one

    async def _process(self, update_id: int, payload: dict[str, Any],
                       ahead: dict[int, KnownSender]) -> None:
        kind = metrics.update_type(payload)
        error: str | None = None
        chat: int | None = None
        replies: list[CapturedCall] = []
        put_off = deferred.Deferred()
        try:
            update = Update.de_json(payload, self.application.bot)
            self.application.bot.insert_callback_data(update)
            chat = _chat_key(update)
            async with self._chat_lock(chat):
                started = time.perf_counter()
                try:
                    with capturing() as captured, deferred.collecting() as put_off, \
                            people.known(ahead):
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
        self._unsettled[update_id] = _Outcome(error, [] if error else replies, chat, put_off)
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
        # What the handling put off and none of its transactions wrote (the sender's
        # record after an echo, say) is written first: before the update counts as done.
        put_off = outcome.put_off.take()
        try:
            async with self.db.transaction() as session:
                for write in put_off:
                    await write(session)
                status = await inbox.finish(session, update_id, utcnow(), outcome.error)
                if status == inbox.InboxStatus.DONE:
                    # The replies are queued in the transaction that marks the update done:
                    # both happen, or neither does and it is processed again.
                    await outbox.enqueue_calls(session, update_id, outcome.replies,
                                               outcome.chat)
        except BaseException:
            outcome.put_off.restore(put_off)  # settling is tried again
            raise
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
        # Handled updates hold what people wrote: kept RETENTION_DAYS, like every settled row.
        days = self.application.bot_data.settings.retention_days
        older_than = utcnow() - timedelta(days=days)
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
