"""A single-use invite opened by eight people at once through two real webhook processes
(tests/webhook_main.py) makes exactly one organizer."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import InboxUpdate, Membership, utcnow
from tests.conftest import subprocess_env
from tests.e2e.test_webhook import free_port, text_update
from tests.fakes import FakeBotAPI
from tests.processes import Child
from tests.unit.test_limits_concurrency import RACERS, single_use_invite
from tests.unit.test_limits_concurrency import db as db  # the fixture


async def test_eight_people_opening_one_single_use_invite_on_two_webhook_processes(
    fake: FakeBotAPI, db: Database, db_url: str
) -> None:
    invite = await single_use_invite(db, utcnow())  # the processes' clock is the real one
    secret = "invite-race-secret"
    ports = [free_port(), free_port()]
    children = [await Child.start(
        f"web {n}", "tests.webhook_main", "--port", str(port),
        env=subprocess_env(DATABASE_URL=db_url, BOT_TOKEN=fake.token, BOT_API_URL=fake.url,
                           WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                           WEBHOOK_SECRET=secret, FEED_SYNC_INTERVAL="0"))
        for n, port in enumerate(ports)]
    try:
        for child in children:
            await child.wait_for("READY", timeout=90)
        updates = [text_update(fake, uid, f"/start org_{invite.token}", language_code="en")
                   for uid in RACERS]
        async with aiohttp.ClientSession() as http:
            async def post(n: int, update: dict[str, Any]) -> int:
                async with http.post(
                        f"http://127.0.0.1:{ports[n % 2]}/telegram", json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                    return response.status
            assert await asyncio.gather(*(post(n, u) for n, u in enumerate(updates))) == [
                200] * len(updates)
        for _attempt in range(600):
            async with db.transaction() as session:
                done = await session.scalar(select(func.count()).select_from(InboxUpdate)
                                            .where(InboxUpdate.status == "done"))
            if done == len(updates):
                break
            await asyncio.sleep(0.1)
        assert done == len(updates), "\n".join(child.output() for child in children)
    finally:
        await asyncio.gather(*(child.close() for child in children))
    async with db.transaction() as session:
        members = (await session.scalars(select(Membership.user_id).where(
            Membership.organisation_id == invite.organisation_id))).all()
    assert len(members) == 1, members
