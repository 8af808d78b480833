"""Who may do what in the Mini App's API: every route, called by a learner, a pupil (hours
and a badge with organisation A), an organizer of A, an organizer of B and an
administrator, against one documented table (the chat's matrix is
tests/handlers/test_authorization.py; the rules are the same services).

README.md's "Who may do what" shows this table too (`python -m tests.e2e.test_webapp_access`
prints it); a route registered without a row fails `test_every_route_has_a_row`. The
shared read-only link is checked here as well: read-only, and refused after revocation
or expiry. Failing cells are collected and reported together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import update

from bot.services import badges, orgs, privacy
from bot.services import hours as hour_rules
from bot.services.users import SeenUser, touch_user
from bot.storage.models import Membership, User, utcnow
from bot.storage.web_tables import WebappShare
from bot.usecases import profile as profile_usecase
from bot.web.app import api_app
from tests.fakes import FakeBotAPI
from tests.webapp import WebClient, served

README = Path(__file__).resolve().parents[2] / "README.md"
ADMIN, ORG_A, ORG_B, LEARNER, PUPIL = 920, 921, 922, 923, 924
ROLES = {"learner": LEARNER, "pupil": PUPIL, "organizer_a": ORG_A, "organizer_b": ORG_B,
         "admin": ADMIN}
A, B = "Utenos biblioteka", "Kauno mokykla"


def each(status: int, **others: int) -> dict[str, int]:
    return {role: others.get(role, status) for role in ROLES}


# (method, path, body, what it stands for): {role: status}. Placeholders: see `world`.
# Requests that change something run last within the table's order of roles (the owner
# after the others), so a permitted change never precedes the others' attempts.
TABLE: list[tuple[str, str, Any, str, dict[str, int]]] = [
    ("GET", "/api/me", None, "who one is, the pages' texts", each(200)),
    ("GET", "/api/map?bbox=20,53,29,60&zoom=6", None, "the map", each(200)),
    ("GET", "/api/items/{item}", None, "an opportunity's card", each(200)),
    ("GET", "/api/items/{item}.ics", None, "an opportunity's calendar file", each(200)),
    ("POST", "/api/follow", {"item": "{item}"}, "follow an opportunity's organiser",
     each(200)),
    ("DELETE", "/api/follow", {"item": "{item}"}, "stop following it", each(200)),
    ("GET", "/api/profile", None, "one's own e-profile", each(200)),
    ("GET", "/api/badges/{award}.png", None, "the pupil's badge picture",
     each(404, pupil=200)),
    ("GET", "/api/certificates/{year}.pdf", None, "a certificate of one's own hours",
     each(409, pupil=200)),
    ("GET", "/api/pending", None, "one's verification queue", each(200)),
    ("POST", "/api/pending/{entry}", {"action": "approve"}, "approve an entry of A",
     each(403, organizer_a=200)),
    ("POST", "/api/pending/{entry2}", {"action": "reject", "reason": "absent"},
     "reject an entry of A", each(403, organizer_a=200)),
    ("GET", "/api/reports/{org_a}.csv", None, "A's report (CSV)",
     each(403, organizer_a=200, admin=200)),
    ("GET", "/api/reports/{org_a}.pdf", None, "A's report (PDF)",
     each(403, organizer_a=200, admin=200)),
    ("POST", "/api/sign", {"path": "/api/reports/{org_a}.pdf"}, "a signed download link",
     each(200)),
    ("POST", "/api/share", {"days": 7}, "make a read-only link to one's e-profile",
     each(201)),
    ("GET", "/api/shares", None, "one's read-only links", each(200)),
    ("GET", "/api/shared/{token}", None, "a read-only link (no initData needed)",
     each(200)),
    ("GET", "/api/shared/{token}/badges/{award}.png", None,
     "a badge through a read-only link", each(200)),
    ("DELETE", "/api/share/{share}", None, "revoke the pupil's link", each(404, pupil=200)),
]
# The pupil's read-only link is revoked by the table's last row, after the rows reading it.
SHOWN = {"{item}": "ID", "{award}": "AWARD", "{year}": "YEAR", "{entry}": "ENTRY",
         "{entry2}": "ENTRY", "{org_a}": "ORG", "{share}": "LINK", "{token}": "TOKEN"}
ORDER = ("learner", "organizer_b", "admin", "pupil", "organizer_a")


@pytest.fixture
async def world(fake: FakeBotAPI, make_settings, i18n) -> AsyncIterator[WebClient]:
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url,
                             admin_ids=str(ADMIN))
    async with served(settings, i18n, fake.token) as client:
        values: dict[str, Any] = {}
        for role, uid in ROLES.items():  # each has a private chat with the bot
            fake.user(uid, first_name=role.title(), language_code="en")
        db = client.application.bot_data.db
        async with db.transaction() as session:
            for role, uid in ROLES.items():
                await touch_user(session, SeenUser(uid, role.title(), None, "en"),
                                 is_admin=uid == ADMIN)
            await session.execute(update(User).where(User.id == PUPIL)
                                  .values(full_name="Ona Onaitė"))
            a = await orgs.create_organisation(session, A, actor_id=ADMIN, is_admin=True)
            b = await orgs.create_organisation(session, B, actor_id=ADMIN, is_admin=True)
            session.add(Membership(organisation_id=a.id, user_id=ORG_A))
            session.add(Membership(organisation_id=b.id, user_id=ORG_B))
            await session.flush()
            for n in (1, 2, 3):
                entry, _new = await hour_rules.log_entry(session, hour_rules.NewEntry(
                    user_id=PUPIL, organisation_id=a.id, activity=f"Talka {n}",
                    day=hour_rules.today(), minutes=90, key=f"web-{n}", note="Su tėčiu"))
                values[f"e{n}"] = entry.id
            await hour_rules.decide(session, values["e3"], organizer_id=ORG_A, approve=True)
            badge = await badges.create_badge(
                session, a.id, actor_id=ORG_A, name="Pagalbininkas", description="Helped",
                criteria="Chosen by the organizers")
            award, _new = await badges.award_by_hand(session, badge.id, PUPIL, actor_id=ORG_A)
        made = await client.post("/api/share", PUPIL, body={"days": 30})
        assert made.status == 201
        points = await client.get("/api/map?bbox=20,53,29,60&zoom=6&limit=500", PUPIL)
        item = next(i["id"] for i in points.body["items"] if i["provider"] and i["start"])
        values.update(item=item, award=award.id, entry=values["e1"], entry2=values["e2"],
                      org_a=a.id, year=hour_rules.school_year(hour_rules.today())[0].year,
                      share=made.body["id"], token=made.body["url"].rsplit("/", 1)[-1])
        client.application.bot_data.extras["values"] = values
        yield client


def fill(text: str, values: dict[str, Any]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def filled(body: Any, values: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return {key: filled(value, values) for key, value in body.items()}
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return values[body[1:-1]]
    return fill(body, values) if isinstance(body, str) else body


async def test_each_role_reaches_exactly_what_the_table_says(world: WebClient) -> None:
    values = world.application.bot_data.extras["values"]
    failures = []
    for method, template, body, meaning, expected in TABLE:
        path = fill(template, values)
        for role in ORDER:
            anonymous = template.startswith("/api/shared/")
            answer = await world.call(method, path, None if anonymous else ROLES[role],
                                      body=filled(body, values))
            if answer.status != expected[role]:
                failures.append(f"{method} {template} ({meaning}) as {role}: {answer.status}"
                                f", expected {expected[role]}: {answer.body!r:.200}")
    assert not failures, "\n".join(failures)


async def test_every_route_has_a_row() -> None:
    app = api_app()
    app.freeze()
    reached = set()
    for method, template, *_rest in TABLE:
        path = template.split("?")[0].removeprefix("/api")
        dummies = dict.fromkeys(("item", "award", "entry", "entry2", "org_a", "share"), 1)
        path = fill(path, {"token": "T" * 32, "year": 2026, **dummies})
        match = await app.router.resolve(make_mocked_request(method, path))
        assert match.http_exception is None, f"{method} {template} reaches no route"
        reached.add(match.route)
    routes = {route for route in app.router.routes() if route.method != "HEAD"}
    missing = sorted(f"{r.method} {r.resource.canonical}" for r in routes - reached
                     if r.resource is not None)
    assert not missing, f"routes without a row in TABLE: {missing}"


async def test_the_shared_link_is_read_only_and_ends(world: WebClient) -> None:
    values = world.application.bot_data.extras["values"]
    link = f"/api/shared/{values['token']}"
    shown = await world.get(link + "?lang=de")
    assert shown.status == 200
    profile = (await world.get("/api/profile", PUPIL)).body
    for key in ("approved", "pending", "target", "status", "years", "badges", "playlists",
                "classes"):
        if key == "badges":
            assert [b["name"] for b in shown.body[key]] == [b["name"] for b in profile[key]]
        else:
            assert shown.body[key] == profile[key], key
    assert shown.body["certificates"] == []
    assert all(entry["note"] is None and entry["reason"] is None
               for entry in shown.body["entries"])
    assert any(entry["note"] == "Su tėčiu" for entry in profile["entries"])
    assert shown.body["language"] == "de"
    assert shown.body["strings"]["shared.gone"] == \
        "Dieser Link ist abgelaufen oder wurde widerrufen."
    picture = await world.get(shown.body["badges"][0]["image_url"])
    assert picture.status == 200
    assert picture.body.startswith(b"\x89PNG")
    for method in ("POST", "DELETE"):  # nothing in it changes anything
        assert (await world.call(method, link)).status == 405
    for path in ("/api/profile", "/api/shares", "/api/me"):  # the token opens nothing else
        assert (await world.get(path, headers={"Authorization": f"tma {values['token']}"}
                                )).status == 401

    # expired: the link's time is up
    async with world.application.bot_data.db.transaction() as session:
        await session.execute(update(WebappShare).where(WebappShare.id == values["share"])
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    gone = await world.get(link + "?lang=lt")
    assert (gone.status, gone.body["error"]) == (410, "gone")
    assert gone.body["strings"]["shared.gone"] == "Ši nuoroda nebegalioja arba buvo atšaukta."
    assert (await world.get(shown.body["badges"][0]["image_url"])).status == 410
    listed = (await world.get("/api/shares", PUPIL)).body["shares"]
    assert [(s["id"], s["active"], s["revoked"]) for s in listed] == [
        (values["share"], False, False)]

    # revoked: a fresh link works until its owner revokes it
    fresh = await world.post("/api/share", PUPIL, body={})
    token = fresh.body["url"].rsplit("/", 1)[-1]
    assert fresh.body["url"].startswith(world.base + "/app/shared/")
    assert (await world.get(f"/api/shared/{token}")).status == 200
    assert (await world.delete(f"/api/share/{fresh.body['id']}", LEARNER)).status == 404
    assert (await world.get(f"/api/shared/{token}")).status == 200
    revoked = await world.delete(f"/api/share/{fresh.body['id']}", PUPIL)
    assert revoked.body == {"revoked": True}
    assert (await world.get(f"/api/shared/{token}")).status == 410
    assert (await world.get("/api/shared/" + "x" * 32)).status == 404
    assert (await world.post("/api/share", PUPIL, body={"days": 91})).status == 400


async def test_forgetting_the_pupil_ends_their_links(world: WebClient) -> None:
    values = world.application.bot_data.extras["values"]
    db = world.application.bot_data.db
    async with db.transaction() as session:
        mine = (await privacy.personal_data(session, PUPIL))["shared_links"]
    assert len(mine) == 1
    assert mine[0]["revoked_at"] is None
    await profile_usecase.forget(db, PUPIL)
    assert (await world.get(f"/api/shared/{values['token']}")).status == 404


async def test_the_profile_shows_what_hours_says(world: WebClient, fake: FakeBotAPI) -> None:
    profile = (await world.get("/api/profile", PUPIL)).body
    assert (profile["approved"], profile["pending"]) == (1.5, 3.0)
    assert [b["name"] for b in profile["badges"]] == ["Pagalbininkas"]
    assert {e["status"] for e in profile["entries"]} == {"approved", "pending"}
    assert profile["certificates"][0]["year"] == profile["school_year"]
    fake.send_text(fake.user(PUPIL, language_code="en"), "/hours")
    await fake.wait_idle()
    texts = [m.text for m in fake.messages(PUPIL) if m.text]
    assert "Approved: 1.5 h · waiting: 3 hours" in texts[-1]


async def test_decisions_are_safe_to_send_twice(world: WebClient, fake: FakeBotAPI) -> None:
    values = world.application.bot_data.extras["values"]
    queue = (await world.get("/api/pending", ORG_A)).body["entries"]
    assert [e["id"] for e in queue] == [values["e1"], values["e2"]]
    assert queue[0]["pupil"] == "Ona Onaitė"
    assert queue[0]["note"] == "Su tėčiu"
    assert (await world.get("/api/pending", ORG_B)).body["entries"] == []
    path = f"/api/pending/{values['e1']}"
    first = await world.post(path, ORG_A, body={"action": "approve"})
    again = await world.post(path, ORG_A, body={"action": "approve"})
    assert (first.body["already"], again.body["already"]) == (False, True)
    other = await world.post(path, ORG_A, body={"action": "reject", "reason": "absent"})
    assert (other.status, other.body["error"]) == (409, "already_decided")
    assert (await world.post(f"/api/pending/{values['e2']}", ORG_A,
                             body={"action": "reject"})).status == 400
    await fake.wait_idle()  # the pupil hears of it once
    assert sum("approved" in (m.text or "") for m in fake.messages(PUPIL)) == 1


def readme_table() -> str:
    """README's table of the Mini App's API, rendered from TABLE."""
    head = "| | " + " | ".join(role.replace("_", " ") for role in ROLES) + " |"
    lines = [head, "|---" * (len(ROLES) + 1) + "|"]
    for method, template, _body, meaning, expected in TABLE:
        shown = template
        for placeholder, name in SHOWN.items():
            shown = shown.replace(placeholder, name)
        lines.append(f"| `{method} {shown}` {meaning} | " + " | ".join(
            ("✔ " if expected[r] < 300 else "✖ ") + str(expected[r]) for r in ROLES) + " |")
    return "\n".join(lines)


def test_the_readme_documents_this_table() -> None:
    assert readme_table() in README.read_text(encoding="utf-8"), \
        "run `python -m tests.e2e.test_webapp_access` and paste it into README.md"


if __name__ == "__main__":
    print(readme_table())
