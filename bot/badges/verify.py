"""Checking a baked badge: from PNG bytes to a verdict anyone can reproduce offline.

Order of the checks: a credential is present (`no_credential`), readable (`malformed`),
signed by the key its header names and that key is the issuer's (`issuer_mismatch`),
the signature holds (`bad_signature`: the credential was changed after signing), the
issuer is the one expected when the caller names one (`issuer_mismatch`), then the dates
(`not_yet_valid`, `expired`) and finally the status list (`revoked`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.badges import image, vcjwt
from bot.i18n import _

REASONS = ("ok", "no_credential", "malformed", "bad_signature", "issuer_mismatch",
           "not_yet_valid", "expired", "revoked")

# Given a credentialStatus entry: True when revoked, False when not, None when unknown.
StatusCheck = Callable[[dict[str, Any]], bool | None]


def reason_text(code: str) -> str:
    """The reason in the current language."""
    return {
        "ok": _("The badge is valid."),
        "no_credential": _("This image holds no Open Badge credential."),
        "malformed": _("The badge's credential is damaged or not an Open Badge."),
        "bad_signature": _("The signature does not match: the badge was changed after it "
                           "was issued."),
        "issuer_mismatch": _("The badge was not signed with its issuer's key."),
        "not_yet_valid": _("The badge is not valid yet."),
        "expired": _("The badge has expired."),
        "revoked": _("The badge was revoked by its issuer."),
    }.get(code, code)


@dataclass
class Verdict:
    code: str
    credential: dict[str, Any] = field(default_factory=dict)
    status_checked: bool = False  # whether a status list said anything about it

    @property
    def ok(self) -> bool:
        return self.code == "ok"

    @property
    def issuer(self) -> str | None:
        return vcjwt.issuer_id(self.credential)

    @property
    def achievement(self) -> str | None:
        subject = self.credential.get("credentialSubject") or {}
        name = (subject.get("achievement") or {}).get("name")
        return name if isinstance(name, str) else None

    @property
    def recipient_hash(self) -> str | None:
        subject = self.credential.get("credentialSubject") or {}
        identifiers = subject.get("identifier") or [{}]
        value = identifiers[0].get("identityHash")
        return value if isinstance(value, str) else None

    def as_json(self) -> dict[str, Any]:
        valid_from, valid_until = vcjwt.dates(self.credential)
        return {
            "valid": self.ok, "reason": self.code, "message": reason_text(self.code),
            "issuer": self.issuer, "achievement": self.achievement,
            "recipient_hash": self.recipient_hash,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "status_checked": self.status_checked,
        }


def verify_token(token: str, *, now: datetime, trusted_issuer: str | None = None,
                 status: StatusCheck | None = None) -> Verdict:
    try:
        payload = vcjwt.verify(token.strip())
    except vcjwt.ProofError as error:
        return Verdict(error.code)
    verdict = Verdict("ok", payload)
    types = payload.get("type") or []
    if "OpenBadgeCredential" not in types and "AchievementCredential" not in types:
        verdict.code = "malformed"
        return verdict
    if trusted_issuer is not None and verdict.issuer != trusted_issuer:
        verdict.code = "issuer_mismatch"
        return verdict
    valid_from, valid_until = vcjwt.dates(payload)
    if valid_from is None:
        verdict.code = "malformed"
    elif now < valid_from:
        verdict.code = "not_yet_valid"
    elif valid_until is not None and now >= valid_until:
        verdict.code = "expired"
    elif isinstance(payload.get("credentialStatus"), dict) and status is not None:
        revoked = status(payload["credentialStatus"])
        verdict.status_checked = revoked is not None
        if revoked:
            verdict.code = "revoked"
    return verdict


def verify(png: bytes, *, now: datetime, trusted_issuer: str | None = None,
           status: StatusCheck | None = None) -> Verdict:
    """The verdict on a baked badge; `status` answers for its credentialStatus entry."""
    try:
        token = image.extract(png)
    except image.BakingError:  # not a PNG at all, or a damaged (compressed) chunk
        return Verdict("malformed" if png.startswith(image.PNG_SIGNATURE) else "no_credential")
    if token is None:
        return Verdict("no_credential")
    return verify_token(token, now=now, trusted_issuer=trusted_issuer, status=status)
