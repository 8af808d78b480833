"""The `OpenBadgeCredential` of one award (Open Badges 3.0 on the W3C VC Data Model 2.0).

Required properties, by the specification's data model (Appendix B.1):
- AchievementCredential (a.k.a. OpenBadgeCredential): `@context` (VC 2.0 first, then the
  OB 3.0 context), `id`, `type` (VerifiableCredential + OpenBadgeCredential), `issuer`,
  `validFrom`, `name`, `credentialSubject`;
- AchievementSubject: `type`, `achievement`, and `id` or an `identifier` (IdentityObject:
  `type`, `hashed`, `identityHash`, `identityType`; salted SHA-256, never the raw id);
- Achievement: `id`, `type`, `criteria` (`narrative` or `id`), `description`, `name`;
- Profile (the issuer): `id`, `type`. Its id is the deployment's `did:key`.
Evidence (`type`, `name`, `narrative`) lists the verified hours behind the award.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")
IDENTITY_TYPE = "accountId"  # OB 3.0 IdentifierTypeEnum: the Telegram account id


@dataclass(frozen=True)
class Evidence:
    name: str  # the activity
    day: date
    minutes: int


@dataclass(frozen=True)
class Award:
    """Everything a credential says, as stored with the award."""

    award_id: int
    badge_id: int
    badge_name: str
    description: str
    criteria: str
    organisation: str
    recipient: str  # e.g. "telegram:12345"; only its salted hash goes into the credential
    salt: str
    issued_at: datetime
    minutes: int = 0  # verified minutes the award recognises (0 for a manual award)
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    valid_until: datetime | None = None
    status: dict[str, Any] | None = None  # a BitstringStatusListEntry (see status.py)


def identity_hash(recipient: str, salt: str) -> str:
    """OB 3.0 IdentityObject.identityHash: 'sha256$' + hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((recipient + salt).encode("utf-8")).hexdigest()


def stable_urn(issuer_did: str, kind: str, number: int) -> str:
    """A `urn:uuid:` that is the same every time for the same issuer and object."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer_did}/{kind}/{number}"))


def timestamp(moment: datetime) -> str:
    """XML Schema dateTime in UTC, whole seconds (what VC 2.0 `validFrom` takes)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def hours_text(minutes: int) -> str:
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def build(award: Award, issuer_did: str) -> dict[str, Any]:
    """The unsigned credential (a JSON object), ready for `vcjwt.sign`."""
    evidence = [{
        "id": stable_urn(issuer_did, f"awards/{award.award_id}/evidence", index),
        "type": ["Evidence"],
        "name": item.name,
        "narrative": f"{item.day.isoformat()}: {hours_text(item.minutes)} of verified "
                     f"activity, confirmed by {award.organisation}.",
    } for index, item in enumerate(award.evidence)]
    if award.minutes:
        evidence.insert(0, {
            "id": stable_urn(issuer_did, f"awards/{award.award_id}/evidence", len(evidence)),
            "type": ["Evidence"],
            "name": "Verified hours",
            "narrative": f"{hours_text(award.minutes)} verified by {award.organisation}.",
        })
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": stable_urn(issuer_did, "awards", award.award_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award.badge_name,
        "description": award.description,
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": award.organisation,
        },
        "validFrom": timestamp(award.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": identity_hash(award.recipient, award.salt),
                "identityType": IDENTITY_TYPE,
                "hashed": True,
                "salt": award.salt,
            }],
            "achievement": {
                "id": stable_urn(issuer_did, "achievements", award.badge_id),
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": award.badge_name,
                "description": award.description,
                "criteria": {"narrative": award.criteria},
                "creator": {"id": issuer_did, "type": ["Profile"],
                            "name": award.organisation},
            },
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if evidence:
        credential["evidence"] = evidence
    if award.valid_until is not None:
        credential["validUntil"] = timestamp(award.valid_until)
    if award.status is not None:
        credential["credentialStatus"] = award.status
    return credential


def parse_time(value: object) -> datetime | None:
    """A credential's dateTime, or None when absent or not a dateTime."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
