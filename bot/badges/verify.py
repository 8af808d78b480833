"""Checking a baked badge: from PNG bytes to a verdict anyone can reproduce offline.

Order of the checks: a credential is present (`no_credential`), of a sane size and shape
and readable (`malformed`; `refused` when turned away by its size before decoding), signed
by the key its header names and that key is the issuer's (`issuer_mismatch`), the signature
holds (`bad_signature`: the credential was changed after signing), the issuer is the one
expected when the caller names one (`issuer_mismatch`) or one the caller trusts
(`issuer_unknown`: the signature is valid, but anyone can make a key and sign with it),
then the dates (`not_yet_valid`, `expired`) and finally revocation (`revoked`).

Fields of odd types (a `type` that is a number, a subject that is a string) make a
credential `malformed` or are reported as absent; they never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.badges import image, vcjwt
from bot.i18n import _

REASONS = ("ok", "no_credential", "malformed", "bad_signature", "issuer_mismatch",
           "issuer_unknown", "not_yet_valid", "expired", "revoked")

# Given the credentialStatus entry (None when the credential has none): True when
# revoked, False when not, None when unknown. The issuer's own database knows even
# without an entry (a deployment with no public address issues credentials without one).
StatusCheck = Callable[[dict[str, Any] | None], bool | None]


def reason_text(code: str) -> str:
    """The reason in the current language."""
    return {
        "ok": _("The badge is valid."),
        "no_credential": _("This image holds no Open Badge credential."),
        "malformed": _("The badge's credential is damaged or not an Open Badge."),
        "bad_signature": _("The signature does not match: the badge was changed after it "
                           "was issued."),
        "issuer_mismatch": _("The badge was not signed with its issuer's key."),
        "issuer_unknown": _("The signature is valid, but the issuer is unknown: anyone can "
                            "sign a badge with a key of their own."),
        "not_yet_valid": _("The badge is not valid yet."),
        "expired": _("The badge has expired."),
        "revoked": _("The badge was revoked by its issuer."),
    }.get(code, code)


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class Verdict:
    code: str
    credential: dict[str, Any] = field(default_factory=dict)
    status_checked: bool = False  # whether a status list said anything about it
    detail: str = ""  # what exactly was wrong (English, for people and logs)
    refused: bool = False  # turned away by size or shape before anything was decoded

    @property
    def ok(self) -> bool:
        return self.code == "ok"

    @property
    def signature_valid(self) -> bool:
        return self.code in ("ok", "issuer_unknown", "not_yet_valid", "expired", "revoked")

    @property
    def issuer(self) -> str | None:
        return vcjwt.issuer_id(self.credential)

    @property
    def achievement(self) -> str | None:
        subject = _object(self.credential.get("credentialSubject"))
        return _text(_object(subject.get("achievement")).get("name"))

    @property
    def recipient_hash(self) -> str | None:
        subject = _object(self.credential.get("credentialSubject"))
        identifiers = subject.get("identifier")
        first = identifiers[0] if isinstance(identifiers, list) and identifiers else None
        return _text(_object(first).get("identityHash"))

    def as_json(self) -> dict[str, Any]:
        valid_from, valid_until = vcjwt.dates(self.credential)
        return {
            "valid": self.ok, "reason": self.code, "message": reason_text(self.code),
            "signature_valid": self.signature_valid,
            "issuer": self.issuer, "achievement": self.achievement,
            "recipient_hash": self.recipient_hash,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "status_checked": self.status_checked,
            "detail": self.detail or None,
        }


def _types(payload: dict[str, Any]) -> list[Any]:
    value = payload.get("type")
    if isinstance(value, str):
        return [value]
    return value if isinstance(value, list) else []


def verify_token(token: str, *, now: datetime, trusted_issuer: str | None = None,
                 trusted_issuers: Collection[str] | None = None,
                 status: StatusCheck | None = None) -> Verdict:
    """The verdict on a compact VC-JWT. `trusted_issuer`: the one issuer expected (another
    is `issuer_mismatch`); `trusted_issuers`: the issuers known to the caller (another is
    `issuer_unknown`); neither: the issuer is not judged (offline library use)."""
    try:
        payload = vcjwt.verify(token.strip())
    except vcjwt.ProofError as error:
        return Verdict(error.code, detail=error.detail, refused=error.refused)
    verdict = Verdict("ok", payload)
    types = _types(payload)
    if "OpenBadgeCredential" not in types and "AchievementCredential" not in types:
        verdict.code, verdict.detail = "malformed", "not an OpenBadgeCredential"
        return verdict
    if trusted_issuer is not None and verdict.issuer != trusted_issuer:
        verdict.code = "issuer_mismatch"
        return verdict
    if trusted_issuers is not None and verdict.issuer not in trusted_issuers:
        verdict.code = "issuer_unknown"
        return verdict
    valid_from, valid_until = vcjwt.dates(payload)
    if valid_from is None:
        verdict.code, verdict.detail = "malformed", "no validFrom date"
    elif now < valid_from:
        verdict.code = "not_yet_valid"
    elif valid_until is not None and now >= valid_until:
        verdict.code = "expired"
    elif status is not None:
        entry = payload.get("credentialStatus")
        revoked = status(entry if isinstance(entry, dict) else None)
        verdict.status_checked = revoked is not None
        if revoked:
            verdict.code = "revoked"
    return verdict


def verify(png: bytes, *, now: datetime, trusted_issuer: str | None = None,
           trusted_issuers: Collection[str] | None = None,
           status: StatusCheck | None = None) -> Verdict:
    """The verdict on a baked badge (see `verify_token` for the issuer arguments);
    `status` answers for its credentialStatus entry."""
    try:
        token = image.extract(png)
    except image.BakingError as error:  # not a PNG, a damaged or compressed chunk, too big
        if not png.startswith(image.PNG_SIGNATURE):
            return Verdict("no_credential")
        return Verdict("malformed", detail=str(error), refused=error.refused)
    if token is None:
        return Verdict("no_credential")
    return verify_token(token, now=now, trusted_issuer=trusted_issuer,
                        trusted_issuers=trusted_issuers, status=status)
