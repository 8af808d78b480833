"""Who is calling the Mini App's API: Telegram's signed `initData`, the local development
login, and signed file links.

Inside Telegram every API call carries `Authorization: tma <initData>`, the query string
Telegram gave the page. It is checked as Telegram documents it ("Validating data received
via the Mini App", core.telegram.org/bots/webapps):

    secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)
    data_check_string = the pairs other than `hash`, decoded, sorted by key, "key=value"
                        joined with "\\n"
    valid when hex(HMAC_SHA256(key=secret_key, msg=data_check_string)) == hash

compared in constant time, and `auth_date` at most `max_age` seconds old (and not in the
future beyond a minute of clock skew). Nothing from the string is trusted before that.

Development (`python -m bot console` or `web` without a token, or `WEB_DEV_LOGIN=1`):
`Authorization: dev <token>`, a random token printed with the local address.

Files (badge PNGs, PDFs, .ics) are opened by `<img>`, links and Telegram's downloadFile,
which send no header: their URLs carry `exp` and `sig`, an HMAC of the path, the user and
the expiry under a key derived from the bot token (`Signer`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

WEBAPP_DATA = b"WebAppData"
MAX_INIT_DATA = 4096  # bytes; Telegram's are well under 1 KB
CLOCK_SKEW = 60  # seconds an auth_date may lie in the future
LINK_LIFETIME = 6 * 3600  # seconds a signed file link works
# A shared read-only link's token in a route (bot/services/shares.py makes 32 characters).
SHARE_TOKEN_ROUTE = r"{token:[A-Za-z0-9_-]{16,64}}"  # noqa: S105 - a pattern, not a secret


class AuthError(Exception):
    """The caller is not authenticated; the message says why (never a secret)."""


@dataclass(frozen=True)
class WebUser:
    """The person behind a request, as far as authentication tells."""

    id: int
    first_name: str = ""
    language_code: str | None = None
    username: str | None = None


def secret_key(bot_token: str) -> bytes:
    return hmac.new(WEBAPP_DATA, bot_token.encode(), hashlib.sha256).digest()


def data_check_string(pairs: dict[str, str]) -> str:
    return "\n".join(f"{key}={pairs[key]}" for key in sorted(pairs) if key != "hash")


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The initData Telegram would send for `fields` (tests and the benchmarks use it)."""
    digest = hmac.new(secret_key(bot_token), data_check_string(fields).encode(),
                      hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def validate_init_data(init_data: str, bot_token: str, *, max_age: int,
                       now: float | None = None) -> WebUser:
    """The user `init_data` was issued to, or `AuthError`."""
    if not init_data or len(init_data.encode("utf-8", "surrogatepass")) > MAX_INIT_DATA:
        raise AuthError("initData is missing or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise AuthError("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise AuthError("initData repeats a field")
    given = fields.get("hash", "")
    expected = hmac.new(secret_key(bot_token), data_check_string(fields).encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode("ascii", "replace"), expected.encode()):
        raise AuthError("initData is not signed by this bot")
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError:
        raise AuthError("initData has no auth_date") from None
    moment = time.time() if now is None else now
    if auth_date > moment + CLOCK_SKEW or moment - auth_date > max_age:
        raise AuthError("initData has expired; reopen the app")
    return _user(fields.get("user"))


def _user(text: str | None) -> WebUser:
    try:
        user = json.loads(text or "")
    except ValueError:
        raise AuthError("initData names no user") from None
    if not isinstance(user, dict):
        raise AuthError("initData names no user")
    user_id = user.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise AuthError("initData names no user")
    name, language = user.get("first_name"), user.get("language_code")
    username = user.get("username")
    return WebUser(user_id, name[:256] if isinstance(name, str) else "",
                   language[:35] if isinstance(language, str) else None,
                   username[:64] if isinstance(username, str) else None)


class DevLogin:
    """The development login: one random token per process. It acts as `who()` says
    (the console: whoever it plays now), else as user 1, the console's first person."""

    def __init__(self, who: Callable[[], tuple[int, str, str | None]] | None = None) -> None:
        self.token = secrets.token_urlsafe(18)
        self.who = who or (lambda: (1, "Console", None))

    def check(self, given: str) -> WebUser:
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode()):
            raise AuthError("the development token is not this process's")
        user_id, first_name, language = self.who()
        return WebUser(user_id, first_name, language)


class Signer:
    """Signed links to files: `path?exp=..&u=..&sig=..`, checked without the header."""

    def __init__(self, key: bytes, lifetime: int = LINK_LIFETIME) -> None:
        self._key, self.lifetime = key, lifetime

    @classmethod
    def for_token(cls, bot_token: str | None) -> Signer:
        """Keyed by the bot token (every web process of a deployment agrees); without one
        a random key (links work in this process only)."""
        material = bot_token.encode() if bot_token else secrets.token_bytes(32)
        return cls(hmac.new(b"takas-web-files", material, hashlib.sha256).digest())

    def _mac(self, path: str, user_id: int, expires: int) -> str:
        message = f"{path}\n{user_id}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def sign(self, path: str, user_id: int, query: dict[str, str] | None = None,
             now: float | None = None) -> str:
        """`path` (with `query`) signed for `user_id`."""
        expires = int((time.time() if now is None else now) + self.lifetime)
        wanted = dict(sorted((query or {}).items()))
        full = path + ("?" + urlencode(wanted) if wanted else "")
        extra = urlencode({"u": user_id, "exp": expires,
                           "sig": self._mac(full, user_id, expires)})
        return full + ("&" if wanted else "?") + extra

    def check(self, path: str, query: dict[str, str], now: float | None = None) -> int:
        """The user a signed link was made for, or `AuthError`."""
        try:
            user_id, expires = int(query.get("u", "")), int(query.get("exp", ""))
        except ValueError:
            raise AuthError("the link is not signed") from None
        rest = dict(sorted((k, v) for k, v in query.items() if k not in ("u", "exp", "sig")))
        full = path + ("?" + urlencode(rest) if rest else "")
        given = query.get("sig", "")
        if not hmac.compare_digest(given.encode("ascii", "replace"),
                                   self._mac(full, user_id, expires).encode()):
            raise AuthError("the link's signature does not match")
        if expires < (time.time() if now is None else now):
            raise AuthError("the link has expired; reload the page")
        return user_id
