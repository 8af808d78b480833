"""`python -m bot search`: the JSON interface evaluations and other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, subprocess_env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, text=True,
                          env=subprocess_env(**env), capture_output=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    values = {"DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'cli.sqlite3'}"}
    synced = run(values, "sync")  # the bundled demo feeds
    assert synced.returncode == 0, synced.stderr
    return values


def test_single_query_prints_a_json_array_best_first(env: dict[str, str]) -> None:
    result = run(env, "search", "anglu kalbos kursai vilniuje", "--json", "--lang", "lt",
                 "--limit", "3")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 3
    assert {"id", "feed", "source_id", "url", "title", "score"} <= set(hits[0])
    assert hits[0]["title"] == "Anglų kalbos kursai pradedantiesiems (A1)"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_batch_prints_one_object_per_line(env: dict[str, str], tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("keramika\nsuvirinimo kursai\nkeramika Šiauliuose\n", encoding="utf-8")
    result = run(env, "search", "--batch", str(queries), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["keramika", "suvirinimo kursai",
                                                 "keramika Šiauliuose"]
    assert all(isinstance(line["took_ms"], float) for line in lines)
    assert lines[0]["results"]
    assert lines[1]["results"] == []  # nothing found is an empty list, not junk
    assert lines[2]["results"] == []  # no pottery in Šiauliai ...
    assert lines[2]["relaxed"]["without"] == "place"  # ... but elsewhere
    assert lines[2]["relaxed"]["results"]


def test_search_needs_a_query_or_a_batch(env: dict[str, str]) -> None:
    result = run(env, "search")
    assert result.returncode == 2
    assert "QUERY or --batch" in result.stderr
