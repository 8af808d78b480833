"""Following and broadcasting over the fake Bot API: follow from a result list, an alert
after a sync that adds a matching item, digests and quiet hours with a controlled clock,
a broadcast with preview, cancel mid-way, mute, and a pupil refused."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_application, running
from bot.services import follows as rules
from bot.services import hours as hour_rules
from bot.services import orgs
from bot.services.users import SeenUser, touch_user
from bot.storage import outbox
from bot.storage.models import Alert, Membership, OutboxMessage
from bot.usecases import alerts
from tests.fakes import FakeBotAPI, SentMessage

ORGANIZER, FOLLOWER, PUPIL = 801, 802, 803
VILNIUS = rules.LOCAL


def organizer(fake: FakeBotAPI):
    return fake.user(ORGANIZER, language_code="en")


def button(message: SentMessage, label_start: str) -> str:
    found = [d for label, d in message.buttons if label.startswith(label_start) and d]
    assert found, f"no {label_start!r} in {message.text!r}: {message.buttons}"
    return found[0]


def feed_file(folder: Path, titles: list[str]) -> None:
    (folder / "kaunas.jsonld").write_text(json.dumps([
        {"@type": "Course", "@id": f"k{n}", "name": title, "inLanguage": "lt",
         "provider": {"@type": "Organization", "name": "Kauno kultūros centras"},
         "location": {"@type": "Place", "address": {"addressLocality": "Kaunas"}},
         "startDate": "2027-03-01T18:00:00+02:00"} for n, title in enumerate(titles)]))


@pytest.fixture
async def app(make_settings, fake: FakeBotAPI, i18n, tmp_path: Path):
    feed_file(tmp_path, ["Keramikos kursai", "Gitaros pamokos"])
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "kaunas"\nurl = "file:kaunas.jsonld"\n')
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, feeds_file=str(feeds),
                             admin_ids="900")
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        application.bot_data.extras["folder"] = tmp_path
        yield application


async def test_follow_from_results_then_an_alert_after_a_sync(
        fake: FakeBotAPI, app, monkeypatch: pytest.MonkeyPatch) -> None:
    # Alerts wait out the quiet hours (21:00-08:00 in Vilnius): the sync happens at noon
    # yesterday, so the alert is due now whatever the hour the test runs.
    noon = datetime.now(UTC).replace(hour=10, minute=0) - timedelta(days=1)
    monkeypatch.setattr(alerts, "utcnow", lambda: noon)
    user = fake.user(FOLLOWER, language_code="en")
    fake.send_text(user, "keramika")
    [results] = await fake.wait_for_messages(FOLLOWER, 1)
    fake.press_button(user, results, button(results, "🔔"))
    await fake.wait_idle()
    assert fake.messages(FOLLOWER)[-1].text.startswith(
        "Done: I will tell you about new opportunities for 🔎 keramika (right away)")
    fake.send_text(user, "/following")
    await fake.wait_idle()
    assert "1. 🔎 keramika — right away" in fake.messages(FOLLOWER)[-1].text

    feed_file(app.bot_data.extras["folder"],
              ["Keramikos kursai", "Gitaros pamokos", "Keramikos dirbtuvės vaikams"])
    await app.bot_data.catalog.sync()
    [alert] = (await fake.wait_for_messages(FOLLOWER, 4))[3:]
    assert alert.text.startswith("🔔 New for «keramika»:")
    assert "Keramikos dirbtuvės vaikams" in alert.text
    await app.bot_data.catalog.sync()  # nothing new: no second alert
    await fake.wait_idle(quiet=1.0)
    assert len(fake.messages(FOLLOWER)) == 4
    assert fake.duplicates() == []
    fake.press_button(user, alert, button(alert, "Stop these alerts"))
    await fake.wait_idle()
    assert fake.callback_answers[-1].text == "Done."


async def test_quiet_hours_and_digests_follow_the_clock(fake: FakeBotAPI, app) -> None:
    db = app.bot_data.db
    async with db.transaction() as session:
        await touch_user(session, SeenUser(FOLLOWER, "Ona", None, "lt"), is_admin=False)
        await touch_user(session, SeenUser(PUPIL, "Jonas", None, "lt"), is_admin=False)
        night, _ = await rules.follow(session, FOLLOWER, "town", "kaunas", "Kaunas")
        daily, _ = await rules.follow(session, PUPIL, "search", "gitara", "gitara",
                                      frequency="daily")
    index = app.bot_data.search.index
    new = {doc.id for doc in index.docs}
    found = rules.matches(index, [night, daily], new)
    late = datetime(2026, 11, 24, 22, 30, tzinfo=VILNIUS)
    async with db.transaction() as session:
        fresh = await rules.record_alerts(session, found, late)
    await alerts.queue_immediate(
        db, [a.id for a in fresh if a.frequency == "immediate"], late)
    async with db.transaction() as session:
        queued = (await session.scalars(select(OutboxMessage))).all()
        waiting = (await session.scalars(select(Alert).where(Alert.queued_at.is_(None)))).all()
    # At 22:30 nothing may go out before 08:00 the next morning.
    assert {q.not_before.astimezone(VILNIUS).isoformat() for q in queued} == {
        "2026-11-25T08:00:00+02:00"}
    assert [w.frequency for w in waiting] == ["daily"]  # the guitar lesson waits for a digest
    async with db.transaction() as session:
        assert await rules.due_digests(session, late) == {}
        morning = datetime(2026, 11, 25, 9, 30, tzinfo=VILNIUS)
        due = await rules.due_digests(session, morning)
    assert list(due) == [PUPIL]


async def setup_organisation(fake: FakeBotAPI, app, followers: list[int],
                             pupils: list[int]) -> int:
    async with app.bot_data.db.transaction() as session:
        for uid in [ORGANIZER, *followers, *pupils]:
            fake.user(uid, language_code="en")  # they have started the bot
            await touch_user(session, SeenUser(uid, f"U{uid}", None, "en"), is_admin=False)
        organisation = await orgs.create_organisation(session, "Kauno kultūros centras",
                                                      actor_id=900, is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
        for uid in followers:
            await rules.follow(session, uid, "provider", "kauno kulturos centras",
                               "Kauno kultūros centras")
        for n, uid in enumerate(pupils):
            await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=uid, organisation_id=organisation.id, activity="Talka",
                day=hour_rules.today(), minutes=60, key=f"p{n}"))
        return organisation.id


async def compose(fake: FakeBotAPI, audience: str, link: str = "No link") -> SentMessage:
    organizer = fake.user(ORGANIZER, language_code="en")
    fake.send_text(organizer, "/broadcast")
    await fake.wait_idle()
    fake.send_text(organizer, "Open day on Saturday <b>at 10</b>!")
    await fake.wait_idle()
    offer = fake.messages(ORGANIZER)[-1]
    assert offer.text == "Link one of your opportunities from the catalog?"
    fake.press_button(organizer, offer, button(offer, link))
    await fake.wait_idle()
    choice = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, choice, button(choice, audience))
    await fake.wait_idle()
    return fake.messages(ORGANIZER)[-1]


async def test_broadcast_with_preview_delivery_and_mute(fake: FakeBotAPI, app) -> None:
    await setup_organisation(fake, app, followers=[FOLLOWER], pupils=[])
    control = await compose(fake, "Followers of Kauno kultūros centras", "Keramikos kursai")
    preview = fake.messages(ORGANIZER)[-2]
    assert preview.text.startswith(
        "📣 Kauno kultūros centras\n\nOpen day on Saturday <b>at 10</b>!\n\n🎓 Keramikos kursai")
    assert preview.buttons[0][0] == "Details"
    assert control.text.startswith("Above is exactly what they will see. It goes to 1 person")
    fake.press_button(organizer(fake), control, button(control, "📣 Send to 1"))
    [received] = await fake.wait_for_messages(FOLLOWER, 1)
    assert received.text == preview.text
    await fake.wait_for_request(
        "editMessageText", lambda r: str(r.params.get("text", "")).startswith("Done."),
        timeout=15)
    fake.press_button(fake.user(FOLLOWER, language_code="en"), received, button(received, "🔕"))
    await fake.wait_idle()
    assert fake.callback_answers[-1].text.startswith("Muted: no more announcements")
    control = await compose(fake, "Followers of Kauno kultūros centras")
    assert "It goes to 0 people" in control.text  # the muted follower is left out
    assert fake.rejected == []


async def test_broadcast_cancelled_midway(fake: FakeBotAPI, app) -> None:
    pupils = list(range(1000, 1060))
    await setup_organisation(fake, app, followers=[], pupils=pupils)
    control = await compose(fake, "Pupils who logged hours")
    assert "It goes to 60 people" in control.text
    fake.press_button(organizer(fake), control, button(control, "📣 Send to 60"))
    await fake.wait_for_request("sendMessage", lambda r: r.params.get("chat_id") in pupils)
    progress = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer(fake), progress, button(progress, "✖ Cancel"))
    await fake.wait_idle(quiet=1.0)
    delivered = sum(len(fake.delivered(uid)) for uid in pupils)
    assert 1 <= delivered < 60
    assert re.fullmatch(r"Cancelled(\.|: \d+ messages? (was|were) not sent\.)",
                        fake.messages(ORGANIZER)[-1].text)
    async with app.bot_data.db.transaction() as session:
        counts = await outbox.broadcast_counts(session, 1)
    assert counts["cancelled"] + counts["sent"] + counts["sending"] == 60
    assert fake.duplicates() == []


async def test_a_pupil_cannot_broadcast(fake: FakeBotAPI, app) -> None:
    fake.send_text(fake.user(PUPIL, language_code="en"), "/broadcast")
    [reply] = await fake.wait_for_messages(PUPIL, 1)
    assert reply.text.startswith("This command is for organizers of an organisation")


async def test_queuing_immediate_alerts_leaves_other_digest_alerts_waiting(
    fake: FakeBotAPI, app
) -> None:
    db = app.bot_data.db
    first, second = (doc.id for doc in app.bot_data.search.index.docs[:2])
    async with db.transaction() as session:
        for uid in (FOLLOWER, PUPIL):
            await touch_user(session, SeenUser(uid, f"U{uid}", None, "en"), is_admin=False)
        town, _ = await rules.follow(session, FOLLOWER, "town", "kaunas", "Kaunas")
        daily, _ = await rules.follow(session, FOLLOWER, "search", "gitara", "gitara",
                                      frequency="daily")
        other, _ = await rules.follow(session, PUPIL, "town", "kaunas", "Kaunas")
        fresh = await rules.record_alerts(session, [
            rules.Match(FOLLOWER, first, town.id, "immediate"),
            rules.Match(FOLLOWER, second, daily.id, "daily"),
            rules.Match(PUPIL, second, other.id, "immediate")])
    noon = datetime(2026, 11, 24, 12, 0, tzinfo=VILNIUS)
    await alerts.queue_immediate(
        db, [a.id for a in fresh if a.frequency == "immediate"], noon)
    async with db.transaction() as session:
        waiting = (await session.scalars(select(Alert).where(Alert.queued_at.is_(None)))).all()
    assert [(w.user_id, w.opportunity_id) for w in waiting] == [(FOLLOWER, second)]


async def test_the_fastest_frequency_wins_when_two_follows_match(fake: FakeBotAPI, app) -> None:
    """One person follows guitar lessons daily and everything in Kaunas right away: a new
    guitar lesson in Kaunas is one alert, now, and no digest line later."""
    db = app.bot_data.db
    fake.user(FOLLOWER, language_code="en")
    async with db.transaction() as session:
        await touch_user(session, SeenUser(FOLLOWER, "Ona", None, "en"), is_admin=False)
        # The daily follow is the older one: the first to match.
        await rules.follow(session, FOLLOWER, "search", "gitara", "gitara", frequency="daily")
        await rules.follow(session, FOLLOWER, "town", "kaunas", "Kaunas")
    feed_file(app.bot_data.extras["folder"],
              ["Keramikos kursai", "Gitaros pamokos", "Gitaros pamokos vaikams"])
    [report] = await app.bot_data.catalog.sync()
    assert len(report.added_ids) == 1
    async with db.transaction() as session:
        [alert] = (await session.scalars(select(Alert).where(Alert.user_id == FOLLOWER))).all()
        queued = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.chat_id == FOLLOWER))).all()
        morning = datetime(2030, 1, 7, 9, 30, tzinfo=VILNIUS)  # a Monday: weekly ones too
        due = await rules.due_digests(session, morning)
    assert alert.frequency == "immediate"
    assert alert.queued_at is not None
    # Queued as the alert's reference, rendered (in the follower's language) when sent.
    assert [(row.kind, row.text) for row in queued] == [(alerts.ALERT, str(alert.id))]
    [part] = await app.bot_data.kinds.render(alerts.ALERT, queued[0].text, FOLLOWER)
    assert part.text.splitlines()[0] == "🔔 New for «Kaunas»:"
    assert due == {}
