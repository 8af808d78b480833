"""Typed settings read once from the environment (and `.env` when present).

Every value is validated at start-up; `load_settings()` turns a validation failure into a
`ConfigError` whose message is one line naming the variable, so the CLI can print it instead
of a traceback. Secrets are `SecretStr` and never appear in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.languages import SUPPORTED_LANGUAGES
from bot.text import is_id

if TYPE_CHECKING:
    from bot.badges.keys import SigningKey

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'takas.sqlite3'}"


OSM_ATTRIBUTION = ("&copy; <a href=\"https://www.openstreetmap.org/copyright\">"
                   "OpenStreetMap</a> contributors")


class ConfigError(Exception):
    """A setting has an invalid value; the message is one line fit for a terminal."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    bot_api_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: str = "en"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    feeds_file: Path | None = None
    feed_sync_interval: int = Field(default=30 * 60, ge=0)
    # Days a processed update (inbox) and a settled outgoing message (outbox) are kept; they
    # hold what people wrote and were sent, so not longer than needed to investigate.
    retention_days: int = Field(default=3, ge=1, le=365)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    # The address the webhook server binds to (all interfaces by default: it listens
    # behind a load balancer); 127.0.0.1 keeps it to this machine.
    host: str = "0.0.0.0"  # noqa: S104
    # Proxies in front of the web process that append the client's address to
    # X-Forwarded-For (a platform's router, nginx): the public pages' per-client limit reads
    # the address that many entries from the right. 0: the peer's address is the client's.
    forwarded_hops: int = Field(default=0, ge=0, le=5)
    # When set, GET /metrics asks for `Authorization: Bearer <token>` (401 otherwise).
    metrics_token: SecretStr | None = None
    # Outgoing messages (bot/delivery): Telegram allows ~30/s overall; paid broadcasts
    # (Telegram Stars) up to 1000/s. The pacer keeps the 30 per second for sure whatever
    # the network does (bot/delivery/pacing.py), so the default is the limit itself.
    send_rate: float = Field(default=30, gt=0, le=30)
    paid_broadcast: bool = False
    paid_send_rate: float = Field(default=900, gt=0, le=1000)
    # Incoming updates per user (bot/flood.py): a burst of this many, then this many per
    # second; what comes faster is dropped with one polite notice.
    user_flood_burst: int = Field(default=30, ge=1, le=1000)
    user_flood_rate: float = Field(default=1.0, gt=0, le=100)
    # Open Badges (bot/badges): the Ed25519 key that signs them (base64url seed or PEM;
    # when unset, a key file beside the SQLite database or in data/), and the public
    # address that serves their status lists (default: WEBHOOK_URL's origin).
    badge_signing_key: SecretStr | None = None
    public_url: str | None = None
    # The Mini App (bot/web): the public https address of its map page (the chat's menu
    # button and "Open map" buttons open it), the local port of `python -m bot web` (and of
    # the pages `run` and the console serve beside the bot; 0: none), how old Telegram's
    # signed initData may be, a development login without Telegram (never with a real
    # token unless asked), and the map's tiles.
    webapp_url: str | None = None
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    webapp_auth_max_age: int = Field(default=86400, ge=60, le=30 * 86400)
    web_dev_login: bool = False
    webapp_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    webapp_tile_attribution: str = OSM_ATTRIBUTION

    @field_validator("bot_token", "webhook_secret", "feeds_file", "badge_signing_key",
                     "metrics_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # A token is "<bot id>:<secret>"; a pasted username or URL fails here, not at login.
        if value is not None:
            bot_id, sep, rest = value.get_secret_value().strip().partition(":")
            if not (sep and is_id(bot_id) and rest):
                raise ValueError("expected the form 123456789:ABC... as given by @BotFather")
            return SecretStr(value.get_secret_value().strip())
        return value

    @field_validator("badge_signing_key")
    @classmethod
    def _badge_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from bot.badges.keys import BadKeyError, SigningKey

            try:
                SigningKey.parse(value.get_secret_value())
            except (BadKeyError, ValueError) as exc:
                raise ValueError(str(exc).removeprefix("BADGE_SIGNING_KEY ")) from None
        return value

    @field_validator("web_port", mode="before")
    @classmethod
    def _web_port(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webapp_url", mode="before")
    @classmethod
    def _webapp_url(cls, value: object) -> object:
        # Telegram opens Mini Apps over https only. The map page's address; one without a
        # path gets /app, where the web process serves the pages.
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not value.strip().startswith("https://"):
            raise ValueError("expected the public https:// address of the Mini App, "
                             "e.g. https://bot.example.org/app")
        from urllib.parse import urlsplit

        url = value.strip().rstrip("/")
        return url if urlsplit(url).path else url + "/app"

    @field_validator("webapp_tile_url", mode="before")
    @classmethod
    def _tile_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        if not isinstance(value, str) or not value.strip().startswith(("http://", "https://")) \
                or not all(part in value for part in ("{z}", "{x}", "{y}")):
            raise ValueError("expected a tile URL template with {z}, {x} and {y}")
        return value.strip()

    @field_validator("webapp_tile_attribution", mode="before")
    @classmethod
    def _attribution(cls, value: object) -> object:
        return OSM_ATTRIBUTION if value is None or (isinstance(value, str)
                                                    and not value.strip()) else value

    @field_validator("bot_api_url", "webhook_url", "public_url", mode="before")
    @classmethod
    def _url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.strip().rstrip("/")

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return DEFAULT_DATABASE_URL
        if not isinstance(value, str) or not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db"
            )
        if value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            if not all(is_id(p.removeprefix("-")) for p in parts):
                raise ValueError("expected Telegram user ids separated by commas, e.g. 12345,67890")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("default_language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        code = str(value).strip().lower().replace("_", "-").split("-")[0]
        if code not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
        return code

    @field_validator("host", "web_host", mode="before")
    @classmethod
    def _host(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip():
            # The webhook listens behind a load balancer; the local pages on this machine.
            return "0.0.0.0" if info.field_name == "host" else "127.0.0.1"  # noqa: S104
        if isinstance(value, str):
            value = value.strip().removeprefix("[").removesuffix("]")  # [::1] as in URLs
            if not value or any(ch.isspace() or ch in "/?#@" for ch in value):
                raise ValueError("expected an IP address or host name to listen on, "
                                 "e.g. 0.0.0.0 or 127.0.0.1")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    def secrets(self) -> list[str]:
        """The secret values in force, for log redaction."""
        values = [s.get_secret_value()
                  for s in (self.bot_token, self.webhook_secret, self.badge_signing_key,
                            self.metrics_token) if s]
        password = _url_password(self.database_url)
        if password:
            values.append(password)
        if self.badge_signing_key is None:  # the generated key, if it exists yet
            from bot.badges.keys import key_file_for

            key_file = key_file_for(self.database_url, PROJECT_ROOT / "data")
            if key_file.exists():
                values.append(key_file.read_text(encoding="ascii").strip())
        return values

    def badge_key(self) -> SigningKey:
        """The key that signs badges: BADGE_SIGNING_KEY, else the one in the key file
        (created once)."""
        from bot.badges.keys import SigningKey, key_file_for, load_or_create

        if self.badge_signing_key is not None:
            return SigningKey.parse(self.badge_signing_key.get_secret_value())
        return load_or_create(key_file_for(self.database_url, PROJECT_ROOT / "data"))

    @property
    def badge_base_url(self) -> str | None:
        """Where `/badges/status/<n>` is served: the public base URL."""
        return self.public_base_url

    @property
    def public_base_url(self) -> str | None:
        """Where the web process answers the public (badge status lists, certificate
        pages): PUBLIC_URL, else WEBHOOK_URL's origin; None when neither is set."""
        if self.public_url:
            return self.public_url
        if self.webhook_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        return None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password
    except Exception:
        return None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or raise `ConfigError` naming the first bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"Invalid {name}: {message}") from None
