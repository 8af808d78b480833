"""`python -m bot reminders` queues what the daily job would (here: nothing is due in an
empty database) and says how many."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


def test_the_reminders_command_says_how_many_it_queued(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'takas.sqlite3'}")
    assert main(["reminders"]) == 0
    assert capsys.readouterr().out.strip() == "0 reminder(s) queued"
