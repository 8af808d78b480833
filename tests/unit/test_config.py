"""Settings: defaults, parsing, and one clear line for every invalid value."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


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
        ("WEBAPP_URL", "http://bot.example.org/app"),  # Telegram opens https only
        ("WEB_PORT", "70000"),
        ("WEBAPP_AUTH_MAX_AGE", "5"),
        ("WEBAPP_TILE_URL", "https://tiles.example/{z}/{x}.png"),
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


def test_the_mini_app_address_gets_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBAPP_URL", "https://bot.example.org/")
    assert load_settings(_env_file=None).webapp_url == "https://bot.example.org/app"
    monkeypatch.setenv("WEBAPP_URL", "https://bot.example.org/takas/app/")
    assert load_settings(_env_file=None).webapp_url == "https://bot.example.org/takas/app"
    monkeypatch.setenv("WEB_HOST", "")
    assert load_settings(_env_file=None).web_host == "127.0.0.1"  # never all by default
