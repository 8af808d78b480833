"""The Mini App's pages and their static files, from `bot/web/static/` (package data).

`/app/` the map, `/app/profile`, `/app/organizer`, `/app/shared/<token>` (a read-only
profile: the page reads the token from its address); `/app/static/<path>` any file below
the folder. Pages are not cached (a deployment's new version shows at once); versioned
vendor folders are cached for a year, the rest for an hour. The pages may load scripts
from this server and from telegram.org only, tiles from the configured tile server, and
may be framed by Telegram's web clients.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.web.auth import SHARE_TOKEN_ROUTE
from bot.web.context import services

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"map": "map.html", "profile": "profile.html", "organizer": "organizer.html",
         "shared": "shared.html"}
TYPES = {".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
         ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
         ".woff2": "font/woff2", ".json": "application/json", ".md": "text/plain",
         ".txt": "text/plain", ".webmanifest": "application/manifest+json"}
TEXT = ("text/", "application/json", "image/svg+xml", "application/manifest+json")


def content_type(path: Path) -> str:
    """The file's type by its ending (text in UTF-8)."""
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT) else kind


def tile_source(tile_url: str) -> str:
    """The CSP source of the tile server ('https://*.tile.example' for {s} subdomains)."""
    parts = urlsplit(tile_url.replace("{s}", "a"))
    host = parts.netloc
    if "{s}." in tile_url:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def page_headers(tile_url: str) -> dict[str, str]:
    policy = ("default-src 'self'; script-src 'self' https://telegram.org; "
              "style-src 'self' 'unsafe-inline'; "
              f"img-src 'self' data: blob: {tile_source(tile_url)}; connect-src 'self'; "
              "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org; "
              "base-uri 'none'; form-action 'none'; object-src 'none'")
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


def _file(relative: str) -> Path | None:
    """The file under STATIC, never outside it nor hidden; None when there is none."""
    parts = Path(relative).parts
    if not relative or any(part.startswith(".") or part in ("", "/") for part in parts):
        return None
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    return path


def _page(name: str) -> web.Response | web.FileResponse:
    path = _file(PAGES[name])
    if path is None:
        return web.Response(status=404, text="This page is not built yet.\n",
                            content_type="text/plain", charset="utf-8")
    return web.FileResponse(path, headers={"Content-Type": content_type(path)})


def _page_handler(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = _page(name)
        response.headers.update(page_headers(services(request).settings.webapp_tile_url))
        return response

    handler.__name__ = f"{name}_page"
    return handler


async def static_file(request: web.Request) -> web.StreamResponse:
    relative = request.match_info["path"]
    path = _file(relative)
    if path is None:
        raise web.HTTPNotFound(text="no such file\n")
    response = web.FileResponse(path, headers={"Content-Type": content_type(path)})
    cache = ("public, max-age=31536000, immutable" if relative.startswith("vendor/")
             else "public, max-age=3600")
    response.headers.update({"Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
    return response


async def to_map(request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect("/app/" + (f"?{request.query_string}"
                                               if request.query_string else ""))


def routes(app: web.Application) -> None:
    app.router.add_get("/app", to_map)
    app.router.add_get("/app/", _page_handler("map"))
    app.router.add_get("/app/map", _page_handler("map"))
    app.router.add_get("/app/profile", _page_handler("profile"))
    app.router.add_get("/app/organizer", _page_handler("organizer"))
    app.router.add_get(f"/app/shared/{SHARE_TOKEN_ROUTE}", _page_handler("shared"))
    app.router.add_get("/app/static/{path:.+}", static_file)
