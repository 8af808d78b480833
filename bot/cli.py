"""Command line: `python -m bot` (also installed as `takas`).

    python -m bot [run]     polling when BOT_TOKEN is set, otherwise the terminal console
    python -m bot console   talk to the bot in this terminal (no token needed)
    python -m bot polling   connect to Telegram with BOT_TOKEN (long polling)
    python -m bot migrate   bring the database schema up to date

Configuration comes from the environment and `.env` (see `.env.example`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import CatalogError, I18n
from bot.logs import setup_logging

log = logging.getLogger("bot")

HOW_TO_CONNECT = (
    "BOT_TOKEN is not set, so I cannot connect to Telegram.\n"
    "Get a token from @BotFather in Telegram (send /newbot), then put it in .env as\n"
    "BOT_TOKEN=123456789:ABC... or export it. Without a token, `python -m bot console`\n"
    "lets you talk to the bot right here in the terminal."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="takas", description="Takas: a Telegram assistant for lifelong learning.",
        epilog="Settings are read from the environment and .env; see .env.example.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="polling with BOT_TOKEN, otherwise the console (default)")
    commands.add_parser("console", help="talk to the bot in this terminal; no token needed")
    commands.add_parser("polling", help="connect to Telegram by long polling (needs BOT_TOKEN)")
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    return parser


def _load(console: bool = False) -> tuple[Settings, I18n]:
    settings = load_settings()
    level = settings.log_level
    if console and "log_level" not in settings.model_fields_set:
        level = "WARNING"  # the console is for conversation; INFO lines would drown it
    setup_logging(level, settings.secrets())
    return settings, I18n.load(default_language=settings.default_language)


def cmd_console() -> int:
    from bot.console import run_console

    settings, i18n = _load(console=True)
    return asyncio.run(run_console(settings, i18n))


def cmd_polling() -> int:
    from telegram import Update

    from bot.app import build_application

    settings, i18n = _load()
    if settings.bot_token is None:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    application = build_application(settings, i18n)
    log.info("starting long polling")
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def cmd_run() -> int:
    settings = load_settings()
    return cmd_polling() if settings.bot_token else cmd_console()


def cmd_migrate(revision: str) -> int:
    from bot.db import Database

    settings, _i18n = _load()

    async def migrate() -> None:
        database = Database(settings.database_url)
        try:
            await database.migrate(revision)
        finally:
            await database.close()

    asyncio.run(migrate())
    print(f"database is at revision {revision}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands: dict[str | None, Callable[[], int]] = {
        None: cmd_run,
        "run": cmd_run,
        "console": cmd_console,
        "polling": cmd_polling,
        "migrate": lambda: cmd_migrate(args.revision),
    }
    try:
        return commands[args.command]()
    except (ConfigError, CatalogError) as exc:
        print(f"takas: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
