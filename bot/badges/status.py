"""Revocation: the W3C Bitstring Status List.

Each award has a place in a list (`list number`, `index`), derived from its id, so no two
awards ever share a bit. A list is a bitstring of `LIST_SIZE` bits (16 KB, the minimum the
specification sets so one bit reveals little about whom it concerns), bit 0 being the most
significant bit of the first byte; it travels GZIP-compressed as multibase base64url
(`u...`) in a `BitstringStatusListCredential`, signed like the badges themselves.
"""

from __future__ import annotations

import base64
import gzip
import re
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.badges.credential import VC_CONTEXT, timestamp

LIST_SIZE = 131_072
PURPOSE = "revocation"
# The most a list may inflate to: the specification's minimum is 16 KB, and a list comes
# from whoever signed the badge, who may send a few KB that inflate to gigabytes.
MAX_LIST_BYTES = 4 * 1024 * 1024
_INDEX = re.compile(r"[0-9]{1,12}")


def position(award_id: int) -> tuple[int, int]:
    """(list number, index in the list) of an award."""
    return divmod(award_id, LIST_SIZE)


def list_url(base_url: str, number: int) -> str:
    return f"{base_url.rstrip('/')}/badges/status/{number}"


def entry(base_url: str, award_id: int) -> dict[str, Any]:
    """The award's `credentialStatus` (a BitstringStatusListEntry)."""
    number, index = position(award_id)
    url = list_url(base_url, number)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": PURPOSE, "statusListIndex": str(index),
            "statusListCredential": url}


def encode(indices: Iterable[int], size: int = LIST_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"index {index} is outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("the encoded list is not multibase base64url")
    body = encoded[1:]
    packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip
        bits = inflater.decompress(packed, MAX_LIST_BYTES + 1)
    except zlib.error as exc:
        raise ValueError(f"the encoded list is not gzip: {exc}") from None
    if len(bits) > MAX_LIST_BYTES or inflater.unconsumed_tail:
        raise ValueError(f"the list is larger than {MAX_LIST_BYTES} bytes once inflated")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError("the index is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(url: str, issuer_did: str, revoked: Iterable[int],
                    now: datetime) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for the indices in `revoked`."""
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": timestamp(now),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": PURPOSE, "encodedList": encode(revoked)},
    }


def revoked_in(list_payload: dict[str, Any], status: dict[str, Any]) -> bool:
    """Whether a verified status list credential sets the bit of `status`."""
    subject = list_payload.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValueError("the status list credential has no subject")
    if subject.get("statusPurpose") != status.get("statusPurpose", PURPOSE):
        raise ValueError("the status list has another purpose")
    index = status.get("statusListIndex")
    if not isinstance(index, str) or not _INDEX.fullmatch(index):
        raise ValueError("the status entry has no index")
    return is_set(decode(str(subject.get("encodedList", ""))), int(index))
