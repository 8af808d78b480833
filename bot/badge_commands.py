"""`python -m bot badge verify FILE.png`: check a baked Open Badge from the command line.

Checks the signature against the key its `did:key` names, the issuer, the dates and
revocation: in this deployment's database when the badge is one of ours, else in the
status list its credential names (fetched over HTTPS unless `--offline`). Exit 0 when the
badge is valid, 1 when it is not, 2 when the file cannot be read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bot.badges import image, status, vcjwt
from bot.badges.verify import Verdict, reason_text, verify
from bot.config import Settings
from bot.db import Database
from bot.models import utcnow
from bot.services import badges

log = logging.getLogger(__name__)

MAX_STATUS_LIST = 1_000_000  # bytes: a 16 KB bitstring gzipped is far smaller
FETCH_TIMEOUT = 10.0


def has_database(settings: Settings) -> bool:
    """Whether there is a database to ask (an embedded one is not created just for this)."""
    if not settings.is_sqlite:
        return True
    return Path(settings.database_url.split(":///", 1)[-1]).exists()


async def revoked_in_database(settings: Settings, token: str) -> bool | None:
    """What this deployment's database says about the token (None: not ours, or no
    database to ask)."""
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            return await badges.is_revoked(session, token)
    except Exception as exc:  # no database, or one without the badge tables
        log.info("the database could not say whether the badge is revoked: %s", exc)
        return None
    finally:
        await db.close()


async def revoked_in_list(entry: dict[str, Any], issuer: str | None) -> bool | None:
    """What the status list the credential names says (None: it cannot be read)."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as client, client.get(url) as reply:
            if reply.status != 200:
                return None
            body = await reply.content.read(MAX_STATUS_LIST + 1)
        if len(body) > MAX_STATUS_LIST:
            return None
        payload = vcjwt.verify(body.decode("utf-8").strip())
        if vcjwt.issuer_id(payload) != issuer:
            return None
        return status.revoked_in(payload, entry)
    except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError, ValueError,
            vcjwt.ProofError) as exc:
        log.info("the status list %s could not be read: %s", url, exc)
        return None


async def check(settings: Settings | None, png: bytes, *, offline: bool = False,
                issuer: str | None = None) -> Verdict:
    """The verdict; `settings` names the deployment whose database to ask (None: none),
    `issuer` the DID the badge must come from (None: any self-consistent did:key)."""
    now = utcnow()
    verdict = verify(png, now=now, trusted_issuer=issuer)
    if not verdict.ok:
        return verdict
    token = (image.extract(png) or "").strip()
    revoked = await revoked_in_database(settings, token) if settings is not None else None
    entry = verdict.credential.get("credentialStatus")
    if revoked is None and not offline and isinstance(entry, dict):
        revoked = await revoked_in_list(entry, verdict.issuer)
    return verify(png, now=now, trusted_issuer=issuer, status=lambda _entry: revoked)


def report(verdict: Verdict) -> str:
    facts = verdict.as_json()
    lines = [("VALID: " if verdict.ok else "INVALID: ") + reason_text(verdict.code),
             f"reason: {verdict.code}"]
    for label, key in (("issuer", "issuer"), ("achievement", "achievement"),
                       ("recipient", "recipient_hash"), ("issued", "valid_from"),
                       ("expires", "valid_until")):
        if facts.get(key):
            lines.append(f"{label}: {facts[key]}")
    if verdict.ok or verdict.code == "revoked":
        lines.append("revocation: " + ("checked" if verdict.status_checked
                                       else "not checked (no status list could be read)"))
    return "\n".join(lines)


def run_verify(settings: Settings, path: Path, *, offline: bool, as_json: bool,
               issuer: str | None = None) -> int:
    try:
        png = path.read_bytes()
    except OSError as exc:
        print(f"takas: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    deployment = settings if has_database(settings) else None
    verdict = asyncio.run(check(deployment, png, offline=offline, issuer=issuer))
    print(json.dumps(verdict.as_json(), ensure_ascii=False) if as_json else report(verdict))
    return 0 if verdict.ok else 1
