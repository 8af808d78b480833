"""`python -m bot badge verify FILE.png`: check a baked Open Badge from the command line.

Checks the signature against the key its `did:key` names, then whose badge it is: valid
only when the issuer is the one `--issuer` names or, without `--issuer`, this deployment
(its key from BADGE_SIGNING_KEY or the key file; none is created for this). Any other
issuer gets "signature valid, issuer unknown": anyone can make a key and sign a badge.
Then the dates and revocation: in this deployment's database for the badges it issued
(whatever PUBLIC_URL says), else in the status list its credential names, fetched through
the feeds' SSRF guard unless `--offline`. The same procedure as the web server's
`POST /badges/verify` (bot/badge_check.py), with the same size limits.

Exit 0 when the badge is valid, 1 when it is not (issuer unknown included), 2 when the
file cannot be read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

from bot import badge_check
from bot.badges import image
from bot.badges.keys import BadKeyError, SigningKey, key_file_for
from bot.badges.verify import Verdict, reason_text
from bot.config import PROJECT_ROOT, Settings
from bot.services import badges
from bot.storage.db import Database
from bot.storage.models import utcnow

log = logging.getLogger(__name__)


def has_database(settings: Settings) -> bool:
    """Whether there is a database to ask (an embedded one is not created just for this)."""
    if not settings.is_sqlite:
        return True
    return Path(settings.database_url.split(":///", 1)[-1]).exists()


def deployment_issuer(settings: Settings) -> str | None:
    """This deployment's did:key: from BADGE_SIGNING_KEY, else from the key file when it
    exists (None: no key here, so no badge is known to be ours)."""
    if settings.badge_signing_key is not None:
        return settings.badge_key().did
    path = key_file_for(settings.database_url, PROJECT_ROOT / "data")
    try:
        return SigningKey.parse(path.read_text(encoding="ascii")).did
    except (OSError, ValueError, BadKeyError):
        return None


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


async def check(settings: Settings | None, png: bytes, *, offline: bool = False,
                issuer: str | None = None) -> Verdict:
    """The verdict; `settings` names the deployment whose key and database to ask (None:
    none), `issuer` the DID the badge must come from (None: this deployment's)."""
    trust = badge_check.Trust(deployment=deployment_issuer(settings) if settings else None,
                              named=issuer)
    deployment = settings if settings is not None and has_database(settings) else None

    async def database(token: str) -> bool | None:
        if deployment is None:
            return None
        return await revoked_in_database(deployment, token)

    return await badge_check.check(
        png, now=utcnow(), trust=trust, database=database,
        status_list=None if offline else badge_check.revoked_in_list)


def report(verdict: Verdict) -> str:
    facts = verdict.as_json()
    if verdict.ok:
        verdict_line = "VALID: "
    elif verdict.code == "issuer_unknown":
        verdict_line = "SIGNATURE VALID, ISSUER UNKNOWN: "
    else:
        verdict_line = "INVALID: "
    lines = [verdict_line + reason_text(verdict.code), f"reason: {verdict.code}"]
    for label, key in (("detail", "detail"), ("issuer", "issuer"),
                       ("achievement", "achievement"), ("recipient", "recipient_hash"),
                       ("issued", "valid_from"), ("expires", "valid_until")):
        if facts.get(key):
            lines.append(f"{label}: {facts[key]}")
    if verdict.code == "issuer_unknown":
        lines.append("to trust this issuer, run again with --issuer " + (verdict.issuer or "DID"))
    if verdict.ok or verdict.code == "revoked":
        lines.append("revocation: " + ("checked" if verdict.status_checked
                                       else "not checked (no status list could be read)"))
    return "\n".join(lines)


def run_verify(settings: Settings, path: Path, *, offline: bool, as_json: bool,
               issuer: str | None = None) -> int:
    try:
        size = path.stat().st_size
        if size > image.MAX_PNG:  # not read at all: no badge is that large
            print(f"takas: {path} has {size} bytes; a badge image has at most "
                  f"{image.MAX_PNG}", file=sys.stderr)
            return 1
        png = path.read_bytes()
    except OSError as exc:
        print(f"takas: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        verdict = asyncio.run(check(settings, png, offline=offline,
                                    issuer=badge_check.issuer_argument(issuer)))
    except badge_check.TooSlowError as exc:
        print(f"takas: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(verdict.as_json(), ensure_ascii=False) if as_json else report(verdict))
    return 0 if verdict.ok else 1
