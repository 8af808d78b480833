"""Learning playlists end to end over the fake Bot API: an organizer builds and publishes a
playlist in chat; a learner opens its link, joins, logs hours, and sees progress once they
are verified; check-in codes count; search results show playlists; every language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import build_application, running
from bot.services import orgs
from bot.services import playlists as rules
from bot.storage.models import Membership
from bot.storage.playlist_tables import Playlist, PlaylistMember
from tests.e2e.test_languages import JOURNEY_LANGUAGES, english_fragments
from tests.fakes import FakeBotAPI, SentMessage

ADMIN, ORGANIZER, LEARNER = 900, 921, 922


def data_of(message: SentMessage, start: str, *, label: str = "") -> str:
    """The callback data of the first button whose data starts with `start` (and whose
    label starts with `label`)."""
    found = [data for text, data in message.buttons
             if data and data.startswith(start) and text.startswith(label)]
    assert found, f"no {start!r}/{label!r} button in {message.text!r}: {message.buttons}"
    return found[0]


async def press(fake: FakeBotAPI, user, chat_id: int, start: str, *,
                label: str = "") -> SentMessage:
    """Press a button of the chat's latest message; returns the new latest message once the
    press is answered (a slow machine may take longer than wait_idle's quiet spell)."""
    latest = fake.messages(chat_id)[-1]
    pressed = fake.press_button(user, latest, data_of(latest, start, label=label))
    await fake.wait_for_request("answerCallbackQuery",
                                lambda r: r.params.get("callback_query_id") == pressed.query_id)
    await fake.wait_idle()
    return fake.messages(chat_id)[-1]


async def say(fake: FakeBotAPI, user, chat_id: int, text: str) -> SentMessage:
    """Send a text; returns the bot's reply (every text here gets a new message)."""
    count = len(fake.messages(chat_id))
    fake.send_text(user, text)
    await fake.wait_for_messages(chat_id, count + 1)
    await fake.wait_idle()
    return fake.messages(chat_id)[-1]


async def double_tap(fake: FakeBotAPI, user, message: SentMessage, data: str) -> None:
    """Press a button twice in a row, as an impatient thumb does; wait for both answers."""
    taps = [fake.press_button(user, message, data),
            fake.press_button(user, message, data, forge=True)]
    await fake.wait_for_request("answerCallbackQuery", lambda r: r.params.get(
        "callback_query_id") == taps[1].query_id)  # updates are handled in order
    await fake.wait_idle()


@pytest.fixture
async def town(fake: FakeBotAPI, bot_settings, i18n):
    """The bot with the demo catalog and 'Utenos biblioteka', whose organizer is ORGANIZER."""
    application = build_application(bot_settings, i18n)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        for uid in (ADMIN, ORGANIZER, LEARNER):
            fake.send_text(fake.user(uid, language_code="en"), "/start")
            await fake.wait_for_messages(uid, 1)
        async with application.bot_data.db.transaction() as session:
            library = await orgs.create_organisation(session, "Utenos biblioteka",
                                                     actor_id=ADMIN, is_admin=True)
            session.add(Membership(organisation_id=library.id, user_id=ORGANIZER))
        yield application


async def build_playlist(fake: FakeBotAPI, organizer, title: str, description: str,
                         search: str, activity: str) -> int:
    """Through the chat: a playlist with a required catalog item and an optional own
    activity, published; returns its id."""
    await say(fake, organizer, ORGANIZER, "/playlist")
    await press(fake, organizer, ORGANIZER, "pl:n")
    await say(fake, organizer, ORGANIZER, title)
    await say(fake, organizer, ORGANIZER, description)
    await press(fake, organizer, ORGANIZER, "pl:ac:")
    offers = await say(fake, organizer, ORGANIZER, search)
    await double_tap(fake, organizer, offers, data_of(offers, "pl:ao:"))  # adds it once
    await press(fake, organizer, ORGANIZER, "pl:aa:")
    editor = await say(fake, organizer, ORGANIZER, activity)
    item = data_of(editor, "pl:t:", label="2.")
    editor = await press(fake, organizer, ORGANIZER, item)  # the own activity: optional
    await press(fake, organizer, ORGANIZER, "pl:p:")
    return int(data_of(editor, "pl:s:").split(":")[2])


async def test_build_join_log_verify_and_complete(fake: FakeBotAPI, town) -> None:
    organizer = fake.user(ORGANIZER, language_code="en")
    learner = fake.user(LEARNER, first_name="Ona", language_code="en")
    playlist_id = await build_playlist(
        fake, organizer, "Ceramics for beginners",
        "Clay, wheel and glaze: for adults new to ceramics.", "keramika",
        "Volunteering day at the library")
    editor = fake.messages(ORGANIZER)[-1]
    assert "Published" in editor.text
    lines = editor.text.splitlines()
    assert "2. ☆ ✍ Volunteering day at the library" in lines
    assert [line[:5] for line in lines if line[:2] in ("1.", "2.")] == ["1. ★ ", "2. ☆ "]
    link = (await press(fake, organizer, ORGANIZER, "pl:s:")).text
    assert f"start=pl_{playlist_id}" in link

    shown = await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    assert shown.text.startswith("📚 Ceramics for beginners\nUtenos biblioteka")
    assert "0 of 1 required activity done" in shown.text
    assert "— optional" in shown.text
    assert "— required" in shown.text
    await double_tap(fake, learner, shown, data_of(shown, "pl:j:"))
    async with town.bot_data.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(PlaylistMember)) == 1
    assert "Join" not in str(fake.messages(LEARNER)[-1].buttons)

    # /log offers the playlist's activities; hours logged for one are tied to it.
    flow = await say(fake, learner, LEARNER, "/log")
    catalog_title = next(label for label, data in flow.buttons if data == data_of(
        flow, "lg:p:"))
    await press(fake, learner, LEARNER, "lg:p:")
    await press(fake, learner, LEARNER, "lg:d:0")
    await press(fake, learner, LEARNER, "lg:h:120")
    await press(fake, learner, LEARNER, "lg:n")
    summary = await press(fake, learner, LEARNER, "lg:c:")
    assert summary.text.startswith("Logged: 2 h")
    assert catalog_title.removeprefix("📚 ")[:30] in fake.messages(ORGANIZER)[-1].text
    waiting = await say(fake, learner, LEARNER, "/playlists")
    assert "0 of 1 required activity done" in waiting.text  # not verified yet
    to_verify = fake.messages(ORGANIZER)[-1]
    fake.press_button(organizer, to_verify, data_of(to_verify, "va:"))
    await fake.wait_idle()

    mine = await say(fake, learner, LEARNER, "/playlists")
    assert mine.text.startswith("Your learning playlists\n1. Ceramics for beginners — 🎉")
    async with town.bot_data.db.transaction() as session:
        assert await rules.completed_playlists(session, LEARNER) == [playlist_id]
        state = await rules.progress(session, playlist_id, LEARNER)
    assert (state.required_done, state.required_total, state.done) == (1, 1, 1)
    assert fake.rejected == []


async def test_checkin_code_for_an_own_activity_counts(fake: FakeBotAPI, town) -> None:
    organizer = fake.user(ORGANIZER, language_code="en")
    learner = fake.user(LEARNER, language_code="en")
    playlist_id = await build_playlist(fake, organizer, "Library helpers", "Help us.",
                                       "keramika", "Book sorting")
    await press(fake, organizer, ORGANIZER, "pl:c:")
    await press(fake, organizer, ORGANIZER, "pl:ci:")
    code = (await press(fake, organizer, ORGANIZER, "pl:ch:", label="2")).text
    assert code.startswith("Check-in for «Book sorting»")
    link = next(word for word in code.split() if "start=ci_" in word)
    await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    await press(fake, learner, LEARNER, "pl:j:")
    checked = await say(fake, learner, LEARNER, "/start " + link.split("start=")[1])
    assert checked.text.startswith("Checked in")
    shown = await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    assert "✓ 2. Book sorting — optional" in shown.text
    assert "○ 1." in shown.text
    assert "0 of 1 required activity done" in shown.text
    async with town.bot_data.db.transaction() as session:
        assert await rules.completed_playlists(session, LEARNER) == []
        assert (await rules.progress(session, playlist_id, LEARNER)).done == 1


async def test_search_finds_playlists_by_title_and_by_their_opportunities(
        fake: FakeBotAPI, town) -> None:
    organizer = fake.user(ORGANIZER, language_code="en")
    learner = fake.user(LEARNER, language_code="en")
    playlist_id = await build_playlist(fake, organizer, "Pottery path",
                                       "From the first pot to your own glaze.", "keramika",
                                       "Glazing evening")
    typo = await say(fake, learner, LEARNER, "potery path")  # a typo, no catalog match
    assert "Learning playlists\n📚 Pottery path" in typo.text
    assert f"pl:v:{playlist_id}" in typo.callback_data
    results = await say(fake, learner, LEARNER, "keramika")  # holds a found opportunity
    assert "📚 Pottery path" in results.text
    opened = await press(fake, learner, LEARNER, f"pl:v:{playlist_id}")
    assert opened.text.startswith("📚 Pottery path")
    # An unpublished playlist is found by nobody and opened only by its organizers.
    mine = await say(fake, organizer, ORGANIZER, "/playlist")
    assert mine.text.startswith("Your learning playlists")
    await press(fake, organizer, ORGANIZER, f"pl:e:{playlist_id}")
    await press(fake, organizer, ORGANIZER, f"pl:p:{playlist_id}:0")
    hidden = await say(fake, learner, LEARNER, "potery path")
    assert "Pottery path" not in hidden.text
    refused = await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    assert refused.text == "This playlist does not exist or is not published."


async def test_editing_reorders_removes_and_cancels(fake: FakeBotAPI, town) -> None:
    organizer = fake.user(ORGANIZER, language_code="en")
    playlist_id = await build_playlist(fake, organizer, "Order", "Test order.", "keramika",
                                       "Second step")
    editor = await press(fake, organizer, ORGANIZER, "pl:u:", label="⬆")  # first: no-op
    second = [data for label, data in editor.buttons if data and data.startswith("pl:u:")][1]
    editor = await press(fake, organizer, ORGANIZER, second)
    assert [line for line in editor.text.splitlines() if line.startswith("1.")] == [
        "1. ☆ ✍ Second step"]
    await press(fake, organizer, ORGANIZER, "pl:aa:")
    cancelled = await press(fake, organizer, ORGANIZER, f"pl:e:{playlist_id}")  # Cancel
    assert "Second step" in cancelled.text
    results = await say(fake, organizer, ORGANIZER, "Third step")  # a search now, not an item
    assert "Third step" in results.text
    assert "pl:t:" not in str(results.buttons)
    editor = await say(fake, organizer, ORGANIZER, "/playlist")
    editor = await press(fake, organizer, ORGANIZER, f"pl:e:{playlist_id}")
    editor = await press(fake, organizer, ORGANIZER, "pl:rm:")
    assert [line[:2] for line in editor.text.splitlines() if line[:2] in ("1.", "2.")] == [
        "1."]
    closed = await press(fake, organizer, ORGANIZER, "pl:x")
    assert closed.text.startswith("Closed.")
    async with town.bot_data.db.transaction() as session:
        playlist = await session.get(Playlist, playlist_id)
        assert playlist is not None
        assert playlist.titles == {"en": "Order"}


async def test_a_learner_cannot_edit(fake: FakeBotAPI, town) -> None:
    organizer = fake.user(ORGANIZER, language_code="en")
    learner = fake.user(LEARNER, language_code="en")
    playlist_id = await build_playlist(fake, organizer, "Mine", "Mine.", "keramika", "Step")
    refused = await say(fake, learner, LEARNER, "/playlist")
    assert refused.text.startswith("This command is for organizers of an organisation")
    for data in (f"pl:p:{playlist_id}:0", f"pl:e:{playlist_id}", f"pl:aa:{playlist_id}",
                 f"pl:lg:{playlist_id}:lt"):
        fake.press_button(learner, refused, data, forge=True)
        await fake.wait_idle()
        assert fake.callback_answers[-1].text == (
            "Only organizers of that organisation can do that."), data
    async with town.bot_data.db.transaction() as session:
        playlist = await session.get(Playlist, playlist_id)
        assert playlist is not None
        assert playlist.published


@pytest.mark.parametrize("language", ["en", *JOURNEY_LANGUAGES])
async def test_playlists_speak_every_language(fake: FakeBotAPI, town, language: str) -> None:
    """An organizer builds a playlist and a learner uses it, both in `language` (one of each
    kind; every message in every language: tests/unit/test_rendered_messages.py): no English
    is left in any reply, button or alert; a second language written for the playlist is
    what readers of that language see."""
    organizer = fake.user(ORGANIZER, language_code=language)
    learner = fake.user(LEARNER, language_code=language)
    before = {chat: len(fake.messages(chat)) for chat in (ORGANIZER, LEARNER)}
    playlist_id = await build_playlist(fake, organizer, "Kelias 1", "Aprašymas 1", "keramika",
                                       "Veikla 2")
    await press(fake, organizer, ORGANIZER, "pl:s:")
    await say(fake, organizer, ORGANIZER, "/playlist")
    await press(fake, organizer, ORGANIZER, f"pl:e:{playlist_id}")
    await press(fake, organizer, ORGANIZER, "pl:l:")
    other = "de" if language != "de" else "lt"
    await press(fake, organizer, ORGANIZER, f"pl:lg:{playlist_id}:{other}")
    await say(fake, organizer, ORGANIZER, "Weg 1")
    await press(fake, organizer, ORGANIZER, f"pl:e:{playlist_id}")  # skip the description
    await press(fake, organizer, ORGANIZER, "pl:c:")
    await press(fake, organizer, ORGANIZER, "pl:ci:")
    await press(fake, organizer, ORGANIZER, "pl:ch:")
    await say(fake, organizer, ORGANIZER, "/help")

    shown = await say(fake, learner, LEARNER, f"/start pl_{playlist_id}")
    assert shown.text.startswith("📚 Kelias 1")
    await press(fake, learner, LEARNER, "pl:j:")
    await say(fake, learner, LEARNER, "/playlists")
    await say(fake, learner, LEARNER, "kelias")
    flow = await say(fake, learner, LEARNER, "/log")
    assert "lg:p:" in str(flow.buttons)
    await press(fake, learner, LEARNER, "lg:x")
    await say(fake, learner, LEARNER, "/help")
    reader = fake.user(LEARNER + 1, language_code=other)
    assert (await say(fake, reader, LEARNER + 1, f"/start pl_{playlist_id}")).text.startswith(
        "📚 Weg 1\n")

    if language == "en":
        assert "/playlists" in fake.messages(LEARNER)[-1].text
        assert "/playlist —" in fake.messages(ORGANIZER)[-1].text
        return
    sent = [m for chat in (ORGANIZER, LEARNER) for m in fake.messages(chat)[before[chat]:]]
    texts = [m.text or "" for m in sent] + [label for m in sent for label, _data in m.buttons]
    texts += [a.text or "" for a in fake.callback_answers]
    transcript = "\n".join(texts)
    leaks = [piece for piece in english_fragments(language) if piece in transcript]
    assert not leaks, f"English left in the {language} playlist replies: {leaks}"
    assert fake.rejected == []
