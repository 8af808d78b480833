"""A webhook process of its own, for the multi-process tests and the webhook benchmark.

Usage:
    python -m tests.webhook_main --port PORT

Settings come from the environment only (no `.env`): DATABASE_URL, BOT_TOKEN, BOT_API_URL,
WEBHOOK_URL, WEBHOOK_SECRET. Runs `bot.webhook.serve` with short intervals (a dead
process's updates are taken back after 3 s instead of 60) until SIGTERM, printing
`READY <pid>` once it listens and `STOPPED <pid>` when it returns.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from bot import webhook
from bot.config import load_settings
from bot.i18n import I18n
from bot.logs import setup_logging

TIMINGS = webhook.Timings(poll=0.2, stale_after=3.0, requeue_every=0.5, heartbeat=0.5,
                          catalog_check=1.0, stop_grace=5.0)


async def main(port: int) -> None:
    settings = load_settings(_env_file=None)
    setup_logging(settings.log_level, settings.secrets())
    i18n = I18n.load(default_language=settings.default_language)
    ready = asyncio.Event()

    async def announce() -> None:
        await ready.wait()
        print(f"READY {os.getpid()}", flush=True)

    announcing = asyncio.create_task(announce())
    await webhook.serve(settings, i18n, host="127.0.0.1", port=port, ready=ready,
                        timings=TIMINGS)
    announcing.cancel()
    print(f"STOPPED {os.getpid()}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
