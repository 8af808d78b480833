"""The Open Badges library (bot/badges): what the credential must hold by the Open Badges
3.0 specification, its VC-JWT checked by an independent JOSE implementation (jwcrypto),
the baked PNG, the status list, and every reason a badge fails verification."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from jwcrypto import jwk, jws
from jwcrypto.common import base64url_decode, base64url_encode
from PIL import Image

from bot.badges import credential, image, keys, status, vcjwt
from bot.badges.verify import REASONS, verify

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BASE = "https://takas.example"


def an_award(**changes: object) -> credential.Award:
    values: dict[str, object] = {
        "award_id": 7, "badge_id": 3, "badge_name": "Skaitovas", "description": "Reads to children",
        "criteria": "10 approved hours in a school year", "organisation": "Utenos biblioteka",
        "recipient": "telegram:902", "salt": "c0ffee", "issued_at": NOW - timedelta(days=1),
        "minutes": 600, "evidence": (credential.Evidence("Reading to children", date(2026, 11, 18),
                                                   600),),
        "status": status.entry(BASE, 7)}
    values.update(changes)
    return credential.Award(**values)


@pytest.fixture(scope="module")
def key() -> keys.SigningKey:
    return keys.SigningKey.generate()


def baked(key: keys.SigningKey, award: credential.Award | None = None) -> bytes:
    token = vcjwt.sign(credential.build(award or an_award(), key.did), key)
    return image.bake(image.render("Skaitovas", "blue", "book", "Utenos biblioteka"), token)


def payload_of(png: bytes) -> dict[str, Any]:
    token = image.extract(png)
    assert token is not None
    payload: dict[str, Any] = json.loads(base64url_decode(token.split(".")[1]))
    return payload


# -- Open Badges 3.0, Appendix B.1 (Credential data models), property by property --------

def test_open_badge_credential_has_every_required_property(key: keys.SigningKey) -> None:
    vc = payload_of(baked(key))
    # OB 3.0 §B.1 AchievementCredential (https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential)
    # and VC Data Model 2.0 §4.3 Contexts: the VC 2.0 context first, then OB 3.0's.
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["@context"][1] == ("https://purl.imsglobal.org/spec/ob/v3p0/"
                                 "context-3.0.3.json")
    # id: REQUIRED, a URI (VC 2.0 §4.4 Identifiers)
    assert str(vc["id"]).startswith("urn:uuid:")
    # type: REQUIRED, contains VerifiableCredential and OpenBadgeCredential (§B.1 type)
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(vc["type"])
    # name: REQUIRED by OB 3.0 for an AchievementCredential
    assert vc["name"] == "Skaitovas"
    # validFrom: REQUIRED (VC 2.0 §4.9 Validity Period), an XML Schema dateTime
    assert credential.parse_time(vc["validFrom"]) == NOW.replace(microsecond=0) - timedelta(days=1)
    # issuer: REQUIRED, a Profile (OB 3.0 §B.1 Profile: id and type REQUIRED)
    issuer = vc["issuer"]
    assert isinstance(issuer, dict)
    assert issuer["id"] == key.did
    assert issuer["id"].startswith("did:key:z6Mk")
    assert issuer["type"] == ["Profile"]
    assert issuer["name"] == "Utenos biblioteka"
    # credentialSubject: REQUIRED, an AchievementSubject (OB 3.0 §B.1 AchievementSubject):
    # type REQUIRED; achievement REQUIRED; id or at least one identifier REQUIRED.
    subject = vc["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["type"] == ["AchievementSubject"]
    assert "id" not in subject  # the Telegram id never appears in the clear
    # IdentityObject (OB 3.0 §B.1 IdentityObject): type, hashed, identityHash, identityType
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityType"] == "accountId"
    assert identity["identityHash"] == credential.identity_hash("telegram:902", "c0ffee")
    assert identity["identityHash"].startswith("sha256$")
    assert "902" not in identity["identityHash"]
    assert identity["salt"] == "c0ffee"
    # Achievement (OB 3.0 §B.1 Achievement): id, type, criteria, description, name REQUIRED
    achievement = subject["achievement"]
    assert str(achievement["id"]).startswith("urn:uuid:")
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Skaitovas"
    assert achievement["description"] == "Reads to children"
    # Criteria (OB 3.0 §B.1 Criteria): id or narrative REQUIRED
    assert achievement["criteria"] == {"narrative": "10 approved hours in a school year"}
    # Evidence (OB 3.0 §B.1 Evidence): type REQUIRED; the hours and the activities
    evidence = vc["evidence"]
    assert all(item["type"] == ["Evidence"] for item in evidence)
    narratives = " ".join(item["narrative"] for item in evidence)
    assert "10 h" in narratives
    assert "2026-11-18" in narratives
    assert [item["name"] for item in evidence][1:] == ["Reading to children"]
    # credentialStatus (Bitstring Status List §2.1 BitstringStatusListEntry)
    entry = vc["credentialStatus"]
    assert entry == {"id": f"{BASE}/badges/status/0#7", "type": "BitstringStatusListEntry",
                     "statusPurpose": "revocation", "statusListIndex": "7",
                     "statusListCredential": f"{BASE}/badges/status/0"}
    # OB 3.0 §8.2.4 JWT payload: iss, jti, sub and nbf beside the credential
    assert vc["iss"] == key.did
    assert vc["jti"] == vc["id"]
    assert vc["sub"] == identity["identityHash"]
    assert vc["nbf"] == int((NOW - timedelta(days=1)).timestamp())


def test_the_signature_verifies_with_an_independent_jose_implementation(
        key: keys.SigningKey) -> None:
    token = image.extract(baked(key))
    assert token is not None
    # The public key from the did:key alone, as a verifier elsewhere would resolve it.
    public = keys.public_key_from_did(key.did)
    from cryptography.hazmat.primitives import serialization

    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    checked = jws.JWS()
    checked.deserialize(token)
    checked.verify(jwk.JWK.from_pem(pem), alg="EdDSA")  # raises if the signature is bad
    header = checked.jose_header
    assert header["alg"] == "EdDSA"
    assert header["kid"] == f"{key.did}#{key.did.removeprefix('did:key:')}"
    other = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    with pytest.raises(jws.InvalidJWSSignature):
        checked.verify(other, alg="EdDSA")


def test_the_baked_png_opens_as_an_image_with_one_uncompressed_chunk(
        key: keys.SigningKey) -> None:
    png = baked(key)
    with Image.open(BytesIO(png)) as picture:
        picture.load()
        assert picture.format == "PNG"
        assert picture.size == (image.SIZE, image.SIZE)
    chunks = []
    offset = 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        data = png[offset + 8:offset + 8 + length]
        crc = struct.unpack(">I", png[offset + 8 + length:offset + 12 + length])[0]
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks.append((kind, data))
        offset += 12 + length
    itxt = [data for kind, data in chunks if kind == b"iTXt"]
    assert len(itxt) == 1
    keyword, _, rest = itxt[0].partition(b"\0")
    assert keyword == b"openbadgecredential"
    assert rest[0] == 0  # compression flag: uncompressed (OB 3.0 §5.3.1)
    assert chunks[-1][0] == b"IEND"
    # Baking again replaces the chunk rather than adding a second one.
    again = image.bake(png, "x.y.z")
    assert image.extract(again) == "x.y.z"
    assert again.count(b"openbadgecredential") == 1


def test_a_valid_badge_verifies(key: keys.SigningKey) -> None:
    verdict = verify(baked(key), now=NOW, trusted_issuer=key.did, status=lambda entry: False)
    assert verdict.code == "ok"
    assert verdict.status_checked
    assert verdict.achievement == "Skaitovas"
    assert verdict.recipient_hash == credential.identity_hash("telegram:902", "c0ffee")


def _tampered(png: bytes) -> bytes:
    header, body, signature = (image.extract(png) or "").split(".")
    claims = json.loads(base64url_decode(body))
    claims["credentialSubject"]["achievement"]["name"] = "Champion"
    forged = base64url_encode(json.dumps(claims).encode())
    return image.bake(png, f"{header}.{forged}.{signature}")


def test_each_failure_has_its_reason(key: keys.SigningKey) -> None:
    good = baked(key)
    other = keys.SigningKey.generate()
    # Signed with another key but claiming our issuer: the kid is not the issuer's key.
    claims = credential.build(an_award(), key.did)
    wrong_key = image.bake(good, vcjwt.sign(claims, other))
    cases = {
        "bad_signature": verify(_tampered(good), now=NOW),
        "issuer_mismatch": verify(wrong_key, now=NOW),
        "expired": verify(baked(key, an_award(valid_until=NOW - timedelta(hours=1))), now=NOW),
        "not_yet_valid": verify(baked(key, an_award(issued_at=NOW + timedelta(days=2))),
                                now=NOW),
        "revoked": verify(good, now=NOW,
                          status=lambda entry: (entry or {}).get("statusListIndex") == "7"),
        "no_credential": verify(image.render("Plain", "red", "star"), now=NOW),
        "malformed": verify(image.bake(good, "not a token"), now=NOW),
        "issuer_unknown": verify(baked(other), now=NOW, trusted_issuers={key.did}),
    }
    assert {code: verdict.code for code, verdict in cases.items()} == {c: c for c in cases}
    assert set(cases) | {"ok"} == set(REASONS)
    # A badge honestly issued by someone else is not ours when we say whose we trust.
    assert verify(baked(other), now=NOW, trusted_issuer=key.did).code == "issuer_mismatch"
    assert verify(b"GIF89a...", now=NOW).code == "no_credential"


def test_status_list_bits_round_trip(key: keys.SigningKey) -> None:
    encoded = status.encode([0, 7, 131_071])
    bits = status.decode(encoded)
    assert len(bits) == status.LIST_SIZE // 8  # 16 KB: the specification's minimum
    assert [status.is_set(bits, i) for i in (0, 1, 7, 8, 131_071)] == [
        True, False, True, False, True]
    assert bits[0] == 0b1000_0001  # index 0 is the first byte's most significant bit
    url = status.list_url(BASE, 0)
    token = vcjwt.sign(status.list_credential(url, key.did, [7], NOW), key)
    listed = vcjwt.verify(token)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status.revoked_in(listed, status.entry(BASE, 7))
    assert not status.revoked_in(listed, status.entry(BASE, 8))
    assert status.position(131_072 + 5) == (1, 5)


def test_did_key_round_trip_and_key_file(tmp_path: Path) -> None:
    key = keys.SigningKey.generate()
    assert key.did.startswith("did:key:z6Mk")  # base58btc of 0xed01 + 32 bytes
    assert keys.public_key_from_did(key.kid) == key.private.public_key()
    assert keys.SigningKey.parse(key.seed()).did == key.did
    with pytest.raises(keys.BadKeyError):
        keys.public_key_from_did("did:web:example.org")
    path = keys.key_file_for(f"sqlite+aiosqlite:///{tmp_path / 'takas.sqlite3'}", tmp_path)
    assert path == tmp_path / "takas.sqlite3.badge-key"
    first = keys.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys.load_or_create(path).did == first.did  # created once, then reused
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
