"""The credential as a VC-JWT (Open Badges 3.0 §8.2, JSON Web Token Proof Format).

The JOSE header carries `alg` (EdDSA: Ed25519), `typ` and `kid`, the issuer's `did:key`
verification method, so a verifier resolves the key from the token itself. The payload is
the credential with the registered JWT claims the section asks for: `iss` (the issuer's
id), `jti` (the credential's id), `sub` (the recipient's identity hash), `nbf`/`iat`
(validFrom) and `exp` (validUntil, when there is one). Signing and checking use PyJWT.

A token is measured before anything in it is decoded: at most `MAX_TOKEN` characters,
three parts, a header of at most `MAX_HEADER` and a signature of exactly the length of an
Ed25519 one; anything else is refused with the reason, so a hostile upload costs nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

from bot.badges.credential import parse_time
from bot.badges.keys import (
    DID_KEY_LENGTH,
    DID_KEY_PREFIX,
    BadKeyError,
    SigningKey,
    public_key_from_did,
)

ALGORITHM = "EdDSA"
# A real credential is a few KB (its evidence lists the verified activities); 256 KB is
# far beyond any, and bounds the work a hostile one can ask for.
MAX_TOKEN = 256 * 1024
MAX_HEADER = 1024  # base64url characters of the JOSE header (alg, typ, kid: ~200)
SIGNATURE_LENGTH = 86  # base64url characters of a 64-byte Ed25519 signature


class ProofError(Exception):
    """The token cannot be trusted; `code` says why (see verify.REASONS). `refused`: it
    was turned away by its size or shape, before anything in it was decoded."""

    def __init__(self, code: str, detail: str = "", *, refused: bool = False) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.refused = refused


def check_shape(token: str) -> None:
    """`ProofError(refused=True)` unless the token has the size and shape of a VC-JWT
    signed with Ed25519. Costs a length check and a split."""
    if len(token) > MAX_TOKEN:
        raise ProofError("malformed", f"the credential has {len(token)} characters; "
                         f"at most {MAX_TOKEN} are read", refused=True)
    parts = token.split(".")
    if len(parts) != 3:
        raise ProofError("malformed", "a VC-JWT has three parts separated by dots, this "
                         f"one {len(parts)}", refused=True)
    if len(parts[0]) > MAX_HEADER:
        raise ProofError("malformed", f"the JOSE header has {len(parts[0])} characters; "
                         f"at most {MAX_HEADER} are read", refused=True)
    if len(parts[2]) != SIGNATURE_LENGTH:
        raise ProofError("malformed", f"an Ed25519 signature has {SIGNATURE_LENGTH} "
                         f"characters, this one {len(parts[2])}", refused=True)


def sign(credential: dict[str, Any], key: SigningKey) -> str:
    payload = dict(credential)
    payload["iss"] = key.did
    payload["jti"] = credential["id"]
    subject = credential.get("credentialSubject", {})
    identifiers = subject.get("identifier") or []
    if subject.get("id"):
        payload["sub"] = subject["id"]
    elif identifiers:
        payload["sub"] = identifiers[0]["identityHash"]
    valid_from = parse_time(credential.get("validFrom"))
    if valid_from is not None:
        payload["nbf"] = payload["iat"] = int(valid_from.timestamp())
    valid_until = parse_time(credential.get("validUntil"))
    if valid_until is not None:
        payload["exp"] = int(valid_until.timestamp())
    return jwt.encode(payload, key.private, algorithm=ALGORITHM,
                      headers={"kid": key.kid, "typ": "JWT"})


def issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def verify(token: str) -> dict[str, Any]:
    """The payload of a token whose signature checks with the key its `kid` names and
    whose issuer is that key's DID; `ProofError` otherwise. Dates are checked by the
    caller (it knows the time), so an expired token still shows what it was."""
    check_shape(token)
    try:
        header = jwt.get_unverified_header(token)
        claimed = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ProofError("malformed", str(exc)) from exc
    except RecursionError:  # JSON nested thousands deep
        raise ProofError("malformed", "the credential's JSON is nested too deep",
                         refused=True) from None
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM or not isinstance(kid, str):
        raise ProofError("malformed", "not an EdDSA token with a kid")
    if len(kid) > 2 * (len(DID_KEY_PREFIX) + DID_KEY_LENGTH):
        raise ProofError("malformed", f"the key identifier has {len(kid)} characters; an "
                         f"Ed25519 did:key has {DID_KEY_LENGTH} after did:key:", refused=True)
    try:
        public = public_key_from_did(kid)
    except BadKeyError as exc:
        identifier = kid.partition("#")[0]
        if identifier.startswith(DID_KEY_PREFIX) and \
                len(identifier) != len(DID_KEY_PREFIX) + DID_KEY_LENGTH:
            raise ProofError("malformed", str(exc), refused=True) from exc
        raise ProofError("issuer_mismatch", str(exc)) from exc
    issuer = issuer_id(claimed)
    if issuer is None or issuer != kid.split("#", 1)[0]:
        raise ProofError("issuer_mismatch", "the signing key is not the issuer's")
    try:
        payload: dict[str, Any] = jwt.decode(
            token, public, algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                     "verify_aud": False})
    except jwt.InvalidSignatureError as exc:
        raise ProofError("bad_signature", str(exc)) from exc
    except jwt.PyJWTError as exc:
        raise ProofError("malformed", str(exc)) from exc
    except RecursionError:
        raise ProofError("malformed", "the credential's JSON is nested too deep",
                         refused=True) from None
    if payload.get("iss") not in (None, issuer):
        raise ProofError("issuer_mismatch", "iss and issuer differ")
    return payload


def dates(payload: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    return parse_time(payload.get("validFrom")), parse_time(payload.get("validUntil"))
