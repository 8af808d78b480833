"""Who may do what: every organizer command and every verification button, for a learner,
an organizer of organisation A, an organizer of B and an administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import build_application, running
from bot.models import CheckIn, EntryStatus, HourEntry, Membership
from bot.playlist_tables import Playlist, PlaylistItem
from bot.services import hours as hour_rules
from bot.services import orgs
from tests.fakes import FakeBotAPI

ADMIN, ORG_A, ORG_B, LEARNER, PUPIL = 900, 911, 912, 913, 914
ROLES = {"learner": LEARNER, "organizer_a": ORG_A, "organizer_b": ORG_B, "admin": ADMIN}
REFUSED_ORG = "Only organizers of that organisation can do that."
REFUSED_ADMIN = "Only administrators can do that."


@pytest.fixture
async def world(fake: FakeBotAPI, bot_settings, i18n):
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        for uid in (*ROLES.values(), PUPIL):
            fake.send_text(fake.user(uid, language_code="en"), "/start")
            await fake.wait_for_messages(uid, 1)
        async with application.bot_data.db.transaction() as session:
            a = await orgs.create_organisation(session, "A", actor_id=ADMIN, is_admin=True)
            b = await orgs.create_organisation(session, "B", actor_id=ADMIN, is_admin=True)
            session.add(Membership(organisation_id=a.id, user_id=ORG_A))
            session.add(Membership(organisation_id=b.id, user_id=ORG_B))
            await session.flush()
            entry, _ = await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=PUPIL, organisation_id=a.id, activity="Talka",
                day=hour_rules.today(), minutes=60, key="pupil-1"))
            playlist = Playlist(organisation_id=a.id, created_by=ORG_A, language="en",
                                titles={"en": "A's path"}, descriptions={})
            session.add(playlist)
            await session.flush()
            session.add_all([PlaylistItem(playlist_id=playlist.id, position=1, title="One"),
                             PlaylistItem(playlist_id=playlist.id, position=2, title="Two")])
        application.bot_data.extras["entry_id"] = entry.id
        application.bot_data.extras["playlist_id"] = playlist.id
        yield application


COMMANDS = [
    # (command, {role: expected reply start}); missing roles: "allowed" means not refused
    ("/org new C", {"learner": REFUSED_ADMIN, "organizer_a": REFUSED_ADMIN,
                    "organizer_b": REFUSED_ADMIN, "admin": "Organisation C created"}),
    ("/org invite A", {"learner": REFUSED_ORG, "organizer_a": "Send this link",
                       "organizer_b": REFUSED_ORG, "admin": "Send this link"}),
    ("/org target A 40", {"learner": REFUSED_ORG, "organizer_a": "Yearly target of A",
                          "organizer_b": REFUSED_ORG, "admin": "Yearly target of A"}),
    ("/checkin 2 Talka", {"learner": REFUSED_ORG, "organizer_a": "Check-in for «Talka»",
                          "organizer_b": "Check-in for «Talka»", "admin": REFUSED_ORG}),
    ("/pending", {"learner": "Nothing waits", "organizer_a": "Hours to verify",
                  "organizer_b": "Nothing waits", "admin": "Nothing waits"}),
    ("/verify TK-AAAA-BBBB", {"learner": REFUSED_ORG,
                              "organizer_a": "No certificate has that code.",
                              "organizer_b": "No certificate has that code.",
                              "admin": "No certificate has that code."}),
    ("/badge", {"learner": REFUSED_ORG, "organizer_a": "Badges\n/badge new",
                "organizer_b": "Badges\n/badge new", "admin": REFUSED_ORG}),
    ("/badge new Helper; Helped; Chosen by organizers",
     {"learner": REFUSED_ORG, "organizer_a": "Badge created for A",
      "organizer_b": "Badge created for B", "admin": REFUSED_ORG}),
    ("/playlist", {"learner": REFUSED_ORG, "organizer_a": "Your learning playlists",
                   "organizer_b": "Your learning playlists", "admin": REFUSED_ORG}),
    ("/feeds", {"learner": "Only administrators can manage feeds.",
                "organizer_a": "Only administrators can manage feeds.",
                "organizer_b": "Only administrators can manage feeds.",
                "admin": ""}),
]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize(("command", "expected"), COMMANDS, ids=[c for c, _ in COMMANDS])
async def test_commands_by_role(fake: FakeBotAPI, world, role: str, command: str,
                                expected: dict[str, str]) -> None:
    uid = ROLES[role]
    before = len(fake.messages(uid))
    fake.send_text(fake.user(uid, language_code="en"), command)
    # Every command answers with one message; waiting for it (not only for a quiet
    # moment) keeps a slow commit on a loaded machine from reading the previous one.
    await fake.wait_for_messages(uid, before + 1)
    await fake.wait_idle()
    reply = fake.messages(uid)[-1].text
    assert reply.startswith(expected[role]), (role, command, reply)
    assert fake.rejected == []


BUTTONS = ["va:{id}", "vx:{id}:absent", "vA:{id}:{id}"]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("pattern", BUTTONS)
async def test_verification_buttons_by_role(fake: FakeBotAPI, world, role: str,
                                            pattern: str) -> None:
    uid = ROLES[role]
    entry_id = world.bot_data.extras["entry_id"]
    message = fake.messages(uid)[-1]
    fake.press_button(fake.user(uid, language_code="en"), message,
                      pattern.format(id=entry_id), forge=True)
    await fake.wait_idle()
    async with world.bot_data.db.transaction() as session:
        status = (await session.get(HourEntry, entry_id)).status
    if role == "organizer_a":
        assert status != EntryStatus.PENDING.value
    else:
        assert status == EntryStatus.PENDING.value
        if not pattern.startswith("vA"):
            assert fake.callback_answers[-1].text == REFUSED_ORG
    assert fake.rejected == []


BADGE_BUTTONS = ["Ba:{badge}:{pupil}", "Bc:{badge}:red", "Bd:{badge}", "Bw:{badge}:0",
                 "Br:{badge}"]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("pattern", BADGE_BUTTONS)
async def test_badge_buttons_by_role(fake: FakeBotAPI, world, role: str, pattern: str) -> None:
    """Only organizers of the badge's organisation award, restyle, stop or list it."""
    from sqlalchemy import func, select

    from bot.models import Badge, BadgeAward
    from bot.services import badges

    async with world.bot_data.db.transaction() as session:
        badge = await badges.create_badge(session, 1, actor_id=ORG_A, name="Helper",
                                          description="Helped", criteria="Chosen")
    uid = ROLES[role]
    fake.press_button(fake.user(uid, language_code="en"), fake.messages(uid)[-1],
                      pattern.format(badge=badge.id, pupil=PUPIL), forge=True)
    await fake.wait_idle()
    async with world.bot_data.db.transaction() as session:
        awards = await session.scalar(select(func.count()).select_from(BadgeAward))
        changed = await session.get(Badge, badge.id)
    refused = fake.callback_answers[-1].text == REFUSED_ORG
    assert refused == (role != "organizer_a"), (role, fake.callback_answers[-1].text)
    if role != "organizer_a":
        assert (awards, changed.colour, changed.active) == (0, "green", True)
    elif pattern.startswith("Ba"):
        assert awards == 1
    assert fake.rejected == []


async def test_the_pupil_cannot_verify_their_own_entry(fake: FakeBotAPI, world) -> None:
    entry_id = world.bot_data.extras["entry_id"]
    async with world.bot_data.db.transaction() as session:
        session.add(Membership(organisation_id=1, user_id=PUPIL))  # even as an organizer
    fake.press_button(fake.user(PUPIL, language_code="en"), fake.messages(PUPIL)[-1],
                      f"va:{entry_id}", forge=True)
    await fake.wait_idle()
    assert fake.callback_answers[-1].text == "Nobody can verify their own hours."


PLAYLIST_BUTTONS = ["pl:p:{playlist}:1", "pl:e:{playlist}", "pl:aa:{playlist}", "pl:ac:{playlist}",
                    "pl:lg:{playlist}:lt", "pl:s:{playlist}", "pl:c:{playlist}",
                    "pl:t:{first}:0", "pl:u:{second}", "pl:rm:{first}", "pl:ch:{first}:60",
                    "pl:ao:{playlist}:1"]


async def playlist_state(world) -> tuple[object, ...]:
    async with world.bot_data.db.transaction() as session:
        playlist = await session.get(Playlist, world.bot_data.extras["playlist_id"])
        assert playlist is not None
        items = (await session.scalars(select(PlaylistItem).where(
            PlaylistItem.playlist_id == playlist.id).order_by(PlaylistItem.id))).all()
        codes = await session.scalar(select(func.count()).select_from(CheckIn))
        return (playlist.published, playlist.titles,
                [(i.title, i.position, i.required) for i in items], codes)


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("pattern", PLAYLIST_BUTTONS)
async def test_playlist_editor_buttons_by_role(fake: FakeBotAPI, world, role: str,
                                               pattern: str) -> None:
    """Only organizers of the playlist's organisation change it; everybody else gets the
    refusal in an alert and the playlist stays as it was."""
    uid = ROLES[role]
    before = await playlist_state(world)
    async with world.bot_data.db.transaction() as session:
        first, second = (await session.scalars(select(PlaylistItem.id).where(
            PlaylistItem.playlist_id == world.bot_data.extras["playlist_id"])
            .order_by(PlaylistItem.position))).all()
    data = pattern.format(playlist=world.bot_data.extras["playlist_id"], first=first,
                          second=second)
    fake.press_button(fake.user(uid, language_code="en"), fake.messages(uid)[-1], data,
                      forge=True)
    await fake.wait_idle()
    if role == "organizer_a":
        assert fake.callback_answers[-1].text != REFUSED_ORG
    else:
        assert fake.callback_answers[-1].text == REFUSED_ORG, data
        assert await playlist_state(world) == before
    assert fake.rejected == []
