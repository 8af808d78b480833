"""The Mini App mounted on a web process: pages under /app, the API under /api.

    web_app = aiohttp.web.Application()
    mount(web_app, make_web(settings, i18n, db, search, badges))

The webhook server mounts it beside its own routes; `python -m bot web` (and `run` or
the console with WEB_PORT) serve it alone (bot/transports/web.py).
"""

from __future__ import annotations

from aiohttp import web

from bot.web import api, organizer, pages, profile, share
from bot.web.context import WEB, Web
from bot.web.http import MAX_BODY, api_middleware


def api_app() -> web.Application:
    app = web.Application(middlewares=[api_middleware], client_max_size=MAX_BODY)
    api.routes(app)
    profile.routes(app)
    organizer.routes(app)
    share.routes(app)
    return app


def mount(app: web.Application, services: Web) -> None:
    """Add the pages and the API to `app` (before it starts)."""
    app[WEB] = services
    pages.routes(app)
    app.add_subapp("/api/", api_app())


def dev_url(base: str, services: Web, page: str = "") -> str | None:
    """The local address that logs in as the development user, if that login is on."""
    if services.dev is None:
        return None
    return f"{base.rstrip('/')}/app/{page}?dev={services.dev.token}"
