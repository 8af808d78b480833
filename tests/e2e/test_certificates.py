"""Certificates end to end over the fake Bot API: hours in two school years, /export offers a
certificate per school year, its QR code (read with zxing-cpp from the PDF as poppler renders
it) opens the public page `/verify/<code>` of the web process, which says valid; anyone can
/verify the code in the chat; an administrator /revoke-s it and the page says revoked.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import zxingcpp
from aiohttp.test_utils import TestServer
from PIL import Image

from bot.app import build_application, running
from bot.services.hours import school_year, today
from bot.transports.webhook import WebhookServer, webhook_config
from tests.e2e.test_hours import ADMIN, ORGANIZER, PUPIL, STRANGER, button, open_school, press
from tests.fakes import FakeBotAPI, SentMessage

PUBLIC = "https://takas.example"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (installed by .ci/run) renders the PDF for the QR decoder")


@pytest.fixture
async def school(fake: FakeBotAPI, make_settings, i18n):
    """The bot with a public address (WEBHOOK_URL's origin), a school and its organizer."""
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, admin_ids="900",
                             webhook_url=f"{PUBLIC}/telegram", webhook_secret="s3cret-certs")
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        await open_school(fake)
        yield application, settings


def qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """The texts of the QR codes on the PDF's pages, as a phone camera would read them."""
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(folder / "certificate.pdf"),
                    str(folder / "page")], check=True, timeout=60)
    found = []
    for page in sorted(folder.glob("page*.png")):
        with Image.open(page) as picture:
            found += [code.text for code in zxingcpp.read_barcodes(picture)
                      if code.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True, timeout=60).stdout.decode()


def as_pupil(fake: FakeBotAPI):
    return fake.user(PUPIL, first_name="Onutė", language_code="en")


async def log_and_approve(fake: FakeBotAPI, text: str, *, first: bool = False) -> None:
    pupil = as_pupil(fake)
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(pupil, text)
    await fake.wait_idle()
    if first:  # no recent organisation yet
        await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "✔ Confirm")
    to_verify = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, to_verify, button(to_verify, "✔ Approve"))
    await fake.wait_idle()


async def certificate_file(fake: FakeBotAPI) -> SentMessage:
    await fake.wait_for_request(
        "sendDocument", lambda r: r.status == 200 and r.params.get("document") is not None
        and r.params["document"].filename.endswith(".pdf"), timeout=30)
    await fake.wait_idle()
    return [m for m in fake.messages(PUPIL) if m.document
            and m.document.filename.endswith(".pdf")][-1]


@needs_poppler
async def test_qr_opens_the_page_that_says_valid_then_revoked(fake: FakeBotAPI, school,
                                                              tmp_path: Path) -> None:
    application, settings = school
    current = school_year(today())[0]
    last_year = current - timedelta(days=200)  # in the previous school year
    await log_and_approve(fake, f"/log 2 Tree planting {last_year.isoformat()}", first=True)
    await log_and_approve(fake, "/log 1h30 Reading to children")
    pupil = as_pupil(fake)

    fake.send_text(pupil, "/export")
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith(
        "Before your first certificate: write your full name")
    fake.send_text(pupil, "O")  # not a name
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith("Write your full name (first name and")
    fake.send_text(pupil, "  Ona   <Jonaitytė> ")
    await fake.wait_idle()
    question = fake.messages(PUPIL)[-1]
    assert question.text == "A certificate of which school year?"
    assert [label for label, _data in question.buttons] == [
        f"School year {current.year}–{current.year + 1}",
        f"School year {current.year - 1}–{current.year}", "All school years"]
    fake.press_button(pupil, question, button(question, f"School year {current.year}"))
    document = await certificate_file(fake)
    code = document.caption.split("code ")[1].rstrip(").")
    pdf = document.document.content

    text = pdf_text(pdf)
    assert "Reading to children" in text
    assert "Tree planting" not in text  # the other school year
    assert "Approved hours in total: 1.5" in text
    assert "Ona <Jonaitytė>" in text
    url = f"{PUBLIC}/verify/{code}"
    assert qr_codes(pdf, tmp_path) == [url]

    server = TestServer(WebhookServer(application, webhook_config(settings)).web_app())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            page = server.make_url(url.removeprefix(PUBLIC))
            async with http.get(page) as reply:
                assert reply.status == 200
                assert reply.content_type == "text/html"
                assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
                html = await reply.text()
            assert "This certificate is valid." in html
            assert "Ona &lt;Jonaitytė&gt;" in html
            assert "<Jonaitytė>" not in html
            for shown in ("1.5 h", f"{current.year}–{current.year + 1}", code,
                          "Takas at takas.example"):
                assert shown in html
            for hidden in (str(PUPIL), str(ORGANIZER), "Utenos gimnazija", "Reading"):
                assert hidden not in html  # no account, organisation or activity
            async with http.get(page.with_query(lang="lt")) as reply:
                assert "Ši pažyma galioja." in await reply.text()

            stranger = fake.user(STRANGER, language_code="en")  # not an organizer
            fake.send_text(stranger, f"/verify {code.lower().replace('-', '')}")
            await fake.wait_idle()
            assert fake.messages(STRANGER)[-1].text == (
                f"✔ Valid certificate {code}: Ona <Jonaitytė>, 1.5 h approved in the "
                f"school year {current.year}–{current.year + 1}, issued on "
                f"{fake.messages(STRANGER)[-1].text.split('issued on ')[1]}")

            fake.send_text(pupil, f"/revoke {code}")  # only administrators revoke
            admin = fake.user(ADMIN, language_code="en")
            fake.send_text(admin, f"/revoke {code}")
            await fake.wait_idle()
            assert fake.messages(PUPIL)[-1].text == "Only administrators can do that."
            assert fake.messages(ADMIN)[-1].text == (
                f"Certificate {code} is revoked; /verify and its page now say so.")

            async with http.get(page) as reply:
                html = await reply.text()
            assert "This certificate was revoked." in html
            assert "This certificate is valid." not in html
            async with http.get(server.make_url("/verify/TK-AAAA-BBBB")) as reply:
                assert reply.status == 404
                assert "No certificate has that code." in await reply.text()
            fake.send_text(stranger, f"/verify {code}")
            await fake.wait_idle()
            assert fake.messages(STRANGER)[-1].text.startswith(
                f"✖ Certificate {code} was revoked on ")
    finally:
        await server.close()

    fake.send_text(pupil, "/export")  # the name is asked once
    await fake.wait_idle()
    question = fake.messages(PUPIL)[-1]
    fake.press_button(pupil, question, button(question, "All school years"))
    everything = pdf_text((await certificate_file(fake)).document.content)
    assert "Tree planting" in everything
    assert "Reading to children" in everything
    assert "Approved hours in total: 3.5" in everything
    assert fake.rejected == []


@needs_poppler
async def test_without_a_public_address_the_code_still_works(fake: FakeBotAPI, bot,
                                                             tmp_path: Path) -> None:
    """The console or plain polling: no public page, so no QR code, and the pupil is told."""
    await open_school(fake)
    await log_and_approve(fake, "/log 2 Litter picking", first=True)
    fake.send_text(as_pupil(fake), "/export")  # one year: no question after the name
    await fake.wait_idle()
    fake.send_text(as_pupil(fake), "Onutė Petraitytė")
    document = await certificate_file(fake)
    code = document.caption.split("code ")[1].rstrip(").")
    assert fake.messages(PUPIL)[-1].text == (
        "It has no QR code: this Takas has no public web address. Anyone can still check it "
        f"by sending /verify {code} here.")
    assert qr_codes(document.document.content, tmp_path) == []
    assert f"send /verify {code} to Takas" in pdf_text(document.document.content)
