"""`python -m bot web` as an operator runs it: without a token it prints the local address
with the development login, serves the pages' API to that login and to nothing else, and
stops cleanly on SIGTERM; with a token it checks Telegram's initData instead."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import aiohttp

from tests.conftest import subprocess_env
from tests.processes import Child
from tests.webapp import init_data

TOKEN = "123456:SYSTEM-test-token"


async def test_web_process_without_a_token_serves_the_development_login(
        tmp_path: Path) -> None:
    env = subprocess_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'web.sqlite3'}")
    child = await Child.start("web", "bot", "web", "--port", "0", env=env)
    try:
        await child.wait_for("development login", timeout=60)
        found = next(re.search(r"(http://127\.0\.0\.1:\d+)/app/\?dev=(\S+)", line)
                     for line in child.lines if "development login" in line)
        assert found is not None
        base, token = found.group(1), found.group(2)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
            async with http.get(f"{base}/api/me",
                                headers={"Authorization": f"dev {token}"}) as response:
                assert response.status == 200
                assert (await response.json())["user"]["id"] == 1
            async with http.get(f"{base}/api/me",
                                headers={"Authorization": "dev wrong"}) as response:
                assert response.status == 401
        child.process.send_signal(signal.SIGTERM)
        assert await child.process.wait() == 0, child.output()
    finally:
        await child.close()


async def test_web_process_with_a_token_checks_initdata(tmp_path: Path) -> None:
    env = subprocess_env(BOT_TOKEN=TOKEN,
                         DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'web.sqlite3'}")
    child = await Child.start("web", "bot", "web", "--port", "0", env=env)
    try:
        await child.wait_for("Mini App pages:", timeout=60)
        assert not child.saw("dev=")  # no development login with a real token
        found = next(re.search(r"(http://127\.0\.0\.1:\d+)/app/", line)
                     for line in child.lines if "Mini App pages:" in line)
        assert found is not None
        async with aiohttp.ClientSession() as http:
            auth = {"Authorization": "tma " + init_data(TOKEN, 77, first_name="Ona")}
            async with http.get(f"{found.group(1)}/api/me", headers=auth) as response:
                assert response.status == 200
                assert (await response.json())["user"]["first_name"] == "Ona"
        child.process.send_signal(signal.SIGTERM)
        assert await child.process.wait() == 0, child.output()
        assert not any(TOKEN in line for line in child.lines)
    finally:
        await child.close()
