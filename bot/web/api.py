"""The Mini App's JSON API for everyone: who am I, the map, an opportunity's card and its
calendar file, follow and unfollow, and signing a file link.

Each route parses, calls one use case (or reads the search service, which is in memory),
and renders JSON; the middleware (bot/web/http.py) has authenticated and rate-limited the
call already. The pages' texts come from the gettext catalogs (bot/web/strings.py).
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.languages import NATIVE_NAMES
from bot.services.users import SeenUser
from bot.usecases import follow as follows
from bot.usecases import people
from bot.web import mapdata, strings
from bot.web.auth import WebUser
from bot.web.context import Web, services
from bot.web.http import NO_STORE, ApiError, int_arg, json_ok, read_json, user_of
from catalog.ics_export import calendar_file
from catalog.search.index import KINDS, SearchDoc
from catalog.search.lexicon import LANGUAGES

MAX_QUERY = 200  # characters of a map search
SIGNABLE = re.compile(r"/api/(reports/\d{1,9}\.(csv|pdf)|items/\d{1,12}\.ics|"
                      r"badges/\d{1,12}\.png|certificates/\d{4}\.pdf)")


def language(request: web.Request, app: Web, stored: str | None = None,
             telegram: str | None = None) -> str:
    """`?lang=` when it is one of ours, else the user's choice, else Telegram's."""
    asked = request.query.get("lang", "")[:8]
    return app.i18n.resolve(asked if asked in app.i18n.languages else stored, telegram)


def seen(user: WebUser) -> SeenUser:
    return SeenUser(user.id, user.first_name, user.username, user.language_code)


def is_admin(app: Web, user: WebUser) -> bool:
    return user.id in app.settings.admin_ids


async def me(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    found = await people.who(app.db, seen(user), is_admin=is_admin(app, user))
    speaks = language(request, app, found.language, found.telegram_language)
    with app.i18n.use(speaks):
        texts = strings.translated()
    return json_ok({
        "user": {"id": found.id, "first_name": found.first_name, "language": speaks},
        "roles": list(found.roles),
        "organisations": [{"id": oid, "name": name, "is_school": school}
                          for oid, name, school in found.organisations],
        "strings": texts,
        "languages": [{"code": code, "name": NATIVE_NAMES[code]}
                      for code in app.i18n.languages],
        "config": {"tile_url": app.settings.webapp_tile_url,
                   "tile_attribution": app.settings.webapp_tile_attribution,
                   "webapp_url": app.settings.webapp_url, "dev": app.dev is not None},
    })


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a date YYYY-MM-DD") from None


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def map_query(request: web.Request) -> mapdata.MapQuery:
    query = request.query
    try:
        west, south, east, north = mapdata.parse_bbox(query.get("bbox", ""))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    kind = query.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(KINDS)}")
    taught = query.get("language") or None
    if taught is not None and taught not in LANGUAGES:
        raise ApiError(400, "language is not one Takas knows")
    first, last = _day(query.get("from"), "from"), _day(query.get("to"), "to")
    if first and last and last < first:
        raise ApiError(400, "to is before from")
    lang = query.get("lang") or None
    return mapdata.MapQuery(
        west, south, east, north, zoom=int_arg(query.get("zoom", "10"), "zoom", 0, 22),
        q=" ".join(query.get("q", "").split())[:MAX_QUERY], kind=kind,
        free=_flag(query.get("free")), online=_flag(query.get("online")), date_from=first,
        date_to=last, language=taught, lang=lang if lang in LANGUAGES else None,
        limit=int_arg(query.get("limit", "200"), "limit", 1, mapdata.MAX_LIMIT))


async def points_of(app: Web) -> mapdata.MapIndex:
    """The map index of the current snapshot; built once per snapshot, in a thread."""
    points = app.maps.current()
    return points if points is not None else await asyncio.to_thread(app.maps.build)


async def map_data(request: web.Request) -> web.Response:
    app = services(request)
    wanted = map_query(request)
    points = await points_of(app)
    matches = (app.search.matching(wanted.q, language=wanted.lang) if wanted.q else None)
    if matches is not None and len(matches.mask) != points.index.size:
        points = await points_of(app)  # the snapshot was swapped meanwhile
        matches = app.search.matching(wanted.q, language=wanted.lang)
    result = mapdata.query_map(points, wanted, matches, time.time())
    return web.Response(body=mapdata.result_body(points, result),
                        content_type="application/json", charset="utf-8", headers=NO_STORE)


def _doc(request: web.Request, app: Web) -> SearchDoc:
    doc = app.search.by_id(int_arg(request.match_info["id"], "id", 1, 2**62))
    if doc is None:
        raise ApiError(404, "no such opportunity (it may have been withdrawn)")
    return doc


async def item(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    doc = _doc(request, app)
    points = await points_of(app)
    number = points.numbers.get(doc.id)
    card: dict[str, Any] = {
        "id": doc.id, "title": doc.title, "description": doc.description, "kind": doc.kind,
        "start": mapdata.moment(doc.start, doc), "end": mapdata.moment(doc.end, doc),
        "timezone": doc.timezone, "price": doc.price, "currency": doc.currency,
        "free": doc.price == 0, "online": doc.online, "country": doc.country,
        "town": doc.city, "provider": doc.provider, "url": doc.url,
        "language": doc.language, "languages": [doc.language] if doc.language else [],
        "hours": doc.hours, "lat": doc.latitude, "lon": doc.longitude, "approximate": False,
        "calendar_url": (app.signer.sign(f"/api/items/{doc.id}.ics", user.id)
                         if doc.start is not None else None),
    }
    if number is not None and points.index.docs[number] is doc:
        placed = mapdata.item_json(points, number)
        card.update({key: placed[key] for key in ("lat", "lon", "approximate", "town")})
    target = follows.item_target(app.search, doc)
    card["follow"] = {target.kind: target.label} if target else None
    card["following"] = (await follows.follows_target(app.db, user.id, target)
                         if target else False)
    return json_ok(card)


async def item_calendar(request: web.Request) -> web.Response:
    app = services(request)
    doc = _doc(request, app)
    if doc.start is None:
        raise ApiError(404, "this opportunity has no date to put in a calendar")
    return web.Response(body=calendar_file(doc), content_type="text/calendar",
                        charset="utf-8", headers={
                            "Content-Disposition": f'attachment; filename="takas-{doc.id}.ics"',
                            "Cache-Control": "private, no-store"})


async def _wanted(request: web.Request, app: Web) -> follows.Target | str:
    body = await read_json(request)
    if "item" in body:
        doc = app.search.by_id(int_arg(body["item"], "item", 1, 2**62))
        if doc is None:
            raise ApiError(404, "no such opportunity")
        target = follows.item_target(app.search, doc)
        if target is None:
            raise ApiError(409, "this opportunity names no organiser or town to follow",
                           "nothing_to_follow")
        return target
    name = body.get("provider")
    if not isinstance(name, str) or not name.strip() or len(name) > 300:
        raise ApiError(400, 'send {"provider": NAME} or {"item": ID}')
    return name


async def follow(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    wanted = await _wanted(request, app)
    found = await follows.follow_target(app.db, app.search, seen(user), wanted,
                                        is_admin=is_admin(app, user))
    return json_ok({"following": True, "kind": found.follow.kind,
                    "label": found.follow.label, "created": found.created})


async def unfollow(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    wanted = await _wanted(request, app)
    target = await follows.unfollow_target(app.db, app.search, user.id, wanted)
    return json_ok({"following": False, "kind": target.kind, "label": target.label,
                    "created": False})


async def sign(request: web.Request) -> web.Response:
    """A signed link to one of the caller's files (a report to download)."""
    app, user = services(request), user_of(request)
    path = (await read_json(request)).get("path")
    if not isinstance(path, str) or len(path) > 300:
        raise ApiError(400, 'send {"path": "/api/reports/ID.pdf?year=..."}')
    parts = urlsplit(path)
    if not SIGNABLE.fullmatch(parts.path):
        raise ApiError(400, "only file links can be signed")
    from urllib.parse import parse_qsl

    query = dict(parse_qsl(parts.query))
    return json_ok({"url": app.signer.sign(parts.path, user.id, query)})


def routes(api: web.Application) -> None:
    api.router.add_get("/me", me)
    api.router.add_get("/map", map_data)
    api.router.add_get(r"/items/{id:\d{1,12}}", item)
    api.router.add_get(r"/items/{id:\d{1,12}}.ics", item_calendar)
    api.router.add_post("/follow", follow)
    api.router.add_delete("/follow", unfollow)
    api.router.add_post("/sign", sign)
