"""The API's HTTP conventions: who is asking, JSON errors, request limits.

Every `/api/*` answer that is not 2xx is `{"error": CODE, "message": TEXT}` and never a
traceback; a refusal of the rules (`Refusal`) is a 409 with the refusal's code. The
middleware authenticates each call (bot/web/auth.py) except the shared read-only link's,
and rate-limits it per person (per address when there is no person).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from aiohttp import web

from bot.flood import FloodGuard, Verdict
from bot.logs import safe_error
from bot.services.errors import Refusal
from bot.web.auth import AuthError, WebUser
from bot.web.context import Web, services

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # bytes of a JSON body
PUBLIC = "/api/shared/"  # what a shared link reads, without initData
FILES = (".png", ".pdf", ".csv", ".ics")
USER_KEY: web.RequestKey[WebUser] = web.RequestKey("takas_user", WebUser)
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
                429: "slow_down"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An answer other than 2xx, with a stable code and a message for developers."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or STATUS_CODES.get(status, "error")
        self.headers = headers or {}
        self.extra = extra or {}  # more of the body (the shared page's strings)


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None,
                   extra: dict[str, Any] | None = None) -> web.Response:
    return web.json_response({**(extra or {}), "error": code, "message": message},
                             status=status, headers={**NO_STORE, **(headers or {})})


def json_ok(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers=NO_STORE,
                             dumps=lambda value: json.dumps(value, ensure_ascii=False))


def user_of(request: web.Request) -> WebUser:
    return request[USER_KEY]


def client_address(request: web.Request, hops: int) -> str:
    """The client's address: the peer's, or behind `hops` trusted proxies the entry of
    X-Forwarded-For they appended (what the client itself wrote there is not trusted)."""
    if hops > 0:
        forwarded = [part.strip() for header in request.headers.getall("X-Forwarded-For", [])
                     for part in header.split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote or ""


def _address_key(request: web.Request, app: Web) -> str:
    """The bucket of a request without a user: its client's address (FORWARDED_HOPS)."""
    return "address:" + client_address(request, app.settings.forwarded_hops)


def _check(guard: FloodGuard, key: Hashable) -> None:
    if guard.check(key) is not Verdict.ALLOW:
        wait = max(1, round(guard.wait(key) + 0.5))
        raise ApiError(429, "too many requests; wait a moment",
                       headers={"Retry-After": str(wait)})


def authenticate(request: web.Request, app: Web) -> WebUser:
    """The user behind `request`: initData, the development token, or a signed file
    link; `ApiError(401)` otherwise."""
    scheme, _sep, credential = request.headers.get("Authorization", "").partition(" ")
    scheme, credential = scheme.lower(), credential.strip()
    try:
        if scheme == "tma" and app.bot_token is not None:
            from bot.web.auth import validate_init_data

            return validate_init_data(credential, app.bot_token,
                                      max_age=app.settings.webapp_auth_max_age)
        if scheme == "dev" and app.dev is not None:
            return app.dev.check(credential)
        if not scheme and request.method == "GET" and request.path.endswith(FILES) \
                and "sig" in request.query:
            return WebUser(app.signer.check(request.path, dict(request.query)))
    except AuthError as exc:
        raise ApiError(401, str(exc)) from None
    raise ApiError(401, "open this page from the bot in Telegram (Authorization: tma "
                        "<initData>)")


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authentication, rate limits and JSON errors for every /api route."""
    app = services(request)
    try:
        if request.path.startswith(PUBLIC):
            _check(app.limits.anonymous, _address_key(request, app))
        else:
            try:
                user = authenticate(request, app)
            except ApiError:
                _check(app.limits.anonymous, _address_key(request, app))  # guessing costs too
                raise
            request[USER_KEY] = user
            _check(app.limits.calls, user.id)
            if request.method in ("POST", "DELETE", "PUT", "PATCH"):
                _check(app.limits.writes, user.id)
            if request.path.endswith((".pdf", ".png")):
                _check(app.limits.files, user.id)
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.headers, exc.extra)
    except Refusal as refusal:
        return error_response(409, refusal.code, "refused by the rules")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, STATUS_CODES.get(exc.status, "error"),
                              exc.reason or "error")
    except Exception as exc:
        log.error("web API %s %s failed: %s", request.method, request.path, safe_error(exc),
                  exc_info=not isinstance(exc, OSError))
        return error_response(500, "internal", "something went wrong on our side")


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (at most MAX_BODY bytes), or `ApiError`."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY} bytes")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY} bytes")
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body is not JSON") from None
    if not isinstance(value, dict):
        raise ApiError(400, "the body is not a JSON object")
    return value


def int_arg(value: object, name: str, low: int, high: int) -> int:
    """An integer in [low, high] from a query or body value, or ApiError(400)."""
    if isinstance(value, bool):
        raise ApiError(400, f"{name} must be a whole number")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return number
