"""Secrets never leave the process: the bot token, webhook secret and database password (and
their URL-encoded forms) appear in no log record, no message or file the bot sends, no
/mydata export and no configuration error, whatever goes wrong."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import build_application, running, sync_feeds_job
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import I18n
from bot.logs import install_redaction, secret_forms
from bot.storage.db import Database
from bot.transports import webhook
from tests.e2e.test_webhook import free_port, serving, text_update
from tests.fakes import FakeBotAPI
from tests.fakes.models import UploadedFile

TOKEN = "987654321:AAHsEcReT_t0ken-bot-QZ7xW9vUk2pLm4nJ8"
WEBHOOK_SECRET = "whsec_Unguessable-42xyz"
DB_PASSWORD = "Db:p@ss/w0rd%Takas"  # URL-encoded in DATABASE_URL
DB_URL = "postgresql+asyncpg://takas:Db%3Ap%40ss%2Fw0rd%25Takas@127.0.0.1:{port}/takas"
LOGGERS = ("", "httpx", "httpcore", "telegram", "aiohttp", "sqlalchemy", "asyncpg", "bot",
           "handlers", "catalog", "apscheduler")


@pytest.fixture
def secret_settings() -> Settings:
    """The settings of a deployment with all three secrets (PostgreSQL is unreachable)."""
    return load_settings(_env_file=None, bot_token=TOKEN, webhook_secret=WEBHOOK_SECRET,
                         database_url=DB_URL.format(port=free_port()))


@pytest.fixture
def redaction(secret_settings: Settings) -> Iterator[list[str]]:
    """What `setup_logging` installs at start-up for those settings."""
    assert set(secret_settings.secrets()) == {TOKEN, WEBHOOK_SECRET, DB_PASSWORD}
    undo = install_redaction(secret_settings.secrets())
    yield secret_forms(secret_settings.secrets())
    undo()


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def leaks(text: str, forms: list[str]) -> list[str]:
    return [form for form in forms if form in text]


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(record.exc_text or "")
    return "\n".join(parts)


def sent_text(fake: FakeBotAPI, *, but: tuple[str, ...] = ()) -> str:
    """Every parameter of every request the bot made (files decoded), except `but` methods."""
    parts: list[str] = []
    for request in fake.requests:
        if request.method.lower() in but:
            continue
        for value in request.params.values():
            if isinstance(value, UploadedFile):
                parts.append(value.content.decode("utf-8", "replace"))
            else:
                parts.append(str(value))
    return "\n".join(parts)


async def test_polling_bot_leaks_no_secret_whatever_fails(
    make_settings: Any, i18n: I18n, tmp_path: Path, redaction: list[str],
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    bad_feed_port = free_port()  # nothing listens there
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "broken"\nurl = "http://127.0.0.1:{bad_feed_port}/x.json"\n'
                     f'format = "jsonld"\n', encoding="utf-8")
    async with FakeBotAPI(token=TOKEN) as fake:
        settings = make_settings(bot_token=TOKEN, bot_api_url=fake.url, admin_ids="900",
                                 webhook_secret=WEBHOOK_SECRET, feeds_file=feeds)
        application = build_application(settings, i18n)

        async def boom(update: Update, context: Any) -> None:
            # A library error that quotes its URLs, as httpx and asyncpg errors do.
            raise RuntimeError(f"cannot reach {context.bot.base_url}/getMe or {DB_URL}; "
                               f"secret {WEBHOOK_SECRET}")

        application.add_handler(CommandHandler("boom", boom), group=-1)
        async with running(application, polling=True):
            ona = fake.user(1, first_name="Ona", language_code="lt")
            fake.send_text(ona, "/boom")  # a handler raising
            await fake.wait_for_messages(1, 1)
            fake.inject_error("sendMessage", 500, times=3)  # a failed Bot API call
            fake.send_text(ona, "/help")
            await fake.wait_idle()
            fake.inject_error("getUpdates", 502)  # the poll itself fails once
            fake.send_text(ona, "/mydata")  # everything stored about her
            await fake.wait_for_request("sendDocument")
            await fake.wait_idle()
            # A feed that cannot be fetched, synced as the scheduled job does.
            await sync_feeds_job(SimpleNamespace(catalog=application.bot_data.catalog))
        assert any(r.method == "sendDocument" for r in fake.requests)
        assert leaks(sent_text(fake), redaction) == []
    text = logged_text(everything_logged)
    assert "[REDACTED]" in text  # the secrets were there and were taken out
    assert "broken: FAILED" in text
    assert leaks(text, redaction) == []


async def test_webhook_server_leaks_no_secret(
    make_settings: Any, i18n: I18n, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch,
    redaction: list[str], everything_logged: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    fake.token = TOKEN
    settings = make_settings(bot_token=TOKEN, bot_api_url=fake.url,
                             webhook_url=f"http://127.0.0.1:{port}/telegram",
                             webhook_secret=WEBHOOK_SECRET)
    async with serving(settings, i18n, port, monkeypatch) as server:
        update = text_update(fake, 5, "/start", language_code="en")
        assert (await server.post(update, secret=WEBHOOK_SECRET + "x")).status == 403
        assert (await server.post(update, secret=WEBHOOK_SECRET[:-1])).status == 403
        assert (await server.post("{not json", secret=WEBHOOK_SECRET)).status == 400
        fake.inject_error("sendMessage", 500, times=3)
        assert (await server.post(update, secret=WEBHOOK_SECRET)).status == 200
        await fake.wait_idle()
        status, _health = await server.get_json("/healthz")
        assert status == 200
    # setWebhook must carry the secret to Telegram; nothing else may.
    assert leaks(sent_text(fake, but=("setwebhook",)), redaction) == []
    assert leaks(logged_text(everything_logged), redaction) == []


async def test_unreachable_database_reports_leak_no_password(
    secret_settings: Settings, redaction: list[str], everything_logged: pytest.LogCaptureFixture,
) -> None:
    database = Database(secret_settings.database_url)
    try:
        report = await webhook.health_report(database, timeout=5)
        with pytest.raises(Exception) as failure:  # noqa: PT011 -- whatever the driver raises
            await database.migrate()
    finally:
        await database.close()
    assert leaks(str(report), redaction) == []
    assert leaks(str(failure.value), redaction) == []
    assert leaks(logged_text(everything_logged), redaction) == []


@pytest.mark.parametrize("overrides", [
    {"bot_token": TOKEN.split(":")[1]},  # the secret half alone, no bot id
    {"database_url": "mysql://takas:Db%3Ap%40ss%2Fw0rd%25Takas@db/takas"},
    {"admin_ids": WEBHOOK_SECRET},
    {"send_rate": TOKEN},
])
def test_configuration_errors_do_not_echo_the_value(overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **overrides)
    forms = secret_forms([TOKEN, WEBHOOK_SECRET, DB_PASSWORD, TOKEN.split(":")[1]])
    assert leaks(str(error.value), forms) == []


def test_a_bad_webhook_secret_is_refused_without_echoing_it() -> None:
    settings = load_settings(_env_file=None, webhook_url="https://bot.example.org/telegram",
                             webhook_secret="has spaces " + WEBHOOK_SECRET)
    with pytest.raises(ConfigError) as error:
        webhook.webhook_config(settings)
    assert WEBHOOK_SECRET not in str(error.value)
    assert WEBHOOK_SECRET not in repr(settings)
