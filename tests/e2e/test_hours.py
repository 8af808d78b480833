"""Hours end to end over the fake Bot API: organisations and invitations, logging by flow
and by shortcut, verification, check-in codes, progress, exports, privacy, and who may
press what."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from bot.app import running
from bot.storage.models import HourEntry
from bot.transports.polling import build_polling_application
from tests.fakes import FakeBotAPI, SentMessage

ADMIN, ORGANIZER, PUPIL, STRANGER = 900, 901, 902, 903
# What someone who organizes nothing hears for an organizer's command.
FOR_ORGANIZERS = ("This command is for organizers of an organisation on Takas. To become "
                  "one, ask your organisation for an invitation link. /help shows what you "
                  "can do.")


def button(message: SentMessage, label_start: str) -> str:
    found = [data for label, data in message.buttons if label.startswith(label_start) and data]
    assert found, f"no {label_start!r} button in {message.text!r}: {message.buttons}"
    return found[0]


async def press(fake: FakeBotAPI, user, chat_id: int, label: str) -> SentMessage:
    """Press the button starting with `label` on the chat's latest message; the new latest."""
    latest = fake.messages(chat_id)[-1]
    fake.press_button(user, latest, button(latest, label))
    await fake.wait_idle()
    return fake.messages(chat_id)[-1]


async def open_school(fake: FakeBotAPI) -> None:
    """Through the chat: the administrator creates 'Utenos gimnazija' and invites its
    organizer, who joins by the link."""
    admin = fake.user(ADMIN, language_code="en")
    fake.send_text(admin, "/org new Utenos gimnazija")
    await fake.wait_for_messages(ADMIN, 1)
    fake.send_text(admin, "/org invite Utenos gimnazija")
    [_created, invite] = await fake.wait_for_messages(ADMIN, 2)
    link = next(word for word in invite.text.split() if "start=org_" in word)
    fake.send_text(fake.user(ORGANIZER, language_code="en"),
                   "/start " + link.split("start=")[1])
    [welcome] = await fake.wait_for_messages(ORGANIZER, 1)
    assert "You are now an organizer of Utenos gimnazija" in welcome.text


@pytest.fixture
async def school(fake: FakeBotAPI, bot_settings, i18n):
    """The bot, with 'Utenos gimnazija' and its organizer, set up through the chat."""
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        await open_school(fake)
        yield application


async def export(fake: FakeBotAPI, pupil) -> None:
    """/export, until the PDF certificate is sent; the first time, the full name it asks for
    is the pupil's Telegram first name."""
    fake.send_text(pupil, "/export")
    await fake.wait_idle()
    if fake.messages(pupil.id)[-1].text.startswith("Before your first certificate"):
        fake.send_text(pupil, pupil.first_name)
    # Building the PDF takes a moment: wait for it rather than for a quiet spell.
    await fake.wait_for_request(
        "sendDocument", lambda r: r.status == 200 and r.params.get("document") is not None
        and r.params["document"].filename.endswith(".pdf"), timeout=30)


async def entries(application) -> list[HourEntry]:
    async with application.bot_data.db.transaction() as session:
        return list((await session.scalars(select(HourEntry).order_by(HourEntry.id))).all())


async def test_log_by_flow_verify_and_see_progress(fake: FakeBotAPI, school) -> None:
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/log")
    [question] = await fake.wait_for_messages(PUPIL, 1)
    assert "What did you do?" in question.text
    fake.send_text(pupil, "Reading to children at the library")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "Today")
    flow = fake.messages(PUPIL)[-1]
    fake.send_text(pupil, "2,5")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Skip")
    flow = fake.messages(PUPIL)[-1]
    assert "Activity: Reading to children at the library" in flow.text
    assert "Hours: 2.5 h" in flow.text
    confirm = button(flow, "✔ Confirm")
    fake.press_button(pupil, flow, confirm)
    fake.press_button(pupil, flow, confirm, forge=True)  # a double tap
    await fake.wait_idle()
    assert len(await entries(school)) == 1
    assert fake.messages(PUPIL)[-1].text.startswith("Logged: 2.5 h")

    to_verify = (await fake.wait_for_messages(ORGANIZER, 2))[1]
    assert "Ona: Reading to children at the library" in to_verify.text
    fake.press_button(fake.user(ORGANIZER, language_code="en"), to_verify,
                      button(to_verify, "✔ Approve"))
    await fake.wait_idle()
    assert "✔ Approved" in fake.messages(ORGANIZER)[-1].text
    assert "were approved" in fake.messages(PUPIL)[-1].text

    fake.send_text(pupil, "/hours")
    await fake.wait_idle()
    progress = fake.messages(PUPIL)[-1].text
    assert "Approved: 2.5 h · waiting: 0 hours" in progress
    assert "Utenos gimnazija: 2.5 h approved" in progress
    assert fake.rejected == []


async def test_shortcut_reject_and_exports(fake: FakeBotAPI, school) -> None:
    pupil = fake.user(PUPIL, first_name="Jonas", language_code="en")
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(pupil, "/log 1h30 Tree planting")
    [summary] = await fake.wait_for_messages(PUPIL, 1)
    fake.press_button(pupil, summary, button(summary, "Utenos gimnazija"))  # no recent org yet
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]
    assert "Hours: 1.5 h" in flow.text
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()
    to_verify = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, to_verify, button(to_verify, "✖ Reject"))
    await fake.wait_idle()
    reasons = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, reasons, button(reasons, "the hours do not match"))
    await fake.wait_idle()
    assert "were not approved: the hours do not match" in fake.messages(PUPIL)[-1].text

    fake.send_text(pupil, "/log 2 Litter picking 2026-11-19")
    await fake.wait_idle()
    flow = fake.messages(PUPIL)[-1]  # the organisation comes from the last entry
    fake.press_button(pupil, flow, button(flow, "✔ Confirm"))
    await fake.wait_idle()
    last = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, last, button(last, "✔ Approve"))
    await fake.wait_idle()

    await export(fake, pupil)
    files = [m for m in fake.messages(PUPIL) if m.document]
    csv_file = next(f.document for f in files if f.document.filename.endswith(".csv"))
    pdf_file = next(f.document for f in files if f.document.filename.endswith(".pdf"))
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Date", "Activity", "Organisation", "Hours", "Status"]
    assert [(row[1], row[3], row[4]) for row in rows[1:]] == [
        ("Litter picking", "2", "Approved"), ("Tree planting", "1.5", "Rejected")]
    assert pdf_file.content.startswith(b"%PDF-")
    caption = next(f.caption for f in files if f.document.filename.endswith(".pdf"))
    code = caption.split("code ")[1].rstrip(").")
    fake.send_text(organizer, f"/verify {code.lower()}")
    await fake.wait_idle()
    assert fake.messages(ORGANIZER)[-1].text.startswith(
        f"✔ Valid certificate {code}: Jonas, 2 hours approved in the school year ")
    fake.send_text(pupil, f"/verify {code}")  # anyone may check a code
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith(f"✔ Valid certificate {code}: Jonas")
    assert fake.rejected == []


async def test_checkin_code_verifies_at_once(fake: FakeBotAPI, school) -> None:
    fake.send_text(fake.user(ORGANIZER, language_code="en"), "/checkin 3 Tree planting day")
    await fake.wait_idle()
    link = next(w for w in fake.messages(ORGANIZER)[-1].text.split() if "start=ci_" in w)
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/start " + link.split("start=")[1])
    fake.send_text(pupil, "/start " + link.split("start=")[1])
    replies = await fake.wait_for_messages(PUPIL, 2)
    assert replies[0].text == "Checked in: 3 h for «Tree planting day», verified."
    assert replies[1].text.startswith("You are already checked in")
    [entry] = await entries(school)
    assert entry.status == "approved"


async def test_who_may_press_what(fake: FakeBotAPI, school) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    stranger = fake.user(STRANGER, language_code="en")
    fake.send_text(pupil, "/log 2 Helping at the library")
    await fake.wait_idle()
    await press(fake, pupil, PUPIL, "Utenos gimnazija")
    await press(fake, pupil, PUPIL, "✔ Confirm")
    [entry] = await entries(school)
    for user, chat in ((pupil, PUPIL), (stranger, STRANGER)):
        fake.press_button(user, fake.messages(chat)[-1] if fake.messages(chat) else 1,
                          f"va:{entry.id}", forge=True)
        await fake.wait_idle()
        assert fake.callback_answers[-1].text == (
            "Only organizers of that organisation can do that.")
    for command, answer in (("/org new Mano", "Only administrators can do that."),
                            ("/feeds", "Only administrators can manage feeds."),
                            ("/pending", FOR_ORGANIZERS),
                            ("/checkin 2 Party", FOR_ORGANIZERS)):
        fake.send_text(stranger, command)
        await fake.wait_idle()
        assert fake.messages(STRANGER)[-1].text == answer, command
    assert (await entries(school))[0].status == "pending"


async def test_mydata_and_forgetme(fake: FakeBotAPI, school) -> None:
    pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
    fake.send_text(pupil, "/profile school Utenos gimnazija")
    fake.send_text(pupil, "/mydata")
    await fake.wait_idle()
    data = json.loads(fake.messages(PUPIL)[-1].document.content)
    assert data["user"]["school"] == "Utenos gimnazija"
    fake.send_text(pupil, "/forgetme")
    await fake.wait_idle()
    question = fake.messages(PUPIL)[-1]
    fake.press_button(pupil, question, "fm:yes")
    await fake.wait_idle()
    assert fake.messages(PUPIL)[-1].text.startswith("Done: your data is erased")
    async with school.bot_data.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(HourEntry)) == 0
    assert fake.rejected == []


async def test_approve_all_approves_what_the_digest_listed_after_a_confirmation(
    fake: FakeBotAPI, school
) -> None:
    """The digest lists Ona's and Jonas' entries. Jonas erases his data (his pending entry
    goes), Petras logs after the digest went out (on SQLite his entry takes the freed id).
    "Approve all" asks first, then approves Ona's entry only, once however often it is
    pressed."""
    from bot.services import hours as hour_rules
    from bot.services import privacy
    from bot.services.users import SeenUser, touch_user
    from bot.storage.models import Organisation

    db = school.bot_data.db
    organizer = fake.user(ORGANIZER, language_code="en")
    pupils = {PUPIL: "Ona", STRANGER: "Jonas", 904: "Petras"}
    for uid, name in pupils.items():
        fake.user(uid, first_name=name, language_code="en")

    async def log(uid: int, activity: str) -> int:
        async with db.transaction() as session:
            await touch_user(session, SeenUser(uid, pupils[uid], None, "en"), is_admin=False)
            organisation = (await session.scalars(select(Organisation.id))).one()
            entry, _ = await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=uid, organisation_id=organisation, activity=activity,
                day=hour_rules.today(), minutes=60, key=f"digest-{uid}"))
            return entry.id

    first = await log(PUPIL, "Reading to children")
    await log(STRANGER, "Tree planting")
    [job] = school.job_queue.get_jobs_by_name("verification-digest")
    await job.run(school)
    digest = (await fake.wait_for_messages(ORGANIZER, 2))[-1]
    assert digest.text.startswith("2 entries wait for your verification")
    async with db.transaction() as session:
        await privacy.forget(session, STRANGER)
    later = await log(904, "Litter picking")

    approve_all = button(digest, "✔ Approve all 2")
    fake.press_button(organizer, digest, approve_all)
    await fake.wait_idle()
    question = fake.messages(ORGANIZER)[-1]
    assert question.text == "Approve the 1 entry of this digest that still waits?"
    assert [entry.status for entry in await entries(school)] == ["pending", "pending"]
    yes = button(question, "✔ Yes, approve 1")
    fake.press_button(organizer, question, yes)
    fake.press_button(organizer, question, yes, forge=True)  # a double tap
    await fake.wait_idle()
    assert {entry.id: entry.status for entry in await entries(school)} == {
        first: "approved", later: "pending"}
    assert fake.messages(ORGANIZER)[-1].text == "Approved: 1."
    assert [m.text for m in fake.messages(PUPIL)] == [
        "✔ Your 1 h for «Reading to children» on "
        f"{fake.messages(PUPIL)[0].text.split(' on ')[1]}"]
    assert fake.messages(904) == []

    fake.press_button(organizer, digest, approve_all)  # nothing of the digest waits now
    await fake.wait_idle()
    assert fake.callback_answers[-1].text == "Nothing waits for your verification."
    fake.press_button(organizer, digest, approve_all)
    await fake.wait_idle()
    assert {entry.id: entry.status for entry in await entries(school)} == {
        first: "approved", later: "pending"}
    assert fake.rejected == []




async def test_an_unfinished_entry_survives_a_restart(fake: FakeBotAPI, bot_settings, i18n,
                                                      school) -> None:
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/log")
    await fake.wait_idle()
    fake.send_text(pupil, "Sorting books")
    await fake.wait_idle()
    # The process dies here; a new one starts on the same database.
    restarted = build_polling_application(bot_settings, i18n)
    await school.updater.stop()
    async with running(restarted, polling=True):
        fake.send_text(pupil, "/log")
        await fake.wait_idle()
        choice = fake.messages(PUPIL)[-1]
        assert choice.text == "You have an unfinished entry. Continue it or start again?"
        fake.press_button(pupil, choice, button(choice, "Continue"))
        await fake.wait_idle()
        flow = fake.messages(PUPIL)[-1]
        assert flow.text.startswith("Which organisation should verify it?")  # the activity is kept
        fake.press_button(pupil, flow, button(flow, "✖ Cancel"))
        await fake.wait_idle()
        assert fake.messages(PUPIL)[-1].text == "Cancelled. Nothing was logged."
        assert await entries(restarted) == []


async def test_log_a_catalog_opportunity_and_see_kinds_and_the_school_target(
    fake: FakeBotAPI, school
) -> None:
    assert all(r.ok for r in await school.bot_data.catalog.sync())  # the demo catalog
    admin = fake.user(ADMIN, language_code="en")
    fake.send_text(admin, "/org new Utenos globos namai „Santarvė“")
    fake.send_text(admin, "/org target Utenos globos namai „Santarvė“ 40")
    await fake.wait_idle()
    assert fake.messages(ADMIN)[-1].text.startswith(
        "Yearly target of Utenos globos namai „Santarvė“: 40 hours")
    pupil = fake.user(PUPIL, language_code="en")
    fake.send_text(pupil, "/log")
    await fake.wait_idle()
    fake.send_text(pupil, "popietės su senjorais utenoje")
    await fake.wait_idle()
    pick = fake.messages(PUPIL)[-1]
    assert pick.text.startswith("Is it one of these?")
    flow = await press(fake, pupil, PUPIL, "Popietės su senjorais globos namuose")
    # The provider is an organisation on Takas: no need to ask which one.
    assert "What did you do" not in flow.text
    assert "Which organisation" not in flow.text
    await press(fake, pupil, PUPIL, "Today")
    await press(fake, pupil, PUPIL, "2 h")
    await press(fake, pupil, PUPIL, "Skip")
    summary = fake.messages(PUPIL)[-1]
    assert "Organisation: Utenos globos namai „Santarvė“" in summary.text
    await press(fake, pupil, PUPIL, "✔ Confirm")
    [entry] = await entries(school)
    assert entry.opportunity_id is not None
    # An organizer of that organisation approves it (the admin joins it through an invite).
    fake.send_text(admin, "/org invite Utenos globos namai „Santarvė“")
    await fake.wait_idle()
    link = next(w for w in fake.messages(ADMIN)[-1].text.split() if "start=org_" in w)
    fake.send_text(fake.user(STRANGER, language_code="en"), "/start " + link.split("start=")[1])
    await fake.wait_idle()
    fake.send_text(fake.user(STRANGER, language_code="en"), "/pending")
    await fake.wait_idle()
    await press(fake, fake.user(STRANGER, language_code="en"), STRANGER, "✔ 1")
    fake.send_text(pupil, "/hours")
    await fake.wait_idle()
    progress = fake.messages(PUPIL)[-1].text
    assert "• Volunteering: 2 hours approved" in progress
    assert "Yearly target: 40 hours · ░░░░░░░░░░ 5%" in progress  # the organisation's target
    assert fake.rejected == []
