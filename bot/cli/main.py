"""Command line: `python -m bot` (also installed as `takas`).

    python -m bot [run]     polling when BOT_TOKEN is set, otherwise the terminal console
    python -m bot console   talk to the bot in this terminal (no token needed)
    python -m bot polling   connect to Telegram with BOT_TOKEN (long polling)
    python -m bot webhook   receive updates over HTTPS (WEBHOOK_URL, WEBHOOK_SECRET, PORT)
    python -m bot web       the Mini App's pages and API on WEB_HOST:WEB_PORT (polling
                            deployments; the webhook process serves them itself)
    python -m bot worker    the background process: feed sync, digests, outbox sender
                            (one active at a time; more wait as hot standbys)
    python -m bot migrate   bring the database schema up to date
    python -m bot sync [--feeds FILE] [--feed NAME]   sync partner feeds now
    python -m bot feeds list [--feeds FILE]           feeds with their last sync outcome
    python -m bot search "QUERY" [--json] [--lang xx] [--limit N]
    python -m bot search --batch FILE --json          one query per line, one JSON per line
    python -m bot org list | new NAME | invite NAME [--many] [--days N]
    python -m bot badge verify FILE.png [--issuer DID] [--offline] [--json]

Configuration comes from the environment and `.env` (see `.env.example`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import CatalogError, I18n
from bot.logs import held_back, setup_logging
from catalog.registry import RegistryError

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
    commands.add_parser("webhook", help="receive updates by webhook (several may run at once)")
    web = commands.add_parser(
        "web", help="serve the Mini App's pages and API (WEB_HOST:WEB_PORT, default "
                    "127.0.0.1:8090)")
    web.add_argument("--host", help="address to listen on (default: WEB_HOST)")
    web.add_argument("--port", type=int, help="port to listen on (default: WEB_PORT or 8090)")
    worker = commands.add_parser(
        "worker", help="feed sync, digests and the outbox sender (one active, others standby)")
    worker.add_argument("--poll", type=float, default=2.0,
                        help="seconds between a standby's attempts to take over (default 2)")
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    sync = commands.add_parser("sync", help="sync partner feeds now (exit 1 if any failed)")
    sync.add_argument("--feeds", type=Path, help="feeds TOML file (default: FEEDS_FILE or demo)")
    sync.add_argument("--feed", action="append", metavar="NAME", help="only this feed (repeat)")
    sync.add_argument("--quiet", action="store_true",
                      help="print only failures and the summary line, no INFO logging")
    feeds = commands.add_parser("feeds", help="partner feeds: list")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", metavar="ACTION")
    listing = feeds_commands.add_parser("list", help="each feed's last success, error, items")
    for target in (feeds, listing):
        target.add_argument("--feeds", type=Path, help="feeds TOML file")
    org = commands.add_parser("org", help="organisations: list, new NAME, invite NAME")
    org.add_argument("action", choices=("list", "new", "invite"))
    org.add_argument("name", nargs="*", help="the organisation's name (or id for invite)")
    org.add_argument("--many", action="store_true", help="an invitation several people can use")
    org.add_argument("--days", type=int, default=7, help="days the invitation is valid")
    report = commands.add_parser(
        "report", help="an organisation's report of a school year: e-diary CSV and PDF")
    report.add_argument("organisation", nargs="+", help="the organisation's name or id")
    report.add_argument("--year", type=int,
                        help="the year the school year begins in (default: the current one)")
    report.add_argument("--class", dest="school_class", help="one class only, e.g. 8B")
    report.add_argument("--out", type=Path, default=Path("."),
                        help="folder for the files (default: here)")
    report.add_argument("--lang", help="the language of headings and status words")
    commands.add_parser(
        "reminders", help="queue the monthly target reminders due now (the daily job does "
                          "it at 16:30; the process with the sender sends them)")
    badge = commands.add_parser("badge", help="Open Badges: verify FILE.png")
    badge.add_argument("action", choices=("verify",))
    badge.add_argument("file", type=Path, help="a badge image (PNG with a baked credential)")
    badge.add_argument("--offline", action="store_true",
                       help="do not fetch the status list named in the credential")
    badge.add_argument("--json", action="store_true", help="machine-readable output")
    badge.add_argument("--issuer", metavar="DID",
                       help="require this issuer (e.g. the deployment's did:key)")
    search = commands.add_parser("search", help="search the catalog from the command line")
    search.add_argument("query", nargs="?", help="what a user would type")
    search.add_argument("--batch", type=Path, help="file with one query per line")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument("--lang", help="the asking user's language (ranks it first on ties)")
    search.add_argument("--limit", type=int, default=10, help="results per query (default 10)")
    return parser


def _load(console: bool = False, quiet: bool = False) -> tuple[Settings, I18n]:
    """Settings and catalogs. Unless LOG_LEVEL is set, the console logs warnings only (INFO
    lines would drown the conversation) and `quiet` commands errors only: `sync --quiet`
    prints each failure itself, and `make run` shows no migration INFO lines."""
    settings = load_settings()
    level = settings.log_level
    if (console or quiet) and "log_level" not in settings.model_fields_set:
        level = "ERROR" if quiet else "WARNING"
    setup_logging(level, settings.secrets())
    return settings, I18n.load(default_language=settings.default_language)


def cmd_console() -> int:
    from bot.transports.console import run_console

    settings, i18n = _load(console=True)
    return asyncio.run(run_console(settings, i18n, web=settings.web_port != 0))


def cmd_polling() -> int:
    from telegram import Update

    from bot.transports.polling import build_polling_application

    settings, i18n = _load()
    if settings.bot_token is None:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    application = build_polling_application(settings, i18n)
    application.bot_data.search.freeze_snapshots()  # a long-running process
    from bot.transports.web import attach, wanted_beside_bot

    if wanted_beside_bot(settings):
        attach(application, settings)
    log.info("starting long polling")
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def cmd_run() -> int:
    settings = load_settings()
    return cmd_polling() if settings.bot_token else cmd_console()


def cmd_webhook() -> int:
    from bot.transports.webhook import serve

    settings, i18n = _load()
    if settings.bot_token is None:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    asyncio.run(serve(settings, i18n))
    return 0


def cmd_web(host: str | None, port: int | None) -> int:
    from bot.transports.web import serve_web

    settings, i18n = _load()
    asyncio.run(serve_web(settings, i18n, host=host, port=port))
    return 0


def cmd_worker(poll: float) -> int:
    from telegram.error import InvalidToken

    from bot.transports.worker import run

    settings, i18n = _load()
    if settings.bot_token is None:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    try:
        asyncio.run(run(settings, i18n, poll=max(0.1, poll)))
    except InvalidToken:
        print("takas: Telegram refused BOT_TOKEN; check it with @BotFather", file=sys.stderr)
        return 2
    return 0


def cmd_migrate(revision: str) -> int:
    from bot.storage.db import Database

    settings, _i18n = _load()

    async def migrate() -> None:
        database = Database(settings.database_url)
        try:
            await database.migrate(revision)
        finally:
            await database.close()

    with held_back("alembic"):  # a line per migration, shown only if one fails
        asyncio.run(migrate())
    print(f"database is at revision {revision}")
    return 0


def cmd_sync(feeds_file: Path | None, names: list[str] | None, quiet: bool) -> int:
    from bot.cli.catalog import run_sync

    settings, _i18n = _load(quiet=quiet)
    return asyncio.run(run_sync(settings, feeds_file, names, quiet=quiet))


def cmd_feeds_list(feeds_file: Path | None) -> int:
    from bot.cli.catalog import run_feeds_list

    settings, _i18n = _load()
    return asyncio.run(run_feeds_list(settings, feeds_file))


def cmd_search(args: argparse.Namespace) -> int:
    from bot.cli.catalog import run_search

    if (args.query is None) == (args.batch is None):
        print("takas: search needs a QUERY or --batch FILE (one of them)", file=sys.stderr)
        return 2
    settings, _i18n = _load(console=True)
    return asyncio.run(run_search(settings, args.query, args.batch, as_json=args.json,
                                  language=args.lang, limit=max(1, args.limit)))


def cmd_org(args: argparse.Namespace) -> int:
    from bot.cli.org import run_org

    settings, _i18n = _load()
    return asyncio.run(run_org(settings, args.action, " ".join(args.name) or None,
                               many=args.many, days=max(1, args.days)))


def cmd_report(args: argparse.Namespace) -> int:
    from bot.cli.report import run_report

    # Quiet: fpdf2's font subsetting logs dozens of INFO lines per PDF.
    settings, i18n = _load(quiet=True)
    return run_report(settings, i18n, " ".join(args.organisation), year=args.year,
                      class_text=args.school_class, out=args.out, language=args.lang)


def cmd_reminders() -> int:
    from bot.storage.db import Database
    from bot.usecases.reminders import queue_all

    settings, _i18n = _load()

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            if settings.is_sqlite:
                await database.migrate()
            return await queue_all(database)
        finally:
            await database.close()

    queued = asyncio.run(run())
    print(f"{queued} reminder(s) queued")
    return 0


def cmd_badge(args: argparse.Namespace) -> int:
    from bot.cli.badge import run_verify

    settings, _i18n = _load(console=True)
    return run_verify(settings, args.file, offline=args.offline, as_json=args.json,
                      issuer=args.issuer)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands: dict[str | None, Callable[[], int]] = {
        None: cmd_run,
        "run": cmd_run,
        "console": cmd_console,
        "polling": cmd_polling,
        "migrate": lambda: cmd_migrate(args.revision),
        "worker": lambda: cmd_worker(args.poll),
        "webhook": cmd_webhook,
        "web": lambda: cmd_web(args.host, args.port),
        "sync": lambda: cmd_sync(args.feeds, args.feed, args.quiet),
        "feeds": lambda: cmd_feeds_list(args.feeds),
        "search": lambda: cmd_search(args),
        "org": lambda: cmd_org(args),
        "badge": lambda: cmd_badge(args),
        "report": lambda: cmd_report(args),
        "reminders": cmd_reminders,
    }
    try:
        return commands[args.command]()
    except (ConfigError, CatalogError, RegistryError) as exc:
        print(f"takas: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
