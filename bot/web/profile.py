"""The e-profile API: progress against the yearly target, entries, the badge wall with
each baked PNG, playlists, certificates to download, classes.

`profile_json` renders a `progress.EProfile`; the shared read-only link (bot/web/share.py)
renders the same without private parts and with its own badge links.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web

from bot.services import exports
from bot.usecases import certificates, progress
from bot.web import strings
from bot.web.api import language
from bot.web.context import Web, services
from bot.web.http import ApiError, int_arg, json_ok, user_of

STATUS_KEYS = {"approved": "profile.entry.approved", "pending": "profile.entry.pending",
               "rejected": "profile.entry.rejected"}


def hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def year_label(first: date) -> str:
    return f"{first.year}–{first.year + 1}"


def profile_json(found: progress.EProfile, *, badge_url: Callable[[int], str],
                 certificate_url: Callable[[int], str] | None, speaks: str,
                 texts: dict[str, str]) -> dict[str, Any]:
    """The e-profile as the page reads it (numbers in hours); `certificate_url` None:
    no certificates (a shared view)."""
    summary = found.summary
    this = summary.this_year()
    return {
        "user": {"first_name": found.first_name, "full_name": found.full_name},
        "school_year": summary.current.year, "school_year_label": year_label(summary.current),
        "target": hours(this.target) if this else None,
        "approved": hours(this.approved) if this else 0.0,
        "pending": hours(this.pending) if this else 0.0,
        "status": found.status,
        "years": [{"year": y.first.year, "label": year_label(y.first),
                   "approved": hours(y.approved), "pending": hours(y.pending)}
                  for y in summary.years],
        "entries": [{"id": e.id, "organisation": e.organisation, "activity": e.activity,
                     "date": e.day.isoformat(), "hours": hours(e.minutes), "status": e.status,
                     "status_text": texts.get(STATUS_KEYS.get(e.status, ""), e.status),
                     "reason": e.reason, "note": e.note} for e in found.entries],
        "badges": [{"id": b.id, "name": b.name, "organisation": b.organisation,
                    "image_url": badge_url(b.id), "issued": b.issued.isoformat(),
                    "hours": hours(b.minutes)} for b in found.badges],
        "playlists": [{"id": p.id, "title": p.title(speaks), "done": p.done, "total": p.total,
                       "complete": p.complete} for p in found.playlists],
        "certificates": ([{"year": first.year, "label": year_label(first),
                           "url": certificate_url(first.year)}
                          for first in found.certificate_years]
                         if certificate_url is not None else []),
        "classes": [{"school": c.school, "class": c.name, "year": c.year}
                    for c in found.classes],
    }


async def own_profile(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    found = await progress.eprofile(app.db, user.id)
    if found is None:
        raise ApiError(404, "open the bot once first")
    speaks = language(request, app, found.language,
                      found.telegram_language or user.language_code)
    with app.i18n.use(speaks):
        texts = strings.translated()
    return json_ok(profile_json(
        found, texts=texts, speaks=speaks,
        badge_url=lambda award: app.signer.sign(f"/api/badges/{award}.png", user.id),
        certificate_url=lambda year: app.signer.sign(f"/api/certificates/{year}.pdf",
                                                     user.id)))


def png_response(png: bytes, filename: str) -> web.Response:
    return web.Response(body=png, content_type="image/png", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


async def badge_image(app: Web, award_id: int, owner: int) -> web.Response:
    """The award's PNG with its signed credential baked in, if it is `owner`'s."""
    document = await app.badges.render(award_id, for_user=owner, resent=True)
    if document is None:
        raise ApiError(404, "no such badge (or it was revoked)")
    return png_response(document.png, document.filename)


async def own_badge(request: web.Request) -> web.Response:
    return await badge_image(services(request),
                             int_arg(request.match_info["id"], "id", 1, 2**62),
                             user_of(request).id)


async def certificate(request: web.Request) -> web.Response:
    """A certificate of one school year's approved hours, issued now (as /export does)."""
    app, user = services(request), user_of(request)
    year = int_arg(request.match_info["year"], "year", 2000, 2100)
    issued = await certificates.issue_certificate(
        app.db, user.id, date(year, 9, 1), base_url=app.settings.public_base_url,
        now=datetime.now(UTC), require_full_name=True)
    with app.i18n.use(language(request, app, None, user.language_code)):
        pdf = await asyncio.to_thread(exports.certificate_pdf, issued.data)
    return web.Response(body=pdf, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="takas-certificate-{year}.pdf"',
        "Cache-Control": "private, no-store"})


def routes(api: web.Application) -> None:
    api.router.add_get("/profile", own_profile)
    api.router.add_get(r"/badges/{id:\d{1,12}}.png", own_badge)
    api.router.add_get(r"/certificates/{year:\d{4}}.pdf", certificate)
