"""Read-only links to one's e-profile, for a parent or teacher outside Telegram.

The owner (authenticated) makes, lists and revokes links; `GET /api/shared/<token>` and
the badge pictures under it are the only API routes that need no initData. They answer
404 for an unknown token and 410 once the link expired or was revoked.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from bot.services.errors import Refusal
from bot.usecases import shares
from bot.web import strings
from bot.web.api import language
from bot.web.auth import SHARE_TOKEN_ROUTE
from bot.web.context import Web, services
from bot.web.http import ApiError, int_arg, json_ok, read_json, user_of
from bot.web.profile import badge_image, profile_json


def share_url(request: web.Request, app: Web, token: str) -> str:
    """The link's absolute address: under WEBAPP_URL, else PUBLIC_URL, else this server."""
    if app.settings.webapp_url:
        base = app.settings.webapp_url
    elif app.settings.public_base_url:
        base = app.settings.public_base_url + "/app"
    else:
        base = str(request.url.origin()) + "/app"
    return f"{base}/shared/{token}"


def _share_json(view: shares.ShareView, now: datetime) -> dict[str, object]:
    return {"id": view.id, "created": view.created.isoformat(),
            "expires": view.expires.isoformat(), "revoked": view.revoked,
            "active": view.active(now)}


def _gone(request: web.Request, app: Web, refusal: Refusal) -> ApiError:
    """404 (unknown) or 410 (revoked or expired), with the page's texts in the reader's
    language (`?lang=`, else Accept-Language) so it can say so."""
    speaks = language(request, app, None,
                      request.headers.get("Accept-Language", "")[:35] or None)
    with app.i18n.use(speaks):
        extra = {"language": speaks, "strings": strings.translated()}
    if refusal.code == "share_gone":
        return ApiError(410, "this link has expired or was revoked", "gone", extra=extra)
    return ApiError(404, "this link is not valid", extra=extra)


async def create(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    days = int_arg((await read_json(request)).get("days", 30), "days", 1, 90)
    made = await shares.create(app.db, user.id, days=days)
    return json_ok({"id": made.share.id, "url": share_url(request, app, made.token),
                    "expires": made.share.expires.isoformat()}, status=201)


async def listing(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    now = datetime.now(UTC)
    return json_ok({"shares": [_share_json(view, now)
                               for view in await shares.listing(app.db, user.id)]})


async def revoke(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    try:
        await shares.revoke(app.db, user.id, int_arg(request.match_info["id"], "id", 1, 2**62))
    except Refusal:
        raise ApiError(404, "no such link of yours") from None
    return json_ok({"revoked": True})


async def shared(request: web.Request) -> web.Response:
    app, token = services(request), request.match_info["token"]
    try:
        _owner, found = await shares.shared_profile(app.db, token)
    except Refusal as refusal:
        raise _gone(request, app, refusal) from None
    speaks = language(request, app, found.language, found.telegram_language)
    with app.i18n.use(speaks):
        texts = strings.translated()
    body = profile_json(found, texts=texts, speaks=speaks, certificate_url=None,
                        badge_url=lambda award: f"/api/shared/{token}/badges/{award}.png")
    return json_ok({**body, "language": speaks, "strings": texts})


async def shared_badge(request: web.Request) -> web.Response:
    app, token = services(request), request.match_info["token"]
    try:
        owner = await shares.owner(app.db, token)
    except Refusal as refusal:
        raise _gone(request, app, refusal) from None
    return await badge_image(app, int_arg(request.match_info["id"], "id", 1, 2**62), owner)


def routes(api: web.Application) -> None:
    api.router.add_post("/share", create)
    api.router.add_get("/shares", listing)
    api.router.add_delete(r"/share/{id:\d{1,12}}", revoke)
    api.router.add_get(f"/shared/{SHARE_TOKEN_ROUTE}", shared)
    api.router.add_get(rf"/shared/{SHARE_TOKEN_ROUTE}/badges/{{id:\d{{1,12}}}}.png",
                       shared_badge)
