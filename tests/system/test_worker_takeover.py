"""A takeover between two real worker processes (tests/worker_main.py): the active one is
SIGKILLed with a message in flight and the standby takes the work over."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

from bot.storage.db import Database
from tests.conftest import subprocess_env
from tests.e2e.test_worker import CHAT, POLL, queue, settled, statuses
from tests.e2e.test_worker import db_url as db_url  # the fixture: always SQLite here
from tests.fakes import ApiError, FakeBotAPI
from tests.processes import Child


async def start_worker_process(name: str, env: dict[str, str]) -> Child:
    """`python -m tests.worker_main`: prints `ACTIVE <pid>`, `STOPPED <pid>`, and logs the
    "worker standby" line."""
    return await Child.start(f"worker {name}", "tests.worker_main", "--poll", str(POLL),
                             env=env)


async def test_a_standby_process_takes_over_within_seconds_of_a_sigkill(
    db: Database, db_url: str, fake: FakeBotAPI
) -> None:
    fake.user(CHAT)
    # The first message hangs at "Telegram" until its worker is dead: it is in flight then.
    original = fake._handlers["sendMessage"]
    in_flight, killed = asyncio.Event(), asyncio.Event()

    async def send(params: dict[str, Any]) -> Any:
        if not in_flight.is_set():
            in_flight.set()
            await killed.wait()
            raise ApiError(500, "Internal Server Error")  # nobody is listening any more
        return original(params)

    fake.register_method("sendMessage", send)
    env = subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                         FEED_SYNC_INTERVAL="0", LOG_LEVEL="INFO")
    workers = await asyncio.gather(start_worker_process("A", env),
                                   start_worker_process("B", env))

    def outputs() -> str:
        return "\n".join(w.output() for w in workers)

    try:
        # Exactly one becomes active; the other says it stands by, and stays so.
        waits = {asyncio.create_task(w.wait_for("ACTIVE ", 20)): w for w in workers}
        done, pending = await asyncio.wait(waits, timeout=20,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        assert done, "no worker became active\n" + outputs()
        active = waits[next(iter(done))]
        [standby] = [w for w in workers if w is not active]
        await standby.wait_for("worker standby", 10)
        await asyncio.sleep(5 * POLL)
        assert not standby.saw("ACTIVE "), outputs()
        assert active.process.returncode is None, outputs()

        # The active one claims a message and dies while sending it.
        await queue(db, "first", "First")
        await asyncio.wait_for(in_flight.wait(), 10)
        killed_at = time.monotonic()
        active.process.send_signal(signal.SIGKILL)
        await active.process.wait()
        killed.set()
        assert await statuses(db) == ["sending"]  # stranded by the dead worker

        await standby.wait_for("ACTIVE ", 10)
        takeover = time.monotonic() - killed_at
        await fake.wait_for_messages(CHAT, 1, timeout=10)
        resent = time.monotonic() - killed_at
        await queue(db, "second", "Second")
        await fake.wait_for_messages(CHAT, 2, timeout=10)
        assert fake.delivered(CHAT) == ["First", "Second"]
        await settled(db, ["sent", "sent"])
        print(f"takeover after SIGKILL: active in {takeover:.2f} s, "
              f"the message in flight sent in {resent:.2f} s (poll {POLL} s)")
        assert takeover < 10, outputs()

        # SIGTERM: a clean stop.
        standby.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(standby.process.wait(), 15) == 0, outputs()
        await asyncio.gather(*(w.close() for w in workers))
        assert standby.saw("STOPPED "), outputs()
        assert not [line for line in standby.lines if "Traceback" in line], outputs()
    finally:
        await asyncio.gather(*(w.close() for w in workers))
