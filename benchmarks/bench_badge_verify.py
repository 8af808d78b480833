"""Badge verification cost: a real badge, and the hostile uploads of issue 15 item 1.

Usage:
    .venv/bin/python -m benchmarks.bench_badge_verify [--rounds 200]

Prints the median time `bot.badges.verify.verify` takes for a real baked badge, for the
issue's badge (a kid of `did:key:z` + 100,000 characters, now refused by size before
anything is decoded) and for a kid just small enough to be read (refused by its length),
and, for comparison, what decoding such identifiers as base58 costs (what the code did
before: quadratic in the length, 11.6 s at 100,000 characters on the reporter's machine).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import base58
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.badges import credential, image, keys, vcjwt
from bot.badges.verify import verify

NOW = datetime.now(UTC)


def median_ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def hostile(kid_length: int) -> bytes:
    kid = "did:key:z" + "z" * kid_length
    token = jwt.encode({"issuer": kid, "type": ["OpenBadgeCredential"]},
                       Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid})
    return image.bake(image.render("X", "red", "star"), token)


def main(rounds: int) -> None:
    key = keys.SigningKey.generate()
    award = credential.Award(award_id=7, badge_id=3, badge_name="Skaitovas",
                             description="Reads to children", criteria="10 h",
                             organisation="Utenos biblioteka", recipient="telegram:1",
                             salt="c0ffee", issued_at=NOW, minutes=600)
    real = image.bake(image.render("Skaitovas", "blue", "book"),
                      vcjwt.sign(credential.build(award, key.did), key))
    cases = {"real badge": real, "kid of 100,000 characters": hostile(100_000),
             "kid of 500 characters": hostile(500)}
    for name, png in cases.items():
        verdict = verify(png, now=NOW, trusted_issuers={key.did})
        refused = f" (refused: {verdict.detail})" if verdict.refused else ""
        print(f"{name:28} {median_ms(partial(verify, png, now=NOW), rounds):9.3f} ms"
              f"  -> {verdict.code}{refused}")
    for length in (5_000, 10_000, 20_000):
        text = "z" * length  # "1" would be leading zero bytes, decoded without work
        print(f"base58 decoding {length:>6} characters (the old cost) "
              f"{median_ms(partial(base58.b58decode, text), 1):9.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    main(parser.parse_args().rounds)
