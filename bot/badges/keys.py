"""The deployment's Ed25519 signing key and its `did:key` identifier.

The key comes from `BADGE_SIGNING_KEY` (base64url of the 32-byte seed, or a PEM private
key) or, for the embedded default, from a file created once with mode 0600 beside the
SQLite database (`<db>.badge-key`) or in the data folder. The issuer is identified by
`did:key:z6Mk...`: multibase base58btc of the multicodec `ed25519-pub` (0xed 0x01) followed
by the 32-byte public key, so a verifier needs no server to find the key.
"""

from __future__ import annotations

import base64
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519_MULTICODEC = b"\xed\x01"
DID_KEY_PREFIX = "did:key:"
# Characters after "did:key:" in an Ed25519 did:key: "z" and the base58btc of 34 bytes
# (0xed 0x01 and the key), which is always 47 characters long. Checked before decoding:
# base58 decoding takes time quadratic in the length, so a hostile 100,000-character
# identifier would hold the process for seconds.
DID_KEY_LENGTH = 48
KEY_FILE_SUFFIX = ".badge-key"


class BadKeyError(ValueError):
    """A signing key or did:key that cannot be read."""


def did_key(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return DID_KEY_PREFIX + "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode("ascii")


def public_key_from_did(did: str) -> Ed25519PublicKey:
    """The Ed25519 key a `did:key` (optionally with a `#fragment`) names."""
    identifier, _sep, fragment = did.partition("#")
    if not identifier.startswith(DID_KEY_PREFIX + "z"):
        raise BadKeyError(f"not a base58btc did:key: {identifier[:60]}")
    length = len(identifier) - len(DID_KEY_PREFIX)
    if length != DID_KEY_LENGTH or len(fragment) > DID_KEY_LENGTH:
        raise BadKeyError(f"an Ed25519 did:key has {DID_KEY_LENGTH} characters after "
                          f"did:key:, this one {length} (and {len(fragment)} after #)")
    try:
        decoded = base58.b58decode(identifier[len(DID_KEY_PREFIX) + 1:])
    except ValueError as exc:
        raise BadKeyError("the did:key is not valid base58") from exc
    if not decoded.startswith(ED25519_MULTICODEC) or len(decoded) != 34:
        raise BadKeyError("the did:key is not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def verification_method(did: str) -> str:
    """The key's id inside its DID document: `did:key:z…#z…` (the did:key method spec)."""
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


@dataclass(frozen=True)
class SigningKey:
    """The private key and the DID that names its public half."""

    private: Ed25519PrivateKey

    @property
    def did(self) -> str:
        return did_key(self.private.public_key())

    @property
    def kid(self) -> str:
        return verification_method(self.did)

    def seed(self) -> str:
        raw = self.private.private_bytes(serialization.Encoding.Raw,
                                         serialization.PrivateFormat.Raw,
                                         serialization.NoEncryption())
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        """From base64url of the 32-byte seed, or from a PEM (PKCS#8) private key."""
        text = text.strip()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise BadKeyError("BADGE_SIGNING_KEY is a PEM key, but not an Ed25519 one")
            return cls(key)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError as exc:
            raise BadKeyError("BADGE_SIGNING_KEY is neither base64url nor PEM") from exc
        if len(raw) != 32:
            raise BadKeyError("BADGE_SIGNING_KEY must be a 32-byte Ed25519 seed (base64url)")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))


def key_file_for(database_url: str, data_dir: Path) -> Path:
    """Where the embedded default keeps its key: beside the SQLite file, else in data/."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            return Path(path).with_name(Path(path).name + KEY_FILE_SUFFIX)
    return data_dir / ("takas" + KEY_FILE_SUFFIX)


def load_or_create(path: Path) -> SigningKey:
    """The key in `path`, created once (mode 0600) when absent. Two processes starting at
    once both end up with the one key the first of them wrote (O_EXCL)."""
    with contextlib.suppress(FileNotFoundError):
        return SigningKey.parse(path.read_text(encoding="ascii"))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    # Written whole to a private temporary file, then linked into place: the link fails
    # if another process got there first, and nobody ever reads a half-written key.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.seed() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        return SigningKey.parse(path.read_text(encoding="ascii"))
    finally:
        temporary.unlink()
    return key
