"""Language detection speed: how many feed items a second `detect_language` labels.

Usage:
    .venv/bin/python -m benchmarks.bench_langdetect [--rounds 200]

Detects the language of a long text made of the test sentences (every language, three
times over) `--rounds` times and prints the rate. It replaced a timing assertion in
tests/unit/test_langdetect.py, which failed on a loaded machine: tests carry no timing targets.
"""

from __future__ import annotations

import argparse
import time

from catalog.langdetect import detect_language
from tests.unit.test_langdetect import SENTENCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    text = " ".join(s for sentences in SENTENCES.values() for s in sentences) * 3
    started = time.perf_counter()
    for _ in range(args.rounds):
        detect_language(text)
    took = time.perf_counter() - started
    print(f"{args.rounds} detections of {len(text)} characters in {took:.3f} s: "
          f"{args.rounds / took:.0f} a second, {1000 * took / args.rounds:.2f} ms each")


if __name__ == "__main__":
    main()
