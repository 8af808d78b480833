"""`python -m bot sync` and `feeds` as operators run them: a report per feed, and --quiet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, subprocess_env
from tests.unit.test_sync import jsonld


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, text=True,
                          env=subprocess_env(**env), capture_output=True, timeout=120,
                          check=False)


def test_cli_sync_and_list_report_per_feed(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonld"
    good.write_text(jsonld(("a", "Dailė"), ("b", "Muzika")))
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "good"\nurl = "file:good.jsonld"\n\n'
                     '[[feed]]\nname = "broken"\nurl = "file:missing.csv"\n')
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    result = run_cli("sync", "--feeds", str(feeds), **env)
    assert result.returncode == 1
    assert "good: 2 items: 2 new" in result.stdout
    assert "broken: FAILED (file not found" in result.stderr
    assert "1 of 2 feeds synced (1 updated, 0 unchanged, 1 failed); items: 2 new" in result.stdout
    only_good = run_cli("sync", "--feeds", str(feeds), "--feed", "good", **env)
    assert only_good.returncode == 0
    assert only_good.stdout.splitlines() == [  # an unchanged feed is counted, not listed
        "1 of 1 feeds synced (0 updated, 1 unchanged); items: 0 new, 0 changed, 0 withdrawn, "
        "2 in total"]
    listing = run_cli("feeds", "list", "--feeds", str(feeds), **env)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert any(line.startswith("good") and " 2 " in line for line in lines)
    assert any(line.startswith("broken") and "file not found" in line for line in lines)
    unknown = run_cli("sync", "--feeds", str(feeds), "--feed", "nope", **env)
    assert unknown.returncode == 1
    assert "no enabled feed named nope" in unknown.stderr


def test_cli_sync_quiet_prints_the_summary_and_failures_only(tmp_path: Path) -> None:
    """What `make run` shows: no migration INFO lines, no line per feed that synced."""
    feeds = tmp_path / "feeds.toml"
    blocks = []
    for number in range(12):
        (tmp_path / f"f{number}.jsonld").write_text(jsonld((f"a{number}", f"Kursas {number}")))
        blocks.append(f'[[feed]]\nname = "feed{number:02}"\nurl = "file:f{number}.jsonld"\n')
    blocks.append('[[feed]]\nname = "broken"\nurl = "file:missing.csv"\n')
    feeds.write_text("\n".join(blocks))
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'quiet.db'}"}
    first = run_cli("sync", "--quiet", "--feeds", str(feeds), **env)
    assert first.returncode == 1
    assert first.stdout.splitlines() == [
        "12 of 13 feeds synced (12 updated, 0 unchanged, 1 failed); items: 12 new, 0 changed, "
        "0 withdrawn, 12 in total"]
    assert first.stderr.splitlines() == [
        line for line in first.stderr.splitlines() if line.startswith("broken: FAILED")]
    assert len(first.stderr.splitlines()) == 1
    assert "INFO" not in first.stdout + first.stderr
    again = run_cli("sync", "--feeds", str(feeds), **env)  # not quiet: still no "unchanged" lines
    [summary] = again.stdout.splitlines()
    assert summary.startswith("12 of 13 feeds synced (0 updated, 12 unchanged, 1 failed)")
