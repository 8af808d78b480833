"""Open Badges end to end over the fake Bot API: an organizer defines a badge, a pupil's
hours are approved, the pupil receives a PNG document whose credential verifies (here, with
`python -m bot badge verify` and at the webhook's /badges/verify); /badges sends it again;
revoked from chat, it no longer verifies."""

from __future__ import annotations

import asyncio
import json
import sys
from io import BytesIO
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from PIL import Image

from bot.app import build_application, running
from bot.badges import image, status, vcjwt
from bot.badges.keys import SigningKey
from bot.badges.verify import verify
from bot.storage.models import utcnow
from bot.transports.webhook import WebhookServer, webhook_config
from tests.conftest import REPO, subprocess_env
from tests.e2e.test_hours import ORGANIZER, PUPIL, button, open_school, press
from tests.fakes import FakeBotAPI, SentMessage

SECRET = "s3cret_for-badges"


@pytest.fixture
async def school(fake: FakeBotAPI, make_settings, i18n):
    """The bot (with a public address, so credentials name their status list), a school
    and its organizer, set up through the chat."""
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, admin_ids="900",
                             webhook_url="https://takas.example/telegram",
                             webhook_secret=SECRET)
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        await open_school(fake)
        yield application


async def cli_verify(settings, path: Path, *options: str) -> tuple[int, str]:
    """The CLI as run by this deployment: its database and its signing key."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "badge", "verify", str(path), "--offline", *options,
        cwd=REPO,
        env=subprocess_env(DATABASE_URL=settings.database_url,
                           BADGE_SIGNING_KEY=settings.badge_signing_key.get_secret_value()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def log_and_approve(fake: FakeBotAPI, text: str) -> None:
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, text)
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]
    if any(label.startswith("Utenos gimnazija") for label, _ in flow.buttons):
        flow = await press(fake, pupil, PUPIL, "Utenos gimnazija")
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()
    to_verify = fake.messages(ORGANIZER)[-1]
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"))
    fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"), forge=True)
    await fake.wait_idle()


async def revoke_from_chat(fake: FakeBotAPI) -> None:
    """The organizer revokes Ona's «Skaitovas» from chat, with a confirmation."""
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/badge")
    await fake.wait_idle()
    await press(fake, organizer, ORGANIZER, "🏅 Skaitovas")
    await press(fake, organizer, ORGANIZER, "Revoke…")
    await press(fake, organizer, ORGANIZER, "Ona")
    done = await press(fake, organizer, ORGANIZER, "Yes, revoke")
    assert done.text == "Revoked: the badge no longer verifies."


def badge_files(fake: FakeBotAPI) -> list[SentMessage]:
    return [m for m in fake.messages(PUPIL) if m.document and m.document.filename.endswith(".png")]


async def the_badge_received(fake: FakeBotAPI) -> SentMessage:
    """The one badge document the pupil got, once the worker's sender delivered it."""
    await fake.wait_for_request(
        "sendDocument", lambda r: r.ok and str(r.params.get("chat_id")) == str(PUPIL),
        timeout=30)
    await fake.wait_idle()
    [received] = badge_files(fake)
    return received


async def test_defined_earned_received_verified_resent_revoked(
        fake: FakeBotAPI, school, tmp_path: Path) -> None:
    settings = school.bot_data.settings
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/badge new Skaitovas; Reads to children at the library; "
                              "2 approved hours in a school year; 2")
    [_welcome, created] = await fake.wait_for_messages(ORGANIZER, 2)
    assert created.text.startswith("Badge created for Utenos gimnazija")
    assert "Rule: earned at 2 h approved in a school year" in created.text
    fake.press_button(organizer, created, button(created, "📖"))  # the book emblem
    await fake.wait_idle()

    await log_and_approve(fake, "/log 1 Reading to children")
    assert badge_files(fake) == []  # 1 h of 2: not yet
    await log_and_approve(fake, "/log 1h30 Reading to children")
    received = await the_badge_received(fake)
    assert received.caption.startswith("🏅 You earned the badge «Skaitovas» from Utenos gimnazija!")
    assert "Verified hours: 2.5 h." in received.caption
    png = received.document.content
    with Image.open(BytesIO(png)) as picture:
        picture.load()
        assert picture.format == "PNG"
    verdict = verify(png, now=utcnow())
    assert verdict.code == "ok"
    assert verdict.issuer == school.bot_data.badges.issuer.key.did
    assert verdict.achievement == "Skaitovas"
    path = tmp_path / received.document.filename
    path.write_bytes(png)
    code, output = await cli_verify(settings, path, "--issuer", verdict.issuer)
    assert code == 0, output
    assert "VALID: The badge is valid." in output
    assert "revocation: checked" in output
    assert f"issuer: {verdict.issuer}" in output
    code, output = await cli_verify(settings, path, "--issuer", SigningKey.generate().did,
                                    "--json")
    assert code == 1
    assert json.loads(output)["reason"] == "issuer_mismatch"

    # /badges lists it and sends it again, unchanged.
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/badges")
    await fake.wait_idle()
    listing = fake.messages(PUPIL)[-1]
    assert "Skaitovas, Utenos gimnazija" in listing.text
    fake.press_button(pupil, listing, button(listing, "Send «Skaitovas»"))
    await fake.wait_idle()
    resent = badge_files(fake)[-1]
    assert len(badge_files(fake)) == 2
    assert image.extract(resent.document.content) == image.extract(png)

    # The webhook server checks an upload, serves the status list.
    issuer = school.bot_data.badges.issuer
    server = TestServer(WebhookServer(school, webhook_config(settings)).web_app())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            form = aiohttp.FormData()
            form.add_field("file", png, filename="badge.png", content_type="image/png")
            async with http.post(server.make_url("/badges/verify?lang=lt"), data=form) as reply:
                assert reply.status == 200
                body = await reply.json()
            assert body["valid"] is True
            assert body["reason"] == "ok"
            assert body["achievement"] == "Skaitovas"
            assert body["message"] != "The badge is valid."  # in Lithuanian
            async with http.post(server.make_url("/badges/verify"), data=b"not a png") as reply:
                assert (await reply.json())["reason"] == "no_credential"

            await revoke_from_chat(fake)

            async with http.post(server.make_url("/badges/verify"), data=png) as reply:
                body = await reply.json()
            assert (body["valid"], body["reason"]) == (False, "revoked")
            entry = vcjwt.verify(image.extract(png) or "")["credentialStatus"]
            async with http.get(server.make_url("/badges/status/0")) as reply:
                assert reply.content_type == "application/vc+jwt"
                listed = vcjwt.verify(await reply.text())
            assert vcjwt.issuer_id(listed) == issuer.key.did
            assert entry["statusListCredential"] == "https://takas.example/badges/status/0"
            assert status.revoked_in(listed, entry)
    finally:
        await server.close()
    code, output = await cli_verify(settings, path)
    assert code == 1
    assert "INVALID: The badge was revoked by its issuer." in output
    fake.send_text(pupil, "/badges")
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith("No badges yet.")
    assert fake.rejected == []
