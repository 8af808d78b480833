"""The Mini App served beside the bot: initData checked as Telegram documents it (valid,
forged, expired, missing), the pages and their files, JSON errors without internals,
request limits, and a follow made in the Mini App that /following shows in the chat."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.flood import FloodGuard
from bot.web import pages
from bot.web.context import Limits
from tests.fakes import FakeBotAPI
from tests.webapp import WebClient, init_data, served

PUPIL, STRANGER = 501, 502


@pytest.fixture
async def web(bot_settings, fake: FakeBotAPI, i18n):
    async with served(bot_settings, i18n, fake.token) as client:
        yield client


async def test_me_answers_the_user_initdata_names(web: WebClient) -> None:
    answer = await web.get("/api/me?lang=lt", PUPIL, first_name="Ona", language_code="en")
    assert answer.status == 200
    body = answer.body
    assert body["user"] == {"id": PUPIL, "first_name": "Ona", "language": "lt"}
    assert body["roles"] == ["learner"]
    assert body["organisations"] == []
    assert body["strings"]["nav.map"] == "Žemėlapis"
    assert body["config"]["dev"] is False
    assert "{z}" in body["config"]["tile_url"]
    english = await web.get("/api/me", PUPIL, language_code="en")
    assert english.body["strings"]["nav.map"] == "Map"
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("header", [
    None, "tma ", "tma garbage", "Bearer abc", "dev anything",
    "tma " + init_data("999:other-bot", PUPIL),
    "tma " + init_data("{token}", PUPIL, auth_date=int(time.time()) - 86400 - 60),
], ids=["missing", "empty", "garbage", "other-scheme", "dev-without-dev-login",
        "forged-by-another-bot", "expired"])
async def test_every_api_call_without_valid_initdata_is_401(web: WebClient,
                                                            header: str | None) -> None:
    headers = {"Authorization": header.replace("{token}", web.token)} if header else {}
    if header and "{token}" in header:  # signed with this bot's token but a day old
        headers = {"Authorization": "tma " + init_data(
            web.token, PUPIL, auth_date=int(time.time()) - 86400 - 60)}
    for path in ("/api/me", "/api/map?bbox=20,53,29,60", "/api/profile", "/api/pending",
                 "/api/shares", "/api/items/1", "/api/badges/1.png"):
        answer = await web.get(path, headers=headers)
        assert answer.status == 401, path
        assert answer.body["error"] == "unauthorized"
        assert web.token not in str(answer.body)
    answer = await web.post("/api/follow", body={"item": 1}, headers=headers)
    assert answer.status == 401


async def test_a_follow_made_in_the_mini_app_shows_in_the_chats_following(
        web: WebClient, fake: FakeBotAPI) -> None:
    found = await web.get("/api/map?bbox=25.0,54.5,25.5,54.9&zoom=12", PUPIL)
    item = next(i for i in found.body["items"] if i["provider"])
    card = await web.get(f"/api/items/{item['id']}", PUPIL)
    assert card.body["following"] is False
    assert card.body["follow"] == {"provider": item["provider"]}
    followed = await web.post("/api/follow", PUPIL, body={"item": item["id"]})
    assert followed.status == 200
    assert followed.body == {"following": True, "kind": "provider",
                             "label": item["provider"], "created": True}
    again = await web.post("/api/follow", PUPIL, body={"provider": item["provider"]})
    assert again.body["created"] is False
    assert (await web.get(f"/api/items/{item['id']}", PUPIL)).body["following"] is True

    user = fake.user(PUPIL, language_code="en")
    fake.send_text(user, "/following")
    await fake.wait_idle()
    assert f"1. 🏛 {item['provider']} — right away" in fake.messages(PUPIL)[-1].text

    stopped = await web.delete("/api/follow", PUPIL, body={"item": item["id"]})
    assert stopped.body["following"] is False
    fake.send_text(user, "/following")
    await fake.wait_idle()
    assert "What you follow" not in fake.messages(PUPIL)[-1].text
    unknown = await web.post("/api/follow", PUPIL, body={"provider": "Nobody at all"})
    assert (unknown.status, unknown.body["error"]) == (409, "provider_unknown")


async def test_pages_and_files_are_served_with_their_types_and_policy(
        web: WebClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    static = tmp_path / "static"
    (static / "vendor" / "lib-1.0").mkdir(parents=True)
    for name in pages.PAGES.values():
        (static / name).write_text(f"<!doctype html><title>{name}</title>")
    (static / "app.js").write_text("console.log(1)")
    (static / "vendor" / "lib-1.0" / "lib.css").write_text("a{}")
    (tmp_path / "secret.txt").write_text("outside")
    monkeypatch.setattr(pages, "STATIC", static)
    for path, name in (("/app/", "map.html"), ("/app/profile", "profile.html"),
                       ("/app/organizer", "organizer.html"),
                       ("/app/shared/" + "A" * 32, "shared.html")):
        page = await web.get(path)
        assert page.status == 200, path
        assert name.encode() in page.body
        assert page.headers["Content-Type"].startswith("text/html")
        assert "frame-ancestors 'self' https://web.telegram.org" in page.headers[
            "Content-Security-Policy"]
        assert "https://tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
        assert page.headers["Cache-Control"] == "no-cache"
    script = await web.get("/app/static/app.js")
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["Cache-Control"] == "public, max-age=3600"
    vendored = await web.get("/app/static/vendor/lib-1.0/lib.css")
    assert vendored.headers["Content-Type"].startswith("text/css")
    assert "immutable" in vendored.headers["Cache-Control"]
    for sneaky in ("/app/static/../secret.txt", "/app/static/%2e%2e/secret.txt",
                   "/app/static/.hidden", "/app/static/vendor/../../secret.txt"):
        assert (await web.get(sneaky)).status == 404, sneaky
    assert (await web.get("/app")).status == 308


async def test_errors_are_json_without_internals_and_bodies_are_limited(
        web: WebClient, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = await web.get("/api/map?bbox=1,2,3", PUPIL)
    assert (bad.status, bad.body["error"]) == (400, "bad_request")
    missing = await web.get("/api/items/999999", PUPIL)
    assert (missing.status, missing.body["error"]) == (404, "not_found")
    nothing = await web.get("/api/nothing", PUPIL)
    assert (nothing.status, nothing.body["error"]) == (404, "not_found")
    large = await web.post("/api/follow", PUPIL, raw=b'{"provider": "' + b"x" * 20000 + b'"}')
    assert (large.status, large.body["error"]) == (413, "too_large")
    not_json = await web.post("/api/follow", PUPIL, raw=b"{nope")
    assert (not_json.status, not_json.body["error"]) == (400, "bad_request")

    from bot.usecases import people

    async def broken(*args, **kwargs):
        raise RuntimeError(f"secret detail {web.token}")

    monkeypatch.setattr(people, "who", broken)
    failed = await web.get("/api/me", PUPIL)
    assert failed.status == 500
    assert failed.body == {"error": "internal", "message": "something went wrong on our side"}


async def test_each_user_is_rate_limited(web: WebClient) -> None:
    # A burst of 5 refilled at one every 100 s, so the machine's speed does not matter.
    web.site.services.limits = Limits(calls=FloodGuard(5, 0.01))
    statuses = [(await web.get("/api/shares", STRANGER)).status for _ in range(6)]
    assert statuses[0] == 200
    assert statuses[-1] == 429
    limited = await web.get("/api/shares", STRANGER)
    assert int(limited.headers["Retry-After"]) >= 1
    assert (await web.get("/api/shares", PUPIL)).status == 200  # others are not slowed


async def test_the_webhook_process_serves_the_mini_app(
        make_settings, fake: FakeBotAPI, i18n, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.test_webhook import SECRET, free_port, serving

    port = free_port()
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url,
                             webhook_url=f"http://127.0.0.1:{port}/telegram",
                             webhook_secret=SECRET)
    async with serving(settings, i18n, port, monkeypatch) as running:
        auth = {"Authorization": "tma " + init_data(fake.token, PUPIL)}
        async with running.http.get(f"{running.url}/api/me", headers=auth) as response:
            assert response.status == 200
            assert (await response.json())["user"]["id"] == PUPIL
        async with running.http.get(f"{running.url}/api/me") as response:
            assert response.status == 401
        async with running.http.get(f"{running.url}/app/") as response:
            assert response.status == 200
            assert "frame-ancestors" in response.headers["Content-Security-Policy"]
        async with running.http.get(f"{running.url}/healthz") as response:
            assert response.status == 200  # its own routes are still there
