"""Configuration errors as an operator sees them from `python -m bot`: one line, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, subprocess_env


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=subprocess_env(**env),
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_cli_invalid_setting_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli("migrate", ADMIN_IDS="me", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "takas: Invalid ADMIN_IDS: expected Telegram user ids separated by commas, e.g. 12345,67890"
    )
    assert "Traceback" not in result.stderr


def test_polling_without_token_explains_botfather_and_console(tmp_path: Path) -> None:
    result = run_cli("polling", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "console" in result.stderr


def test_help_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("run", "console", "polling", "migrate"):
        assert command in result.stdout
