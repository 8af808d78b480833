"""Whose badge is valid, and whether it was revoked (issue 15, items 7 and 12), end to end:
a deployment with no public address (no PUBLIC_URL, no WEBHOOK_URL: its credentials carry
no status list) awards a badge through the chat and revokes it; `python -m bot badge
verify` and `POST /badges/verify` then say "revoked", because the deployment's own
database is asked. A badge anyone signed with a key of their own is "signature valid,
issuer unknown" (exit 1), unless `--issuer`/`?issuer=` names that issuer. A status list
named in a credential is fetched only through the feeds' SSRF guard."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import badge_check
from bot.app import build_application, running
from bot.badges import credential, image, keys, status, vcjwt
from bot.cli import badge as badge_commands
from bot.context import TakasApplication
from bot.transports.webhook import WebhookConfig, WebhookServer
from tests.conftest import REPO, subprocess_env
from tests.e2e.test_badges import log_and_approve, revoke_from_chat, the_badge_received
from tests.e2e.test_hours import ORGANIZER, open_school
from tests.fakes import FakeBotAPI
from tests.unit.test_badges_library import an_award

SECRET = "s3cret_for-trust"


@pytest.fixture
async def school(fake: FakeBotAPI, make_settings, i18n) -> AsyncIterator[TakasApplication]:
    """A deployment with no public address at all, a school and its organizer."""
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, admin_ids="900")
    assert settings.badge_base_url is None
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        await open_school(fake)
        yield application


async def cli(settings, path: Path, *options: str, key: str | None = None) -> tuple[int, str]:
    """`python -m bot badge verify` as this deployment (its database and, by default, its
    signing key) would run it."""
    signing_key = key if key is not None else settings.badge_signing_key.get_secret_value()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "badge", "verify", str(path), "--offline", *options,
        cwd=REPO, env=subprocess_env(DATABASE_URL=settings.database_url,
                                     BADGE_SIGNING_KEY=signing_key),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def web_verify(http: aiohttp.ClientSession, server: TestServer, png: bytes,
                     query: str = "") -> dict[str, object]:
    async with http.post(server.make_url("/badges/verify" + query), data=png) as reply:
        assert reply.status == 200
        body: dict[str, object] = await reply.json()
        return body


def stranger_badge(tmp_path: Path) -> tuple[Path, keys.SigningKey]:
    """A badge anyone can make: a key of their own, a credential naming it."""
    stranger = keys.SigningKey.generate()
    token = vcjwt.sign(credential.build(an_award(status=None), stranger.did), stranger)
    path = tmp_path / "self-signed.png"
    path.write_bytes(image.bake(image.render("Champion", "gold", "star"), token))
    return path, stranger


async def test_revoked_without_a_public_address_and_unknown_issuers(
        fake: FakeBotAPI, school: TakasApplication, tmp_path: Path) -> None:
    settings = school.bot_data.settings
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/badge new Skaitovas; Reads to children; 1 approved hour; 1")
    await fake.wait_for_messages(ORGANIZER, 2)
    await log_and_approve(fake, "/log 1 Reading to children")
    png = (await the_badge_received(fake)).document.content
    assert "credentialStatus" not in vcjwt.verify(image.extract(png) or "")
    ours = tmp_path / "ours.png"
    ours.write_bytes(png)
    strangers, stranger = stranger_badge(tmp_path)

    # Before revocation: ours is valid without naming anyone; the stranger's is not.
    code, output = await cli(settings, ours)
    assert code == 0, output
    assert "VALID: The badge is valid." in output
    assert "revocation: checked" in output
    code, output = await cli(settings, strangers)
    assert code == 1, output
    assert output.startswith("SIGNATURE VALID, ISSUER UNKNOWN:")
    assert "reason: issuer_unknown" in output
    assert f"--issuer {stranger.did}" in output
    code, output = await cli(settings, strangers, "--issuer", stranger.did, "--json")
    assert code == 0, output
    assert (json.loads(output)["valid"], json.loads(output)["status_checked"]) == (True, False)
    # Run elsewhere, with another deployment's key, ours is an unknown issuer too.
    code, output = await cli(settings, ours, key=keys.SigningKey.generate().seed())
    assert (code, "reason: issuer_unknown" in output) == (1, True), output

    config = WebhookConfig(url="https://unused.example/telegram", path="/telegram",
                           secret=SECRET)
    server = TestServer(WebhookServer(school, config).web_app())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            body = await web_verify(http, server, png)
            assert (body["valid"], body["reason"], body["status_checked"]) == (True, "ok", True)
            body = await web_verify(http, server, strangers.read_bytes())
            assert (body["valid"], body["reason"], body["signature_valid"]) == (
                False, "issuer_unknown", True)
            assert "issuer" in str(body["message"])
            body = await web_verify(http, server, strangers.read_bytes(),
                                    f"?issuer={stranger.did}")
            assert (body["valid"], body["reason"]) == (True, "ok")

            await revoke_from_chat(fake)

            body = await web_verify(http, server, png)
            assert (body["valid"], body["reason"], body["status_checked"]) == (
                False, "revoked", True)
    finally:
        await server.close()
    code, output = await cli(settings, ours)
    assert code == 1, output
    assert "INVALID: The badge was revoked by its issuer." in output
    assert "revocation: checked" in output


async def test_a_status_list_is_fetched_only_through_the_ssrf_guard(tmp_path: Path) -> None:
    """A credential may name any status list address; one on this machine (or the private
    network) is not fetched, so a badge cannot make the verifier call inside."""
    hits: list[str] = []

    async def status_list(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="x.y.z")

    app = web.Application()
    app.router.add_get("/list", status_list)
    inside = TestServer(app, host="127.0.0.1")
    await inside.start_server()
    try:
        stranger = keys.SigningKey.generate()
        entry = status.entry(str(inside.make_url("")).rstrip("/"), 7)
        entry["statusListCredential"] = str(inside.make_url("/list"))
        token = vcjwt.sign(credential.build(an_award(status=entry), stranger.did), stranger)
        png = image.bake(image.render("X", "red", "star"), token)
        verdict = await badge_commands.check(None, png, issuer=stranger.did)
        assert (verdict.code, verdict.status_checked) == ("ok", False)
        assert await badge_check.revoked_in_list(entry, stranger.did) is None
        assert hits == []
    finally:
        await inside.close()
