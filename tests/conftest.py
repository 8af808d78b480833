"""Shared fixtures. Tests are offline: `netguard` refuses every non-loopback address.

The folders: tests/unit/ (services, use cases, parsers, formats, search: no Telegram),
tests/handlers/ (the handlers in-process against the fake Bot API), tests/e2e/ (the real
Application over HTTP against tests/fakes), tests/system/ (real processes, kill tests, the
cluster; marked `slow`). Helpers the tests share stay here in tests/ (fakes/, processes.py,
feedserver.py, netguard.py, and the *_main.py programs the system tests start)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.badges.keys import SigningKey
from bot.config import Settings, load_settings
from bot.i18n import I18n
from bot.storage.db import Database
from tests import netguard

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ENV_VARS = ("BOT_TOKEN", "DATABASE_URL", "BOT_API_URL", "ADMIN_IDS", "DEFAULT_LANGUAGE",
            "SEND_RATE", "PAID_BROADCAST", "PAID_SEND_RATE", "USER_FLOOD_BURST",
            "USER_FLOOD_RATE",
            "LOG_LEVEL", "FEEDS_FILE", "WEBHOOK_URL", "WEBHOOK_SECRET", "FEED_SYNC_INTERVAL",
            "BADGE_SIGNING_KEY", "PUBLIC_URL", "RETENTION_DAYS", "WEBAPP_URL", "WEB_PORT",
            "WEB_HOST", "WEBAPP_AUTH_MAX_AGE", "WEB_DEV_LOGIN", "WEBAPP_TILE_URL",
            "WEBAPP_TILE_ATTRIBUTION", "FORWARDED_HOPS")


SYSTEM = Path(__file__).resolve().parent / "system"


def pytest_configure(config: pytest.Config) -> None:
    netguard.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that open the test database (the db_url fixture, or a module "
             "using fresh_database or TEST_POSTGRES_URL): the PostgreSQL pass of `make test`, "
             "since every other test runs the same whatever TEST_POSTGRES_URL says")


# Words in a test module's source that show it may reach the database some other way than
# through the `db_url` fixture (a test process's own database, the URL handed to a child).
DATABASE_WORDS = ("fresh_database", "TEST_POSTGRES_URL", "db_url")


def touches_database(item: pytest.Item, sources: dict[Path, str]) -> bool:
    if "db_url" in getattr(item, "fixturenames", ()):
        return True
    if item.path not in sources:
        sources[item.path] = item.path.read_text(encoding="utf-8")
    return any(word in sources[item.path] for word in DATABASE_WORDS)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in tests/system/ (real processes, kill tests, the cluster) is `slow`,
    whoever writes the next one there. With --database-tests-only, the tests that never
    open the test database are deselected (they ran in the SQLite pass already)."""
    for item in items:
        if SYSTEM in item.path.parents:
            item.add_marker(pytest.mark.slow)
    if config.getoption("database_tests_only"):
        sources: dict[Path, str] = {}
        keep = {item for item in items if touches_database(item, sources)}
        dropped = [item for item in items if item not in keep]
        items[:] = [item for item in items if item in keep]
        config.hook.pytest_deselected(items=dropped)


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own BOT_TOKEN or DATABASE_URL, nor the badge key file
    a run of the bot (or another test) left in the repository's data/ folder."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("bot.config.PROJECT_ROOT", tmp_path)


@pytest.fixture(autouse=True)
def _watch_applications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Application a test starts is known to the fake Bot API, whose `wait_idle`
    then also waits for updates still being handled (see tests/fakes/server.py)."""
    from telegram.ext import Application

    from tests.fakes.server import RUNNING_APPLICATIONS

    original = Application.initialize

    async def initialize(self: Any) -> None:
        await original(self)
        RUNNING_APPLICATIONS.add(self)

    monkeypatch.setattr(Application, "initialize", initialize)


# One migrated template database per test process: each test's database is a copy of it
# (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), which costs a few
# milliseconds where running every migration again cost 0.2-0.4 s of CPU per test.
_TEMPLATES: dict[str, str] = {}


async def _sqlite_template() -> Path:
    if "sqlite" not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="takas-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.sqlite3"
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.migrate()
        await database.close()  # the last connection closes: the log is folded into the file
        _TEMPLATES["sqlite"] = str(path)
    return Path(_TEMPLATES["sqlite"])


async def _postgres_template(server: str) -> str:
    if "postgres" not in _TEMPLATES:
        import asyncpg
        from sqlalchemy.engine import make_url

        name = f"takas_template_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = make_url(server).set(drivername="postgresql+asyncpg", database=name)
        database = Database(url.render_as_string(hide_password=False))
        await database.migrate()
        await database.close()
        _TEMPLATES["postgres"] = name
    return _TEMPLATES["postgres"]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this process's PostgreSQL template database (see `fresh_database`)."""
    name = _TEMPLATES.pop("postgres", None)
    server = os.environ.get("TEST_POSTGRES_URL")
    if not name or not server:
        return
    import asyncio

    import asyncpg

    async def drop() -> None:
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(drop())


@asynccontextmanager
async def fresh_database(folder: Path) -> AsyncIterator[str]:
    """A migrated database of its own: a SQLite file in `folder`, or, when TEST_POSTGRES_URL
    names a PostgreSQL server (postgresql://user@host:port/db), a database created on it
    and dropped afterwards. Both are copies of a template migrated once per test process,
    as the Procfile's release step would migrate it."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        target = folder / "takas.sqlite3"
        shutil.copyfile(await _sqlite_template(), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    template = await _postgres_template(server)
    name = f"takas_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    url = make_url(server).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        yield rendered
    finally:
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    """The test's own migrated database (see `fresh_database`)."""
    async with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """The test's own migrated database, opened (SQLite, or PostgreSQL: see `fresh_database`)."""
    database = Database(db_url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def make_settings(db_url: str):
    def make(**overrides: object) -> Settings:
        # Each test signs badges with a key of its own (no key file in the repository).
        values: dict[str, object] = {"_env_file": None, "database_url": db_url,
                                     "feed_sync_interval": 0,
                                     "badge_signing_key": SigningKey.generate().seed()}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def i18n() -> I18n:
    return I18n.load()


SUBPROCESS_BADGE_KEY = SigningKey.generate().seed()


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a `python -m bot` subprocess: hermetic, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    # One badge key for every child of this run: none writes a key file into data/.
    env["BADGE_SIGNING_KEY"] = SUBPROCESS_BADGE_KEY
    env.update(extra)
    return env


@pytest.fixture
async def fake():
    """The fake Telegram Bot API server on 127.0.0.1."""
    from tests.fakes import FakeBotAPI

    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot_settings(make_settings, fake) -> Settings:
    """Settings pointing the real bot at the fake server."""
    return make_settings(  # type: ignore[no-any-return]
        bot_token=fake.token, bot_api_url=fake.url, admin_ids="900"
    )


@pytest.fixture
async def bot(bot_settings: Settings, i18n: I18n):
    """The real Application, long-polling the fake server, for the duration of a test."""
    from bot.app import running
    from bot.transports.polling import build_polling_application

    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        yield application
