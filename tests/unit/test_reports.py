"""Reports of an organisation that is not a school (per activity: who took part, hours, who
verified), the e-diary CSV's safety, who may ask, and `python -m bot report`."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.i18n import I18n
from bot.services import hours, orgs
from bot.services.errors import Refusal
from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.storage.models import Membership
from bot.usecases import reports

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ADMIN, ORGANIZER, PUPIL, OTHER = 1, 2, 3, 4
SHELTER = "Gyvūnų prieglauda"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        for uid, name in ((ADMIN, "Admin"), (ORGANIZER, "Rasa"), (PUPIL, "Ona"),
                          (OTHER, "Jonas")):
            await touch_user(session, SeenUser(uid, name, None, "en"), is_admin=uid == ADMIN)
        shelter = await orgs.create_organisation(session, SHELTER, actor_id=ADMIN,
                                                 is_admin=True)
        await orgs.create_organisation(session, "Kita", actor_id=ADMIN, is_admin=True)
        session.add(Membership(organisation_id=shelter.id, user_id=ORGANIZER))
        await session.flush()
        for key, user, activity, minutes in (("a", PUPIL, "=HYPERLINK(1)", 90),
                                             ("b", PUPIL, "Dog walking", 120),
                                             ("c", OTHER, "Dog walking", 60)):
            entry, _new = await hours.log_entry(session, hours.NewEntry(
                user_id=user, organisation_id=shelter.id, activity=activity,
                day=date(2026, 11, 18), minutes=minutes, key=key), NOW)
            if key != "c":  # Jonas's hour still waits
                await hours.decide(session, entry.id, organizer_id=ORGANIZER, approve=True,
                                   now=NOW)
    yield database
    await database.close()


def rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def test_a_non_school_report_lists_each_activity(db: Database, i18n: I18n) -> None:
    with i18n.use("en"):
        [report] = await reports.organisation_reports(db, ORGANIZER, year=2026)
    assert report.organisation == SHELTER
    assert rows(report.csv) == [
        ["Activity", "Date", "Participant", "Hours", "Status", "Verified by"],
        ["'=HYPERLINK(1)", "2026-11-18", "Ona", "1.5", "Approved", "Rasa"],  # formula-safe
        ["Dog walking", "2026-11-18", "Ona", "2", "Approved", "Rasa"],
        ["Dog walking", "2026-11-18", "Jonas", "1", "Pending", ""],
    ]
    assert report.pdf.startswith(b"%PDF-")
    with i18n.use("en"):  # another school year has no rows
        [empty] = await reports.organisation_reports(db, ORGANIZER, year=2025)
    assert rows(empty.csv)[1:] == []


async def test_only_the_organisations_organizers_get_its_report(db: Database) -> None:
    for actor in (PUPIL, OTHER):
        with pytest.raises(Refusal, match="not_your_org"):
            await reports.organisation_reports(db, actor, organisation=SHELTER)
    with pytest.raises(Refusal, match="not_your_org"):  # an organizer of nothing
        await reports.organisation_reports(db, PUPIL)
    with pytest.raises(Refusal, match="org_unknown"):
        await reports.organisation_reports(db, ORGANIZER, organisation="Nėra tokios")


async def test_the_report_command_writes_csv_and_pdf(db: Database, db_url: str,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    await db.close()  # the command opens the database itself
    out = tmp_path / "out"
    assert await _run(["report", SHELTER, "--year", "2026", "--out", str(out),
                       "--lang", "lt"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == ["Gyvūnų-prieglauda-2026-2027.csv", "Gyvūnų-prieglauda-2026-2027.pdf"]
    lithuanian = rows((out / written[0]).read_bytes())
    assert lithuanian[1][4] == "Patvirtinta"
    assert "3 rows" in capsys.readouterr().out
    assert await _run(["report", "Nėra tokios", "--out", str(out)]) == 1


async def _run(argv: list[str]) -> int:
    """`python -m bot ...` in a thread: the command runs its own event loop."""
    import asyncio

    return await asyncio.to_thread(main, argv)
