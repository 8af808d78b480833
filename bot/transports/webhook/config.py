"""The webhook's settings: where Telegram posts and with which secret (`webhook_config`,
checked at start-up), and the intervals of the background loops (`Timings`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot import badge_check
from bot.config import ConfigError, Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name
DEFAULT_PATH = "/telegram"
MAX_BODY = 1024 * 1024  # bytes; Telegram's updates are far smaller
MAX_DEPTH = 64  # JSON nesting of an update; Telegram's go about 10 deep
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token


@dataclass(frozen=True)
class Timings:
    """Intervals of the background loops (seconds); tests shorten them."""

    poll: float = 1.0  # look for updates stored by other processes
    stale_after: float = 60.0  # a row `processing` this long belongs to a dead process
    requeue_every: float = 30.0
    heartbeat: float = 15.0  # refresh claimed_at of rows still being worked on
    prune_every: float = 3600.0
    catalog_check: float = 60.0
    health_timeout: float = 2.0
    store_timeout: float = 10.0
    stop_grace: float = 10.0  # let updates in progress finish before cancelling them
    concurrency: int = 16  # updates processed at once by one process
    # /healthz says 503 when an update has waited this long and this process's inbox
    # processor has not moved for as long: it is stuck (or hopelessly behind).
    stuck_after: float = 120.0
    # Slow clients: the headers of a request must arrive within header_timeout (also how
    # long an idle keep-alive connection stays open), its body within body_timeout.
    header_timeout: float = 30.0
    body_timeout: float = 30.0
    verify_budget: float = badge_check.BUDGET  # one badge verification, in a thread


DEFAULT_TIMINGS = Timings()


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram delivers (`url`), where this server listens (`path`), the secret."""

    url: str
    path: str
    secret: str


def webhook_config(settings: Settings, path: str | None = None) -> WebhookConfig:
    """Check the webhook settings; `ConfigError` (one line naming the variable) if unusable.

    The route is `path` when given (a proxy in front may rewrite paths), else the path of
    `WEBHOOK_URL`, else `/telegram`; a `WEBHOOK_URL` without a path gets `/telegram`
    appended, so Telegram posts where this server listens."""
    if not settings.webhook_url:
        raise ConfigError("Invalid WEBHOOK_URL: the webhook needs the public https:// URL "
                          "Telegram should post to")
    if settings.webhook_secret is None:
        raise ConfigError("Invalid WEBHOOK_SECRET: the webhook needs a secret "
                          "(1-256 characters A-Z, a-z, 0-9, _ and -)")
    secret = settings.webhook_secret.get_secret_value()
    if not _SECRET_RE.fullmatch(secret):
        raise ConfigError("Invalid WEBHOOK_SECRET: expected 1-256 characters "
                          "A-Z, a-z, 0-9, _ and -")
    url = settings.webhook_url
    url_path = urlsplit(url).path.rstrip("/")
    if not url_path:
        url, url_path = url + DEFAULT_PATH, DEFAULT_PATH
    route = path or url_path
    if not route.startswith("/"):
        route = "/" + route
    return WebhookConfig(url=url, path=route, secret=secret)
