"""`python -m bot polling` as operators run it: a real process, long-polling the fake Bot API,
answers /start, and stops cleanly on SIGINT."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.conftest import REPO, subprocess_env
from tests.fakes import FakeBotAPI


async def test_polling_process_answers_and_stops_cleanly(fake: FakeBotAPI,
                                                         tmp_path: Path) -> None:
    env = subprocess_env(BOT_TOKEN=fake.token, BOT_API_URL=fake.url, FEED_SYNC_INTERVAL="0",
                         DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'polling.sqlite3'}")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "polling", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for_request("getUpdates", timeout=60)
        fake.send_text(fake.user(42, first_name="Rūta", language_code="lv"), "/start")
        [reply] = await fake.wait_for_messages(42, 1, timeout=30)
        assert reply.text.startswith("Sveiki, Rūta! Es esmu Takas")  # Latvian from language_code
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert fake.token not in err.decode()  # the token never reaches the logs
    assert fake.rejected == []
