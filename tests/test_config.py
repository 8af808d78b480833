"""Settings: defaults, parsing, and one clear line for every invalid value."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings
from tests.conftest import REPO, subprocess_env


def test_defaults_need_nothing() -> None:
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.endswith("data/takas.sqlite3")
    assert settings.default_language == "en"
    assert settings.admin_ids == frozenset()


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-def")
    monkeypatch.setenv("ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "lt-LT")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("DATABASE_URL", "postgresql://takas:pw@db/takas")
    settings = load_settings(_env_file=None)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123456:ABC-def"
    assert "ABC-def" not in repr(settings)
    assert settings.admin_ids == {11, 22, 33}
    assert settings.default_language == "lt"
    assert settings.bot_api_url == "http://127.0.0.1:8081"
    assert settings.database_url == "postgresql+asyncpg://takas:pw@db/takas"
    assert set(settings.secrets()) == {"123456:ABC-def", "pw"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("DATABASE_URL", "mysql://x"),
        ("ADMIN_IDS", "12,abc"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("LOG_LEVEL", "loud"),
        ("BOT_API_URL", "ftp://example"),
        ("FEED_SYNC_INTERVAL", "-5"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None)
    message = str(error.value)
    assert message.startswith(f"Invalid {variable}:")
    assert "\n" not in message


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=subprocess_env(**env),
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_cli_invalid_setting_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli("migrate", ADMIN_IDS="me", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "takas: Invalid ADMIN_IDS: expected Telegram user ids separated by commas, e.g. 12345,67890"
    )
    assert "Traceback" not in result.stderr


def test_polling_without_token_explains_botfather_and_console(tmp_path: Path) -> None:
    result = run_cli("polling", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "console" in result.stderr


def test_help_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("run", "console", "polling", "migrate"):
        assert command in result.stdout


def test_migrate_is_quiet_unless_a_migration_fails(tmp_path: Path) -> None:
    result = run_cli("migrate", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/fresh.db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "database is at revision head"
    assert result.stderr == ""
    # A table in the way: the first migration fails, and what ran up to it is shown.
    with sqlite3.connect(tmp_path / "taken.db") as connection:
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    result = run_cli("migrate", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/taken.db")
    assert result.returncode != 0
    assert "Running upgrade  -> 0001" in result.stderr
    assert "already exists" in result.stderr
