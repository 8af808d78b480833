"""Checking a badge someone hands to this deployment: the one procedure behind
`python -m bot badge verify` and the web server's `POST /badges/verify`.

1. The library's verdict (bot/badges/verify.py), computed in a worker thread under a time
   budget: the event loop keeps answering /healthz and Telegram meanwhile. Hostile
   uploads are turned away by their size before anything is decoded, so the budget is a
   second line of defence, not the first.
2. Trust: a valid signature proves only that *someone* signed. The badge is valid when its
   issuer is the one the caller names (`--issuer`, `?issuer=`), else when it is this
   deployment; any other issuer is `issuer_unknown` ("signature valid, issuer unknown").
3. Revocation: this deployment's database answers for the badges it issued, whatever
   PUBLIC_URL says (without one, credentials carry no status entry); other issuers' status
   lists are fetched, when the caller allows it, only through the feeds' SSRF guard.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.badges import image, status, vcjwt
from bot.badges.verify import Verdict, verify

log = logging.getLogger(__name__)

BUDGET = 5.0  # seconds a verification may take; a real one takes milliseconds
MAX_STATUS_LIST = 1_000_000  # bytes fetched: a 16 KB bitstring gzipped is far smaller
FETCH_TIMEOUT = 10.0

# What the deployment's database or a status list says about a token or an entry.
RevokedInDatabase = Callable[[str], Awaitable[bool | None]]
RevokedInList = Callable[[dict[str, Any], str | None], Awaitable[bool | None]]


class TooSlowError(Exception):
    """The verification did not finish within its time budget."""


@dataclass(frozen=True)
class Trust:
    """Whose badges are valid: `named` (the caller's), else `deployment` (ours)."""

    deployment: str | None = None
    named: str | None = None


async def check(png: bytes, *, now: datetime, trust: Trust,
                database: RevokedInDatabase | None = None,
                status_list: RevokedInList | None = None,
                executor: Executor | None = None, budget: float = BUDGET) -> Verdict:
    """The verdict on `png` for a caller who trusts `trust`; `TooSlowError` past `budget`."""
    trusted = {trust.named} if trust.named else {trust.deployment} if trust.deployment else set()
    loop = asyncio.get_running_loop()

    def run() -> tuple[Verdict, str]:
        verdict = verify(png, now=now, trusted_issuer=trust.named, trusted_issuers=trusted)
        token = (image.extract(png) or "").strip() if verdict.ok else ""
        return verdict, token

    try:
        async with asyncio.timeout(budget):
            verdict, token = await loop.run_in_executor(executor, run)
    except TimeoutError:
        raise TooSlowError(f"the verification took more than {budget:g} s") from None
    if not verdict.ok:
        return verdict
    revoked = await database(token) if database is not None else None
    entry = verdict.credential.get("credentialStatus")
    if revoked is None and status_list is not None and isinstance(entry, dict):
        revoked = await status_list(entry, verdict.issuer)
    verdict.status_checked = revoked is not None
    if revoked:
        verdict.code = "revoked"
    return verdict


async def revoked_in_list(entry: dict[str, Any], issuer: str | None) -> bool | None:
    """What the status list the credential names says (None: it cannot be read). Fetched
    like a feed added in chat: public addresses only, every redirect checked, the size
    bounded, and signed by the badge's own issuer."""
    from catalog.fetch import FetchLimits, fetch, public_session
    from catalog.model import FeedError

    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    limits = FetchLimits(max_bytes=MAX_STATUS_LIST, connect_timeout=FETCH_TIMEOUT,
                         total_timeout=FETCH_TIMEOUT, retries=0)
    try:
        async with public_session() as client:
            fetched = await fetch(client, url, public_only=True, limits=limits)
        payload = vcjwt.verify((fetched.body or b"").decode("utf-8").strip())
        if vcjwt.issuer_id(payload) != issuer:
            return None
        return status.revoked_in(payload, entry)
    except (FeedError, UnicodeDecodeError, ValueError, vcjwt.ProofError) as exc:
        log.info("the status list %s could not be read: %s", url[:200], exc)
        return None


def issuer_argument(value: str | None) -> str | None:
    """A named issuer (`?issuer=`), or None when empty; cut at 200 characters (a did:key
    has 56), so it costs nothing to compare."""
    if value is None or not value.strip():
        return None
    return value.strip()[:200]
