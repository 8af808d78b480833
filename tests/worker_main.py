"""A worker in a process of its own, for the takeover test.

Usage:
    python -m tests.worker_main [--poll SECONDS]

Settings come from the environment only (no `.env`): DATABASE_URL, BOT_TOKEN, BOT_API_URL,
FEED_SYNC_INTERVAL. Runs `bot.transports.worker.run` until SIGTERM or SIGINT, and prints one line to
stdout at each change the test waits for: `ACTIVE <pid>` when this process has become the
active worker (jobs and sender running), `STOPPED <pid>` when `run` returned. Log lines
(the "standby" one among them) go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.config import load_settings
from bot.context import TakasApplication
from bot.i18n import I18n
from bot.logs import setup_logging
from bot.transports.worker import run


def announce(_application: TakasApplication) -> None:
    print(f"ACTIVE {os.getpid()}", flush=True)


async def main(poll: float) -> None:
    settings = load_settings(_env_file=None)
    setup_logging(settings.log_level, settings.secrets())
    i18n = I18n.load(default_language=settings.default_language)
    await run(settings, i18n, poll=poll, on_active=announce)
    print(f"STOPPED {os.getpid()}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poll", type=float, default=0.5)
    asyncio.run(main(parser.parse_args().poll))
