"""A webhook process of its own, for the multi-process tests and the webhook benchmark.

Usage:
    python -m tests.webhook_main --port PORT [--echo] [--header-timeout SECONDS]

Settings come from the environment only (no `.env`): DATABASE_URL, BOT_TOKEN, BOT_API_URL,
WEBHOOK_URL, WEBHOOK_SECRET. Runs `bot.transports.webhook.serve` with short intervals (a dead
process's updates are taken back after 3 s instead of 60) until SIGTERM, printing
`READY <pid>` once it listens and `STOPPED <pid>` when it returns. `--echo` swaps Takas's
handlers for one that echoes text back: the same stack (webhook, inbox, captured replies,
outbox, sender) with no work in the handler, the ceiling `benchmarks.bench_webhook` compares
against.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.app import build_application
from bot.config import load_settings
from bot.context import TakasApplication, TakasContext
from bot.i18n import I18n
from bot.logs import setup_logging
from bot.transports import webhook

TIMINGS = webhook.Timings(poll=0.2, stale_after=3.0, requeue_every=0.5, heartbeat=0.5,
                          catalog_check=1.0, stop_grace=5.0)


async def echo(update: Update, _context: TakasContext) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def build_echo_application(*args: Any, **kwargs: Any) -> TakasApplication:
    """Takas's Application with every handler replaced by `echo`."""
    application = build_application(*args, **kwargs)
    application.handlers.clear()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


async def main(port: int, echo_only: bool, header_timeout: float | None = None) -> None:
    settings = load_settings(_env_file=None)
    setup_logging(settings.log_level, settings.secrets())
    i18n = I18n.load(default_language=settings.default_language)
    ready = asyncio.Event()

    async def announce() -> None:
        await ready.wait()
        print(f"READY {os.getpid()}", flush=True)

    announcing = asyncio.create_task(announce())
    timings = TIMINGS if header_timeout is None else dataclasses.replace(
        TIMINGS, header_timeout=header_timeout)
    await webhook.serve(settings, i18n, host="127.0.0.1", port=port, ready=ready,
                        timings=timings, build=build_echo_application if echo_only else None)
    announcing.cancel()
    print(f"STOPPED {os.getpid()}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--echo", action="store_true", help="an echo bot on the same stack")
    parser.add_argument("--header-timeout", type=float,
                        help="seconds a client may take to send a request's headers")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.port, arguments.echo, arguments.header_timeout))
