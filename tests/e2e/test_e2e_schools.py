"""Schools end to end over the fake Bot API: class 8B of five pupils (two not on
Telegram), attendance ticked by the teacher, approvals and a rejection, the e-diary CSV
checked cell by cell and the PDF's text, a roster pupil claiming their record, and a
learner of one school never in another school's report."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.app import running
from bot.transports.polling import build_polling_application
from bot.usecases import attendance as attendance_usecase
from tests.fakes import FakeBotAPI, SentMessage

ADMIN, TEACHER, OTHER_TEACHER = 900, 901, 902
ONA, JONAS, EGLE, PETRAS = 911, 912, 913, 914


def button(message: SentMessage, label_start: str) -> str:
    found = [data for label, data in message.buttons if label.startswith(label_start) and data]
    assert found, f"no {label_start!r} button in {message.text!r}: {message.buttons}"
    return found[0]


async def press(fake: FakeBotAPI, user_id: int, label: str) -> SentMessage:
    latest = fake.messages(user_id)[-1]
    fake.press_button(fake.user(user_id, language_code="en"), latest, button(latest, label))
    await fake.wait_idle()
    return fake.messages(user_id)[-1]


async def say(fake: FakeBotAPI, user_id: int, text: str, first_name: str = "Test") -> str:
    fake.send_text(fake.user(user_id, first_name=first_name, language_code="en"), text)
    await fake.wait_idle()
    return fake.messages(user_id)[-1].text or ""


async def open_organisation(fake: FakeBotAPI, name: str, organizer: int) -> None:
    await say(fake, ADMIN, f"/org new {name}")
    invite = await say(fake, ADMIN, f"/org invite {name}")
    link = next(word for word in invite.split() if "start=org_" in word)
    assert "You are now an organizer" in await say(
        fake, organizer, "/start " + link.split("start=")[1])


def start_payload(text: str, prefix: str) -> str:
    link = next(word for word in text.split() if f"start={prefix}" in word)
    return link.split("start=")[1].rstrip(".,)")


async def join(fake: FakeBotAPI, pupil: int, payload: str, full_name: str) -> None:
    asked = await say(fake, pupil, f"/start {payload}", first_name=full_name.split()[0])
    assert "Class 8B (grade 8) of Utenos gimnazija" in asked
    confirm = await say(fake, pupil, full_name)
    assert f"Join class 8B (grade 8) of Utenos gimnazija as {full_name}?" in confirm
    welcome = await press(fake, pupil, "✔ Join")
    assert welcome.text.startswith(f"Welcome to class 8B of Utenos gimnazija, {full_name}!")


async def log_and_decide(fake: FakeBotAPI, pupil: int, text: str, approve: bool | None) -> None:
    await say(fake, pupil, text)
    flow = fake.messages(pupil)[-1]
    if any(label.startswith("Utenos gimnazija") for label, _ in flow.buttons):
        flow = await press(fake, pupil, "Utenos gimnazija")
    await press(fake, pupil, "✔ Confirm")
    if approve is None:
        return
    await fake.wait_idle()
    if approve:
        await press(fake, TEACHER, "✔ Approve")
    else:
        await press(fake, TEACHER, "✖ Reject")
        await press(fake, TEACHER, "the hours do not match")


def report_files(fake: FakeBotAPI, user_id: int) -> tuple[list[list[str]], bytes]:
    files = [m.document for m in fake.messages(user_id) if m.document]
    csv_file = [f for f in files if f.filename.endswith(".csv")][-1]
    pdf_file = [f for f in files if f.filename.endswith(".pdf")][-1]
    assert csv_file.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return (list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";")),
            pdf_file.content)


def pdf_text(pdf: bytes, folder: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing (poppler-utils; .ci/run installs it)")
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


async def test_school_class_attendance_report_and_claim(fake: FakeBotAPI, bot_settings, i18n,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The pupils' attendance notices wait out the quiet hours (21:00-08:00 in Vilnius);
    # this test may run at any hour, and it is not about them.
    monkeypatch.setattr(attendance_usecase, "quiet_until", lambda _now: None)
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        await open_organisation(fake, "Utenos gimnazija", TEACHER)
        created = await say(fake, TEACHER, "/classes new 8B")
        assert "Class 8B" in created
        class_payload = start_payload(created, "cl_")
        for pupil, name in ((ONA, "Ona Onaitė"), (JONAS, "Jonas Jonaitis"),
                            (EGLE, "Eglė Eglaitė")):
            await join(fake, pupil, class_payload, name)
        codes = {}
        for name in ("Petras Petraitis", "=Rūta Rūtaitė"):
            added = await say(fake, TEACHER, f"/classes add 8B {name}")
            assert "is now on the list of class 8B" in added
            codes[name] = start_payload(added, "rp_")

        # Attendance: four of the five took part in the clean-up, two of them not on Telegram.
        await say(fake, TEACHER, "/attendance 2 Park clean-up")
        sheet = await press(fake, TEACHER, "Class 8B")
        assert "Ticked: 0" in sheet.text
        for name in ("Ona Onaitė", "Jonas Jonaitis", "Petras Petraitis", "=Rūta Rūtaitė"):
            sheet = await press(fake, TEACHER, f"☐ {name}")
            assert any(label == f"☑ {name}" for label, _ in sheet.buttons)
        before = {pupil: len(fake.messages(pupil)) for pupil in (ONA, JONAS, EGLE)}
        saved = await press(fake, TEACHER, "✔ Save (4)")
        assert saved.text.startswith("Recorded and approved: 2 hours for «Park clean-up». "
                                     "Pupils: 4.")
        # The two marked present who are on Telegram learn they got the hours; Eglė, not
        # marked, hears nothing (the two roster pupils have no chat to hear in).
        for pupil in (ONA, JONAS):
            notice = (await fake.wait_for_messages(pupil, before[pupil] + 1))[-1]
            assert notice.text.startswith("✔ Utenos gimnazija recorded that you took part in "
                                          "«Park clean-up» on "), notice.text
            assert notice.text.endswith(": 2 hours, approved. /hours shows your progress.")
        await fake.wait_idle()
        assert len(fake.messages(EGLE)) == before[EGLE]

        # Pupils' own logs: one approved, one rejected, one left pending.
        await log_and_decide(fake, ONA, "/log 8 Reading to children", approve=True)
        await log_and_decide(fake, JONAS, "/log 3 Helping at the shelter", approve=False)
        await log_and_decide(fake, EGLE, "/log 1,5 Library help", approve=None)

        progress = await say(fake, ONA, "/hours")
        assert "Approved: 10 hours" in progress
        assert "Yearly target: 10 hours" in progress
        assert "✔ Passed" in progress

        await say(fake, TEACHER, "/report")
        rows, pdf = report_files(fake, TEACHER)
        assert rows[0] == ["Full name", "Class", "Approved hours", "Pending hours",
                           "Target hours", "Status"]
        assert rows[1:] == [
            ["'=Rūta Rūtaitė", "8B", "2", "0", "10", "Not passed"],  # formula-safe
            ["Eglė Eglaitė", "8B", "0", "1.5", "10", "Not passed"],
            ["Jonas Jonaitis", "8B", "2", "0", "10", "Not passed"],
            ["Ona Onaitė", "8B", "10", "0", "10", "Passed"],
            ["Petras Petraitis", "8B", "2", "0", "10", "Not passed"],
        ]
        text = pdf_text(pdf, tmp_path)
        assert "Report: Utenos gimnazija" in text
        assert "Class 8B" in text
        assert "Totals per class" in text
        assert "Ona Onaitė" in text
        assert "Park clean-up" in text

        # Petras joins Telegram and takes over his record, with the hours.
        welcome = await say(fake, PETRAS, f"/start {codes['Petras Petraitis']}", "Petras")
        assert welcome.startswith("Welcome, Petras Petraitis!")
        assert "Approved: 2 hours" in await say(fake, PETRAS, "/hours", "Petras")
        assert "not valid" in await say(fake, ONA, f"/start {codes['Petras Petraitis']}")

        # Another school's report never shows school A's pupils.
        await open_organisation(fake, "Molėtų progimnazija", OTHER_TEACHER)
        await say(fake, OTHER_TEACHER, "/classes new 8A")
        await say(fake, OTHER_TEACHER, "/report")
        other_rows, other_pdf = report_files(fake, OTHER_TEACHER)
        assert other_rows == [["Full name", "Class", "Approved hours", "Pending hours",
                               "Target hours", "Status"]]
        assert "Ona" not in pdf_text(other_pdf, tmp_path)
        # A learner cannot ask for a report.
        assert "for organizers" in await say(fake, ONA, "/report")
        assert fake.rejected == []


async def test_a_teacher_of_two_schools_chooses_where_to_work(fake: FakeBotAPI, bot_settings,
                                                              i18n) -> None:
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        await open_organisation(fake, "Utenos gimnazija", TEACHER)
        await open_organisation(fake, "Molėtų progimnazija", TEACHER)
        asked = await say(fake, TEACHER, "/classes")
        assert asked.startswith("You organize for several organisations. In which school")
        assert [label for label, _ in fake.messages(TEACHER)[-1].buttons] == [
            "Molėtų progimnazija", "Utenos gimnazija"]
        utena = await press(fake, TEACHER, "Utenos gimnazija")
        assert utena.text.startswith("Utenos gimnazija, school year")
        assert "Class 8B" in await say(fake, TEACHER, "/classes new 8B")
        assert "of Utenos gimnazija" in fake.messages(TEACHER)[-1].text
        await say(fake, TEACHER, "/attendance 2 Talka")
        assert [label for label, _ in fake.messages(TEACHER)[-1].buttons] == ["Class 8B"]

        # Remembered; "Another school" switches, the current one ticked and schools first.
        remembered = await say(fake, TEACHER, "/classes")
        assert remembered.startswith("Utenos gimnazija, school year")
        switch = await press(fake, TEACHER, "🔁 Another school")
        assert switch.text == "In which school do you work now?"
        assert [label for label, _ in switch.buttons] == ["✔ Utenos gimnazija",
                                                          "Molėtų progimnazija"]
        moletai = await press(fake, TEACHER, "Molėtų progimnazija")
        assert moletai.text.startswith("Molėtų progimnazija, school year")
        assert "No classes yet." in moletai.text
        assert "of Molėtų progimnazija" in await say(fake, TEACHER, "/classes new 8A")
        assert "Yearly targets of Molėtų progimnazija" in await say(fake, TEACHER, "/targets")
        await say(fake, TEACHER, "/attendance 2 Talka")
        assert [label for label, _ in fake.messages(TEACHER)[-1].buttons] == ["Class 8A"]
        assert fake.rejected == []
