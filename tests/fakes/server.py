"""``FakeBotAPI``: an in-process Telegram Bot API server for end-to-end tests.

A real python-telegram-bot ``Application`` is pointed at it with
``base_url=f"{fake.url}/bot"`` and ``base_file_url=f"{fake.url}/file/bot"``;
requests arrive as ``POST /bot<token>/<method>`` and are answered with the JSON
Telegram would send. The server listens on 127.0.0.1 only, on a free port.

Tests drive users through ``UserActions`` (send_text, press_button, ...) and
observe the bot through the recorded state and the ``wait_for_*`` helpers,
which wake on every recorded change instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .actions import UserActions
from .methods import BotMethods
from .models import ApiError, RecordedRequest, SentMessage
from .params import read_params

T = TypeVar("T")

# Applications running in this test process (registered by tests/conftest.py): an update
# taken from Telegram but still being handled makes the fake "not idle", however long the
# handler works before its first request.
RUNNING_APPLICATIONS: weakref.WeakSet[Any] = weakref.WeakSet()


def applications_busy() -> bool:
    """Whether a running application still handles an update, or its sender was woken by
    something just queued for another chat (bot/delivery/kinds.py) and has not sent it."""
    return any(application.running and (
        application.update_queue.qsize() > 0
        or application.update_processor.current_concurrent_updates > 0
        or _sender_active(application))
        for application in list(RUNNING_APPLICATIONS))


def _sender_active(application: Any) -> bool:
    sender = getattr(application.bot_data, "sender", None)
    return bool(getattr(sender, "active", False))


class FakeBotAPI(UserActions, BotMethods):
    """The fake Telegram: state, Bot API methods, user simulation and an HTTP server."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "takas_test_bot",
        enforce_flood: bool = False,
    ) -> None:
        super().__init__(token, bot_id, bot_username, enforce_flood)
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: what the bot uses as its Bot API URL."""
        if not self._port:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        self.updates.closed = False
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # Bind the socket ourselves so the OS picks a free port we can read back.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        # Release long polls first so the server does not wait for them to time out.
        self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- HTTP -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw_method = request.match_info["method"]
        method = self.method_name(raw_method)
        record = RecordedRequest(method or raw_method, {}, content_type=request.content_type)
        # getUpdates is excluded from activity: a long poll is always pending.
        counts_as_activity = method != "getUpdates"
        if counts_as_activity:
            self._in_flight += 1
            self._last_activity = time.monotonic()
        try:
            record.params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized", cause="unauthorized")
            if method is None:
                raise ApiError(404, "Not Found: method not found", cause="unknown")
            record.result = await self.call(method, record.params)
            body: dict[str, Any] = {"ok": True, "result": record.result}
        except ApiError as err:
            record.status, record.description, record.cause = err.status, err.description, err.cause
            body = err.to_json()
        finally:
            if counts_as_activity:
                self._in_flight -= 1
            if counts_as_activity or record.result:
                self._last_activity = time.monotonic()
            self.requests.append(record)
            self._notify()
        return web.json_response(body, status=record.status)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        file_id = self._file_paths.get(request.match_info["path"])
        if file_id is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        stored = self._files[file_id]
        return web.Response(body=stored.content, content_type=stored.mime)

    # -- waiting ----------------------------------------------------------------------

    async def _wait_until(
        self, check: Callable[[], T | None], timeout: float, what: Callable[[], str]  # noqa: ASYNC109
    ) -> T:
        """Re-evaluate ``check`` on every change until it returns non-None."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed  # take it before checking, so no change is missed
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what()}\n"
                                     f"{self.describe()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 -- deadline semantics with a dump on failure
        *,
        include_deleted: bool = False,
    ) -> list[SentMessage]:
        """The bot's messages in ``chat_id`` once there are at least ``count`` of them."""

        def check() -> list[SentMessage] | None:
            found = self.messages(chat_id, include_deleted=include_deleted)
            return found if len(found) >= count else None

        return await self._wait_until(
            check, timeout,
            lambda: f"{count} bot message(s) in chat {chat_id}, "
            f"have {len(self.messages(chat_id, include_deleted=include_deleted))}",
        )

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 10,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """The first recorded ``method`` call (index >= ``after``) matching ``predicate``.

        Pass ``after=len(fake.requests)`` taken before triggering the bot to ignore
        earlier calls.
        """

        def check() -> RecordedRequest | None:
            return next(
                (
                    r
                    for r in self.requests[after:]
                    if r.method.lower() == method.lower() and (predicate is None or predicate(r))
                ),
                None,
            )

        return await self._wait_until(check, timeout, lambda: f"a {method} request")

    async def wait_for_long_poll(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Return once a getUpdates long poll is waiting (the bot is ready for updates)."""
        await self._wait_until(
            lambda: True if self.updates.waiting else None, timeout, lambda: "a long poll"
        )

    async def wait_idle(
        self, quiet: float = 0.3, timeout: float = 10  # noqa: ASYNC109
    ) -> None:
        """Return once every update was confirmed and no request came for ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            silent_for = time.monotonic() - self._last_activity
            handling = applications_busy()
            busy = self._in_flight or self.updates.unconfirmed or handling
            if not busy and silent_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"not idle after {timeout}s: {self._in_flight} request(s) in flight, "
                    f"{self.updates.unconfirmed} unconfirmed update(s)\n{self.describe()}"
                )
            # Sleep exactly until the quiet period would end, or until something happens;
            # an application handling an update may finish without a request: look again soon.
            pause = (min(remaining, 0.02) if handling
                     else remaining if busy else min(remaining, quiet - silent_for))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), pause)
