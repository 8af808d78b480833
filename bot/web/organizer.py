"""The organizer's page's API: the verification queue with approve and reject, and the
school year's reports (CSV for the e-diary, PDF summary) to download.

The same use cases as the chat's /pending, Approve/Reject buttons and /report: only
organizers of the entry's (or report's) organisation may act (403 otherwise), and a
decision submitted twice is answered, not made twice.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.errors import Refusal
from bot.usecases import reports, verification
from bot.web.api import is_admin, language
from bot.web.context import services
from bot.web.http import ApiError, int_arg, json_ok, read_json, user_of

REASONS = ("absent", "hours", "organisation", "evidence")  # as the chat's Reject offers
FORBIDDEN = {"not_your_org", "own_hours"}
MISSING = {"entry_unknown", "org_unknown"}


def _refused(refusal: Refusal) -> ApiError:
    if refusal.code in FORBIDDEN:
        return ApiError(403, "only organizers of that organisation can do that", refusal.code)
    if refusal.code in MISSING:
        return ApiError(404, "no such entry or organisation", refusal.code)
    return ApiError(409, "refused by the rules", refusal.code)


async def pending(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    queue = await verification.pending_queue(app.db, user.id)
    return json_ok({"entries": [{
        "id": e.id, "pupil": e.pupil, "class": e.school_class, "organisation": e.organisation,
        "organisation_id": e.organisation_id, "activity": e.activity,
        "date": e.day.isoformat(), "hours": round(e.minutes / 60, 2), "note": e.note,
        "has_photo": e.has_photo} for e in queue]})


async def decide(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    entry_id = int_arg(request.match_info["id"], "id", 1, 2**62)
    body = await read_json(request)
    action, reason = body.get("action"), body.get("reason")
    if action not in ("approve", "reject"):
        raise ApiError(400, 'action is "approve" or "reject"')
    if action == "reject" and reason not in REASONS:
        raise ApiError(400, f"a rejection needs a reason: one of {', '.join(REASONS)}")
    try:
        view, already = await verification.decide_once(
            app.db, entry_id, user.id, approve=action == "approve",
            reason=reason if action == "reject" else None)
    except Refusal as refusal:
        raise _refused(refusal) from None
    if not already:
        app.wake_sender()  # the pupil's outcome was queued
    return json_ok({"id": view.id, "status": view.status, "already": already})


async def report(request: web.Request) -> web.Response:
    app, user = services(request), user_of(request)
    ending = request.match_info["ending"]
    query = request.query
    year = int_arg(query["year"], "year", 2000, 2100) if query.get("year") else None
    school_class = query.get("class", "").strip()[:8] or None
    with app.i18n.use(language(request, app, None, user.language_code)):
        try:
            found = await reports.organisation_reports(
                app.db, user.id, organisation=request.match_info["org"], year=year,
                class_text=school_class, is_admin=is_admin(app, user))
        except Refusal as refusal:
            raise _refused(refusal) from None
    files = found[0]
    name = reports.csv_name(files) if ending == "csv" else reports.pdf_name(files)
    return web.Response(
        body=files.csv if ending == "csv" else files.pdf,
        content_type="text/csv" if ending == "csv" else "application/pdf",
        charset="utf-8" if ending == "csv" else None,
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "private, no-store"})


def routes(api: web.Application) -> None:
    api.router.add_get("/pending", pending)
    api.router.add_post(r"/pending/{id:\d{1,12}}", decide)
    api.router.add_get(r"/reports/{org:\d{1,9}}.{ending:csv|pdf}", report)
