"""The operator's feed registry: a TOML file of `[[feed]]` tables.

    [[feed]]
    name = "vilnius-library"          # unique, used in `sync --feed NAME` and /feeds
    url = "https://library.example/events.jsonld"   # or file:relative/path.ics
    format = "jsonld"                 # optional: jsonld | rss | ics | csv (else detected)
    language = "lt"                   # optional: the language of items that do not say

Relative `file:` paths are resolved against the TOML file's folder. A repeated name gets a
numbered suffix (`feed`, `feed-2`) with a warning, as generated files sometimes repeat
names. With no `FEEDS_FILE`,
the demo feeds bundled in `catalog/demo/feeds/feeds.toml` are used.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from catalog.model import FeedFormat

log = logging.getLogger(__name__)
DEMO_FEEDS_FILE = Path(__file__).resolve().parent / "demo" / "feeds" / "feeds.toml"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RegistryError(Exception):
    """The feeds file is unusable; the message names the file and the entry."""


@dataclass(frozen=True)
class FeedSpec:
    name: str
    url: str
    format: FeedFormat | None = None
    language: str | None = None


def validate_name(name: str) -> str:
    if not NAME.match(name):
        raise RegistryError(
            f"feed name {name!r} must be 1-100 letters, digits, '.', '_' or '-'"
        )
    return name


def parse_format(value: str | None) -> FeedFormat | None:
    if value is None or value == "":
        return None
    try:
        return FeedFormat(value.strip().lower())
    except ValueError:
        allowed = ", ".join(f.value for f in FeedFormat)
        raise RegistryError(f"format {value!r} is not one of {allowed}") from None


def load_registry(path: Path) -> list[FeedSpec]:
    """Read and validate a feeds file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such feeds file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected [[feed]] tables")
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: feed #{number}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: expected a table")
        name, url = entry.get("name"), entry.get("url")
        if not isinstance(name, str) or not isinstance(url, str) or not url.strip():
            raise RegistryError(f"{where}: needs a name and a url")
        try:
            validate_name(name)
            fmt = parse_format(entry.get("format"))
        except RegistryError as exc:
            raise RegistryError(f"{where}: {exc}") from None
        if name in seen:
            # Generated registries repeat names (e.g. slugs of non-Latin provider names);
            # the feeds are still distinct, so each repeat gets a numbered name.
            name = next(f"{name}-{n}" for n in range(2, len(entries) + 2)
                        if f"{name}-{n}" not in seen)
            log.warning("%s: feed name repeated; this one is called %s", where, name)
        seen.add(name)
        specs.append(FeedSpec(name, _resolve_url(url.strip(), path.parent, where), fmt,
                              (entry.get("language") or None)))
    return specs


def _resolve_url(url: str, base: Path, where: str) -> str:
    if url.startswith("file:"):
        raw = url.removeprefix("file:").removeprefix("//")
        target = Path(raw) if Path(raw).is_absolute() else (base / raw).resolve()
        return target.as_uri()
    if not url.startswith(("http://", "https://")):
        raise RegistryError(f"{where}: url must start with http://, https:// or file:")
    return url
