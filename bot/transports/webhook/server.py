"""The HTTP server: the aiohttp routes of one web process (Telegram's deliveries, health,
metrics, Open Badges verification and status) and the background tasks it starts."""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError

from bot import badge_check, metrics, verify_page
from bot.context import TakasApplication
from bot.flood import FloodGuard, Verdict
from bot.logs import safe_error
from bot.services import badges as badge_rules
from bot.storage import inbox
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.transports.webhook.catalog_watch import watch_catalog
from bot.transports.webhook.config import (
    DEFAULT_TIMINGS,
    MAX_BODY,
    SECRET_HEADER,
    Timings,
    WebhookConfig,
)
from bot.transports.webhook.health import health_report, refresh_gauges
from bot.transports.webhook.processor import InboxProcessor
from bot.transports.webhook.uploads import UploadError, parse_update, uploaded_file
from bot.usecases import certificates as certificate_usecase
from bot.web.app import mount
from bot.web.context import make_web
from bot.web.http import client_address

log = logging.getLogger(__name__)
# Certificate pages per client address: a burst of PAGE_BURST (a teacher checking a class's
# certificates), then one every 1/PAGE_RATE seconds; enough for people, far too few to
# guess codes (32^8 of them), as /verify in the chat is limited per person.
PAGE_BURST, PAGE_RATE = 30, 0.1


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
        self.page_guard = FloodGuard(PAGE_BURST, PAGE_RATE)
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
        # The Mini App: its pages under /app, its API under /api (bot/web). The worker
        # sends what its decisions queue, so nothing to wake here.
        data = self.application.bot_data
        mount(app, make_web(data.settings, data.i18n, data.db, data.search, data.badges))
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
        language = data.i18n.resolve(request.query.get("lang"),
                                     request.headers.get("Accept-Language", "")[:35] or None)
        client = client_address(request, data.settings.forwarded_hops)
        if self.page_guard.check(client) is not Verdict.ALLOW:
            with data.i18n.use(language):
                body = verify_page.render_limited()
            wait = max(1, math.ceil(self.page_guard.wait(client)))
            return web.Response(text=body, content_type="text/html", charset="utf-8",
                                status=429,
                                headers={**verify_page.HEADERS, "Retry-After": str(wait)})
        status = await certificate_usecase.certificate_status(self.db,
                                                              request.match_info["code"])
        base = data.settings.public_base_url or self.config.url
        with data.i18n.use(language):
            body = verify_page.render(status, deployment=urlsplit(base).netloc)
        return web.Response(text=body, content_type="text/html", charset="utf-8",
                            status=200 if status is not None else 404,
                            headers=verify_page.HEADERS)

