"""Long polling with a durable inbox: an update is stored before Telegram is told it arrived.

PTB's Updater acknowledges the updates of one getUpdates answer with the offset of its
*next* call. `StoringRequest` wraps the getUpdates connection and writes every update of an
answer into the inbox table (insert-or-ignore on `update_id`) before the answer reaches
the Updater; when the database cannot take them, the call fails, the Updater asks again
with the same offset and Telegram keeps the updates. So an acknowledged update is a stored
one, with one exception: when the database stays away longer than `HOLD` seconds (an
outage, a full disk), the updates are let through unstored, so that people get the
handlers' polite "try again in a few minutes" instead of silence; those are the only
updates a crash could then lose, and their senders were told to try again.

The rows are stored already claimed by this process (one polling process per bot);
`DurableApplication.process_update` marks each done after its handlers ran. An update that
was stored before (Telegram delivers unacknowledged updates again after a restart) is
skipped. At start-up `replay` processes
what a previous run stored but did not finish: it died between acknowledging and handling.
Updates that did not come through getUpdates (the console, the webhook's own inbox
processor, tests calling `process_update`) are processed as they are.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.logs import safe_error
from bot.storage import inbox
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.text import without_nul
from bot.wrapped_request import WrappedRequest

log = logging.getLogger(__name__)

HOLD = 10.0  # s the database may refuse updates before they are answered unstored
PRUNE_EVERY = 1000  # processed updates between two prunes of old inbox rows
KEEP_DONE = timedelta(days=3)


class StoringRequest(WrappedRequest):
    """The getUpdates connection: stores each answer's updates before handing them on."""

    def __init__(self, inner: BaseRequest, db: Database, hold: float = HOLD) -> None:
        super().__init__(inner)
        self.db = db
        self.hold = hold
        self.stored: set[int] = set()  # update ids stored (claimed) and not processed yet
        self.seen: set[int] = set()  # update ids stored before: handled already, or by replay
        self._refused_since: float | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await self.forward(url, method, request_data, read_timeout,
                                          write_timeout, connect_timeout, pool_timeout)
        if status == 200 and url.endswith("/getUpdates"):
            body = await self._store(body)
        return status, body

    async def _store(self, body: bytes) -> bytes:
        """Store the answer's updates; the answer the Updater gets, without U+0000 (what
        is stored and what the handlers see are the same text: see `inbox.store`)."""
        try:
            answer = json.loads(body)
        except ValueError:
            return body  # PTB reports the broken answer itself
        if b"\\u0000" in body:  # how JSON writes U+0000
            body = json.dumps(without_nul(answer)).encode()
        results = answer.get("result") if isinstance(answer, dict) else None
        payloads = [item for item in results or () if isinstance(item, dict)
                    and isinstance(item.get("update_id"), int)]
        if not payloads:
            return body
        added: list[int] = []
        seen: list[int] = []
        try:
            async with self.db.transaction() as session:
                claimed_at = utcnow()
                for payload in payloads:
                    new = await inbox.store(session, payload, claimed_at=claimed_at)
                    (added if new else seen).append(payload["update_id"])
        except Exception as exc:
            now = time.monotonic()
            if self._refused_since is None:
                self._refused_since = now
            if now - self._refused_since < self.hold:
                # Not acknowledged: the Updater retries this call and Telegram keeps them.
                raise NetworkError(
                    f"updates could not be stored yet: {type(exc).__name__}") from exc
            log.warning("the database has refused updates for %.0f s (%s): answering %d "
                        "update(s) without storing them", now - self._refused_since,
                        type(exc).__name__, len(payloads))
            return body
        self._refused_since = None
        self.stored.update(added)
        self.seen.update(seen)
        return body


class DurableApplication(Application[Any, Any, Any, Any, Any, Any]):
    """Runs each stored update once, marked done after its handlers."""

    storing: StoringRequest | None = None  # set when polling goes through the inbox
    _processed = 0

    async def process_update(self, update: object) -> None:
        storing = self.storing
        if storing is None or not isinstance(update, Update):
            await super().process_update(update)
            return
        update_id = update.update_id
        if update_id in storing.seen:
            storing.seen.discard(update_id)
            log.info("update %s was handled already: skipped", update_id)
        elif update_id in storing.stored:
            storing.stored.discard(update_id)
            await self._run_and_finish(update, storing.db)
        else:  # not stored (the database refused it for too long): handled as it is
            await super().process_update(update)

    async def _run_and_finish(self, update: Update, db: Database) -> None:
        error: str | None = None
        try:
            await super().process_update(update)
        except Exception as exc:  # handler errors go to the error handler; this is worse
            error = safe_error(exc)
            raise
        finally:
            try:
                async with db.transaction() as session:
                    await inbox.finish(session, update.update_id, utcnow(), error)
                    self._processed += 1
                    if self._processed % PRUNE_EVERY == 0:
                        await inbox.prune(session, utcnow() - KEEP_DONE)
            except Exception as exc:  # the row stays claimed: replayed after a restart
                log.warning("update %s: could not mark it processed: %s",
                            update.update_id, safe_error(exc))

    async def replay(self) -> int:
        """Process the updates a previous run stored and did not finish; how many."""
        if self.storing is None:
            return 0
        db = self.storing.db
        async with db.transaction() as session:
            # One polling process per bot: whatever is `processing` now belonged to a run
            # that died.
            await inbox.requeue_stale(session, utcnow() + timedelta(seconds=1))
            rows = await inbox.claim(session, 10_000, utcnow())
            left = [(row.update_id, row.payload) for row in rows]
        for update_id, payload in left:
            log.warning("update %s was stored but not handled before a stop: handling it now",
                        update_id)
            try:
                await self._run_and_finish(Update.de_json(payload, self.bot), db)
            except Exception:
                log.exception("update %s could not be handled", update_id)
        return len(left)


__all__ = ["DurableApplication", "StoringRequest"]
