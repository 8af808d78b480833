"""The /badge and /badges use cases over a real database: only the organisation's organizers
define, restyle, stop, award and revoke its badges; a RULE written after /badge new means
hours, a playlist or by hand; a rule badge goes at once to who already meets it; an award
by hand goes once to a learner the organisation knows; the learner's list shows what is in
force."""

from __future__ import annotations

import pytest

from bot.services import hours as hour_rules
from bot.services import orgs
from bot.storage.db import Database
from bot.storage.models import BadgeRule, Membership, User
from bot.usecases import badges as usecase
from bot.usecases import verification
from tests.unit.refusing import refused

ORGANIZER, PUPIL, STRANGER, OTHER_ORGANIZER = 7301, 7302, 7303, 7304


@pytest.fixture
async def world(db: Database) -> Database:
    """Utena (Rūta organizes; Ona has 2 approved hours there) and Kaunas (Jonas organizes)."""
    async with db.transaction() as session:
        for uid, name in ((ORGANIZER, "Rūta"), (PUPIL, "Ona"), (STRANGER, "Eva"),
                          (OTHER_ORGANIZER, "Jonas")):
            session.add(User(id=uid, first_name=name))
        utena = await orgs.create_organisation(session, "Utenos biblioteka", actor_id=0,
                                               is_admin=True)
        kaunas = await orgs.create_organisation(session, "Kauno centras", actor_id=0,
                                                is_admin=True)
        session.add_all([Membership(organisation_id=utena.id, user_id=ORGANIZER),
                         Membership(organisation_id=kaunas.id, user_id=OTHER_ORGANIZER)])
        await session.flush()
        entry, _new = await hour_rules.log_entry(session, hour_rules.NewEntry(
            user_id=PUPIL, organisation_id=utena.id, activity="Skaitymai vaikams",
            day=hour_rules.today(), minutes=120, key="k1"))
        entry_id = entry.id
    await verification.decide(db, entry_id, ORGANIZER, approve=True)
    return db


def test_a_rule_means_hours_a_playlist_or_by_hand() -> None:
    from bot.services.badges import parse_rule

    assert parse_rule(" 20 ") == (BadgeRule.HOURS, 20 * 60, None)
    assert parse_rule("1.5") == (BadgeRule.HOURS, 90, None)
    assert parse_rule("# 12") == (BadgeRule.PLAYLIST, None, 12)
    assert parse_rule("") == (BadgeRule.MANUAL, None, None)
    assert parse_rule("whenever") == (BadgeRule.MANUAL, None, None)


async def test_a_badge_is_defined_by_an_organizer_and_earned_at_once(world: Database) -> None:
    await refused("not_your_org", usecase.create(world, STRANGER, name="X", description="Y",
                                                 criteria="Z", rule=""))
    await refused("not_your_org", usecase.overview(world, PUPIL))
    created = await usecase.create(world, ORGANIZER, name="  Skaitovas ",
                                   description="Skaito vaikams", criteria="2 val.", rule="2")
    assert created.organisation == "Utenos biblioteka"
    badge = created.badge
    assert (badge.name, badge.by_hours, badge.hours_minutes, badge.active) == (
        "Skaitovas", True, 120, True)
    [earned] = await usecase.earned(world, PUPIL)  # Ona had the hours already
    assert (earned.badge, earned.organisation, earned.minutes) == (
        "Skaitovas", "Utenos biblioteka", 120)
    overview = await usecase.overview(world, ORGANIZER)
    assert [b.id for b in overview.badges] == [badge.id]
    assert (await usecase.overview(world, OTHER_ORGANIZER)).badges == ()


async def test_only_its_organizers_restyle_stop_and_open_a_badge(world: Database) -> None:
    badge = (await usecase.create(world, ORGANIZER, name="Pagalbininkas", description="D",
                                  criteria="C", rule="")).badge
    for other in (OTHER_ORGANIZER, PUPIL):
        await refused("not_your_org", usecase.open_badge(world, other, badge.id))
        await refused("not_your_org", usecase.restyle(world, other, badge.id, colour="blue"))
        await refused("not_your_org", usecase.toggle(world, other, badge.id))
    await refused("badge_unknown", usecase.toggle(world, ORGANIZER, badge.id + 100))
    blue = await usecase.restyle(world, ORGANIZER, badge.id, colour="blue")
    assert (blue.colour, blue.emblem) == ("blue", "star")
    unknown = await usecase.restyle(world, ORGANIZER, badge.id, emblem="dragon")
    assert unknown.emblem == "star"
    assert not (await usecase.toggle(world, ORGANIZER, badge.id)).active
    assert (await usecase.open_badge(world, ORGANIZER, badge.id)).active is False
    assert (await usecase.toggle(world, ORGANIZER, badge.id)).active


async def test_by_hand_once_to_a_known_learner_then_revoked(world: Database) -> None:
    badge = (await usecase.create(world, ORGANIZER, name="Pagalbininkas", description="D",
                                  criteria="C", rule="")).badge
    assert await usecase.earned(world, PUPIL) == ()
    found = await usecase.learners(world, ORGANIZER, badge.id)
    assert [(p.id, p.name) for p in found.learners] == [(PUPIL, "Ona")]
    await refused("not_your_org", usecase.learners(world, OTHER_ORGANIZER, badge.id))
    await refused("learner_unknown", usecase.award(world, ORGANIZER, badge.id, STRANGER))
    await refused("not_your_org", usecase.award(world, OTHER_ORGANIZER, badge.id, PUPIL))
    first = await usecase.award(world, ORGANIZER, badge.id, PUPIL)
    again = await usecase.award(world, ORGANIZER, badge.id, PUPIL)
    assert (first.created, again.created, first.badge) == (True, False, "Pagalbininkas")
    [held] = (await usecase.holders(world, ORGANIZER, badge.id)).holders
    assert held.learner == "Ona"
    await refused("not_your_org", usecase.ask_revoke(world, OTHER_ORGANIZER, held.award_id))
    asked = await usecase.ask_revoke(world, ORGANIZER, held.award_id)
    assert (asked.badge_id, asked.badge) == (badge.id, "Pagalbininkas")
    await refused("not_your_org", usecase.revoke(world, OTHER_ORGANIZER, held.award_id))
    await refused("award_unknown", usecase.revoke(world, ORGANIZER, held.award_id + 100))
    await usecase.revoke(world, ORGANIZER, held.award_id)
    assert await usecase.earned(world, PUPIL) == ()
    assert (await usecase.holders(world, ORGANIZER, badge.id)).holders == ()
