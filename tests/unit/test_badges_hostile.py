"""Hostile badges against the library (bot/badges): identifiers and tokens far larger than
any real one are refused by their size before anything is decoded, credentials whose fields
have odd types give a verdict instead of an exception, a status list that inflates without
end is refused, and a badge from an issuer nobody named is "signature valid, issuer
unknown", not valid."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.badges import credential, image, keys, status, vcjwt
from bot.badges.verify import verify
from bot.cli.badge import run_verify
from bot.config import Settings
from tests.unit.test_badges_library import NOW, an_award, baked


@pytest.fixture(scope="module")
def key() -> keys.SigningKey:
    return keys.SigningKey.generate()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hostile_badge(kid: str, payload: dict[str, Any] | None = None) -> bytes:
    """A PNG whose credential's header names `kid` (signed with some key: the signature
    is never reached)."""
    claims = payload if payload is not None else {"issuer": kid.split("#")[0],
                                                  "type": ["OpenBadgeCredential"]}
    token = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                       headers={"kid": kid})
    return image.bake(image.render("X", "red", "star"), token)


def test_a_real_did_key_has_48_characters_after_the_prefix(key: keys.SigningKey) -> None:
    for _ in range(20):
        did = keys.SigningKey.generate().did
        assert len(did.removeprefix("did:key:")) == keys.DID_KEY_LENGTH == 48
    assert keys.public_key_from_did(key.kid) is not None


def test_a_hostile_did_key_is_refused_by_its_length_before_decoding() -> None:
    hostile = "did:key:z" + "z" * 100_000  # "1"s would decode fast: zero bytes
    with pytest.raises(keys.BadKeyError, match="48"):
        keys.public_key_from_did(hostile)
    verdict = verify(hostile_badge(hostile + "#x"), now=NOW)  # the badge
    assert (verdict.code, verdict.refused) == ("malformed", True)
    assert "characters" in verdict.detail
    for kid in ("did:key:z" + "z" * 500, "did:key:z" + "z" * 50 + "#z"):  # fits the header
        verdict = verify(hostile_badge(kid), now=NOW)
        assert (verdict.code, verdict.refused) == ("malformed", True), kid
        assert "48" in verdict.detail


@pytest.mark.parametrize("token", [
    "a" * (vcjwt.MAX_TOKEN + 1),                              # the whole token
    "a.b",                                                    # not three parts
    b64(b"{" * 10) + "." * 3,                                 # four parts
    "x" * (vcjwt.MAX_HEADER + 1) + ".e30." + "A" * 86,         # the header
    b64(b'{"alg":"EdDSA"}') + ".e30." + "A" * 5000,           # the signature
])
def test_oversized_token_parts_are_refused_before_parsing(token: str) -> None:
    verdict = verify(image.bake(image.render("X", "red", "star"), token), now=NOW)
    assert (verdict.code, verdict.refused) == ("malformed", True)
    assert verdict.detail


def test_deeply_nested_json_in_the_credential_is_malformed_not_an_exception() -> None:
    header = b64(json.dumps({"alg": "EdDSA", "kid": keys.SigningKey.generate().kid}).encode())
    body = b64(b"[" * 10_000 + b"]" * 10_000)
    verdict = verify(image.bake(image.render("X", "red", "star"), f"{header}.{body}.{'A' * 86}"),
                     now=NOW)
    assert verdict.code == "malformed"
    nested_header = b64(b'{"a":' * 5_000 + b"1" + b"}" * 5_000)
    verdict = verify(image.bake(image.render("X", "red", "star"),
                                f"{nested_header}.e30.{'A' * 86}"), now=NOW)
    assert verdict.code == "malformed"


@pytest.mark.parametrize("changes", [
    {"type": 5}, {"type": "OpenBadgeCredential"}, {"type": [{"a": 1}]},
    {"credentialSubject": "x"}, {"credentialSubject": {"achievement": "x"}},
    {"credentialSubject": {"identifier": "x"}}, {"credentialSubject": {"identifier": [5]}},
    {"credentialSubject": {"identifier": []}}, {"credentialSubject": [1, 2]},
    {"issuer": 5}, {"issuer": ["x"]}, {"validFrom": 5}, {"validUntil": ["x"]},
    {"credentialStatus": "x"}, {"credentialStatus": {"statusListIndex": "²"}},
    {"name": {"x": 1}}, {"@context": 5},
])
def test_odd_field_types_give_a_verdict_not_an_exception(
        key: keys.SigningKey, changes: dict[str, Any]) -> None:
    claims = credential.build(an_award(), key.did)
    claims.update(changes)
    token = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
    png = image.bake(image.render("X", "red", "star"), token)
    for verdict in (verify(png, now=NOW, trusted_issuer=key.did, status=lambda _e: False),
                    verify(png, now=NOW, trusted_issuers={key.did})):
        assert verdict.code in {"ok", "malformed", "issuer_mismatch"}
        facts = verdict.as_json()  # every reported fact is a string or nothing
        for name in ("issuer", "achievement", "recipient_hash", "valid_from", "valid_until"):
            assert facts[name] is None or isinstance(facts[name], str)


def test_a_status_list_that_inflates_without_end_is_refused() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    with pytest.raises(ValueError, match="larger"):
        status.decode(encoded)
    assert status.is_set(status.decode(status.encode([5])), 5)


def test_an_unnamed_issuer_is_signature_valid_issuer_unknown(key: keys.SigningKey) -> None:
    stranger = keys.SigningKey.generate()
    png = baked(stranger)
    verdict = verify(png, now=NOW, trusted_issuers={key.did}, status=lambda _e: False)
    assert verdict.code == "issuer_unknown"
    assert not verdict.ok
    assert verdict.as_json()["valid"] is False
    assert verdict.as_json()["signature_valid"] is True
    assert "issuer" in verdict.as_json()["message"]
    assert verify(png, now=NOW, trusted_issuers={stranger.did}).code == "ok"
    assert verify(baked(key), now=NOW, trusted_issuers={key.did}).code == "ok"
    # Not valid in any other way either: a forged signature stays a bad signature.
    assert verify(image.bake(png, "x.y.z"), now=NOW, trusted_issuers=set()).code == "malformed"


def test_revocation_is_asked_even_without_a_status_entry(key: keys.SigningKey) -> None:
    """A deployment without a public address issues credentials without credentialStatus;
    its own database still knows which were revoked."""
    png = baked(key, an_award(status=None))
    asked: list[object] = []

    def revoked(entry: object) -> bool:
        asked.append(entry)
        return True

    verdict = verify(png, now=NOW, trusted_issuers={key.did}, status=revoked)
    assert (verdict.code, verdict.status_checked, asked) == ("revoked", True, [None])


def test_the_cli_refuses_the_hostile_badge_with_its_reason(
        tmp_path: Path, make_settings: Callable[..., Settings],
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hostile.png"
    path.write_bytes(hostile_badge("did:key:z" + "z" * 100_000))
    code = run_verify(make_settings(), path, offline=True, as_json=False)
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("INVALID: ")
    assert "reason: malformed" in out
    assert "detail: the credential has" in out
    path.write_bytes(b"\x89PNG" + b"\0" * (image.MAX_PNG + 1))  # not even read
    assert run_verify(make_settings(), path, offline=True, as_json=False) == 1
    assert "at most" in capsys.readouterr().err
