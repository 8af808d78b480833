"""The web server's availability under attack, against a real `python -m tests.webhook_main`
process on the test's database (SQLite, or PostgreSQL when TEST_POSTGRES_URL is set): a
hostile badge upload does not freeze it, and a client sending headers byte by byte is
disconnected while the server keeps answering."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from tests.conftest import subprocess_env
from tests.e2e.test_webhook import SECRET, free_port
from tests.e2e.test_webhook_guard import SHORT, hostile_png
from tests.fakes import FakeBotAPI
from tests.processes import Child


@asynccontextmanager
async def web_process(fake: FakeBotAPI, db_url: str, *args: str) -> AsyncIterator[str]:
    port = free_port()
    env = subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                         WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                         WEBHOOK_SECRET=SECRET, FEED_SYNC_INTERVAL="0", LOG_LEVEL="INFO")
    child = await Child.start("web", "tests.webhook_main", "--port", str(port), *args, env=env)
    try:
        await child.wait_for("READY", timeout=60)
        yield f"http://127.0.0.1:{port}"
        assert not child.saw("Traceback"), child.output()
        assert not child.saw(" ERROR "), child.output()
    finally:
        await child.close()


async def test_a_hostile_badge_is_refused_while_healthz_answers(
        fake: FakeBotAPI, db_url: str) -> None:
    async with web_process(fake, db_url) as url, aiohttp.ClientSession() as http:
        async def upload() -> tuple[int, dict[str, Any]]:
            async with http.post(f"{url}/badges/verify", data=hostile_png()) as reply:
                return reply.status, await reply.json()

        verifying = asyncio.create_task(upload())
        async with http.get(f"{url}/healthz") as health:
            assert health.status == 200
            assert (await health.json())["database"] == "ok"
        status, body = await asyncio.wait_for(verifying, 60)
        # Refused by its size before anything was decoded, with the reason.
        assert status == 400
        assert (body["valid"], body["reason"]) == (False, "malformed")
        assert "characters" in body["error"]
        # A kid small enough to be read is refused by its length: a did:key has 48.
        form = aiohttp.FormData()
        form.add_field("file", hostile_png(500), filename="badge.png", content_type="image/png")
        async with http.post(f"{url}/badges/verify", data=form) as reply:
            assert reply.status == 400
            assert "48" in (await reply.json())["error"]


async def slow_headers(host: str, port: int, seconds: float) -> bool:
    """Send a request's headers a byte at a time for up to `seconds`; True when the server
    closed the connection before they were all sent."""
    reader, writer = await asyncio.open_connection(host, port)
    request = (b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               + b"X-Slow: " + b"a" * int(seconds * 10) + b"\r\n\r\n")
    closed = asyncio.create_task(reader.read())  # b"" at EOF: the server hung up
    try:
        for byte in request[:-2]:
            if closed.done():
                return True
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                return True
            await asyncio.sleep(0.1)
        return closed.done()
    finally:
        closed.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_a_client_sending_headers_byte_by_byte_is_disconnected(
        fake: FakeBotAPI, db_url: str) -> None:
    async with web_process(fake, db_url, "--header-timeout", str(SHORT)) as url, \
            aiohttp.ClientSession() as http:
        port = int(url.rsplit(":", 1)[1])
        assert await slow_headers("127.0.0.1", port, seconds=30 * SHORT)
        async with http.get(f"{url}/healthz") as health:  # and the server is fine
            assert health.status == 200
