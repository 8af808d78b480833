"""The vendored browser libraries are the npm releases the vendor README names, unchanged.

`bot/web/static/vendor/README.md` lists a sha256 for every vendored file; a file edited by
hand, added without its licence or left behind after an update fails here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "vendor"
LINE = re.compile(r"^([0-9a-f]{64})  \./(\S+)$", re.MULTILINE)


def listed() -> dict[str, str]:
    return {path: digest for digest, path in LINE.findall((VENDOR / "README.md").read_text())}


def test_every_vendored_file_is_listed_with_its_checksum() -> None:
    on_disk = {
        path.relative_to(VENDOR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDOR.rglob("*") if path.is_file() and path.name != "README.md"
    }
    assert on_disk == listed()


def test_each_library_ships_its_licence() -> None:
    folders = {path.split("/")[0] for path in listed()}
    assert folders == {"leaflet-1.9.4", "leaflet.markercluster-1.5.3"}
    for folder in folders:
        assert any(name.split("/")[1] in ("LICENSE", "MIT-LICENCE.txt")
                   for name in listed() if name.startswith(folder + "/")), folder
