"""Catalogs stay complete and correct: `make test` fails on any drift.

- the template is fresh: every message in the code is in `locales/messages.pot`;
- no catalog has an untranslated or fuzzy entry;
- every translation keeps its source's `{placeholders}` and HTML tags.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from tests.conftest import REPO

LOCALES = REPO / "locales"
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)(?:[:!][^}]*)?\}")
TAG = re.compile(r"</?([a-z][a-z0-9-]*)\b[^>]*>")


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def keywords() -> list[str]:
    line = next(line for line in (REPO / "Makefile").read_text().splitlines()
                if line.startswith("KEYWORDS :="))
    return line.split(":=", 1)[1].split()


def ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_template_lists_every_message_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "pyproject.toml",
         *keywords(), "-o", str(fresh), "bot", "handlers", "catalog"],
        cwd=REPO, check=True, capture_output=True,
    )
    missing = ids(read(fresh)) - ids(read(LOCALES / "messages.pot"))
    assert not missing, f"run `make i18n`: messages.pot lacks {sorted(missing)}"


def test_there_are_catalogs() -> None:
    assert {p.parent.parent.name for p in CATALOGS} >= {"lt"}


def strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string or ())


def sources(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id or ())


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_consistent(path: Path) -> None:
    catalog = read(path)
    template = ids(read(LOCALES / "messages.pot"))
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        key = sources(message)[0]
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if not all(strings(message)):
            problems.append(f"untranslated: {key!r}")
            continue
        expected_names = set().union(*(set(PLACEHOLDER.findall(s)) for s in sources(message)))
        expected_tags = sorted(TAG.findall(sources(message)[0]))
        for translation in strings(message):
            if set(PLACEHOLDER.findall(translation)) - expected_names or (
                isinstance(message.id, str)
                and set(PLACEHOLDER.findall(translation)) != expected_names
            ):
                problems.append(f"placeholders differ: {key!r} -> {translation!r}")
            if sorted(TAG.findall(translation)) != expected_tags:
                problems.append(f"HTML tags differ: {key!r} -> {translation!r}")
    missing = template - ids(catalog)
    problems += [f"not in catalog (run make i18n): {key!r}" for key in sorted(missing)]
    assert not problems, "\n".join(problems)
