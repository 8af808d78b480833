"""`python -m bot org`: an operator creates organisations and invitations from the shell."""

from __future__ import annotations


def test_operator_creates_organisations_and_invitations_from_the_shell(tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO, subprocess_env

    env = subprocess_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'org.sqlite3'}")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "org", *args], cwd=REPO, env=env,
                              text=True, capture_output=True, timeout=60, check=False)

    created = run("new", "Kauno", "biblioteka")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created organisation 1: Kauno biblioteka"
    assert run("new", "Kauno", "biblioteka").returncode == 1  # the name is taken
    invite = run("invite", "Kauno", "biblioteka", "--many")
    assert invite.returncode == 0
    assert "?start=org_" in invite.stdout
    assert "several people" in invite.stdout
    assert "Kauno biblioteka  (0 organizers)" in run("list").stdout
    assert run("invite", "Nėra").returncode == 1
