"""Badge awards in the database: the hours rule awards exactly once (also when approvals
race or an update is redelivered), the playlist rule through the playlists service, by
hand, revocation in the status list, and the credential made from the stored award."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.badges import image, status, vcjwt
from bot.badges.keys import SigningKey
from bot.badges.verify import verify
from bot.services import badges, orgs, playlists, privacy
from bot.services import hours as hour_rules
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import BadgeAward, BadgeRule, Membership, OutboxMessage, User, utcnow
from bot.storage.playlist_tables import Playlist
from bot.usecases import checkins as joining
from bot.usecases import verification

ORGANIZER, PUPIL, OTHER = 801, 802, 803
ISSUER = badges.Issuer(SigningKey.generate(), "https://takas.example")


@pytest.fixture
async def world(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        for uid, name in ((ORGANIZER, "Rūta"), (PUPIL, "Ona"), (OTHER, "Jonas")):
            session.add(User(id=uid, first_name=name))
        organisation = await orgs.create_organisation(session, "Utenos biblioteka",
                                                      actor_id=0, is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
        await session.flush()
        badge = await badges.create_badge(
            session, organisation.id, actor_id=ORGANIZER, name="Skaitovas",
            description="Reads to children", criteria="2 approved hours in a school year",
            rule=BadgeRule.HOURS, hours_minutes=120)
        return {"org": organisation.id, "badge": badge.id}


async def log(db: Database, world: dict[str, int], key: str, minutes: int = 60,
              user: int = PUPIL) -> int:
    async with db.transaction() as session:
        entry, _ = await hour_rules.log_entry(session, hour_rules.NewEntry(
            user_id=user, organisation_id=world["org"], activity="Reading to children",
            day=hour_rules.today(), minutes=minutes, key=key))
        return entry.id


async def approve(db: Database, entry_id: int) -> None:
    """The organizer approves, as the verification use case does (it awards badges)."""
    await verification.decide(db, entry_id, ORGANIZER, approve=True)


async def counts(db: Database) -> tuple[int, int]:
    async with db.transaction() as session:
        awards = await session.scalar(select(func.count()).select_from(BadgeAward))
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.kind == "badge"))
    return int(awards or 0), int(queued or 0)


async def test_the_hours_rule_awards_exactly_once(db: Database, world) -> None:
    first = await log(db, world, "a")
    second = await log(db, world, "b")
    third = await log(db, world, "c")
    await approve(db, first)
    assert await counts(db) == (0, 0)  # 1 h of 2
    await approve(db, second)
    assert await counts(db) == (1, 1)  # earned: one award, one message queued
    with pytest.raises(Refusal):  # a redelivered Approve
        await approve(db, second)
    await approve(db, third)  # more hours, same school year: nothing new
    assert await counts(db) == (1, 1)
    async with db.transaction() as session:
        [view] = await badges.awards_of(session, PUPIL)
    assert view.award.minutes == 120  # the hours when it was earned
    assert view.award.awarded_by is None
    assert view.award.period == badges.period_of(hour_rules.today())
    assert [item["name"] for item in view.award.details["evidence"]] == [
        "Reading to children"] * 2


async def test_racing_approvals_award_once(db: Database, world) -> None:
    entries = [await log(db, world, key, minutes=120) for key in ("r1", "r2", "r3")]
    # Three organizer presses at once, each approving hours that alone earn the badge.
    results = await asyncio.gather(*(approve(db, entry) for entry in entries),
                                   return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await counts(db) == (1, 1)


async def test_check_in_hours_award_the_badge(db: Database, world) -> None:
    from bot.services import checkins

    async with db.transaction() as session:
        code = await checkins.create_checkin(session, world["org"], actor_id=ORGANIZER,
                                             title="Book fair", minutes=180)
    await joining.check_in(db, code.code, PUPIL)
    assert await counts(db) == (1, 1)


async def test_a_playlist_completed_through_verified_hours_awards_its_badge_once(
        db: Database, world) -> None:
    """Issue 10's acceptance: the badge of a learning playlist comes automatically, once,
    when the last required activity's hours are verified (and never again after)."""
    async with db.transaction() as session:
        playlist = Playlist(organisation_id=world["org"], created_by=ORGANIZER, language="en",
                            titles={"en": "Young librarian"}, descriptions={})
        session.add(playlist)
        await session.flush()
        shelving, _ = await playlists.add_item(session, playlist.id, ORGANIZER,
                                               title="Shelving books")
        story, _ = await playlists.add_item(session, playlist.id, ORGANIZER,
                                            title="Story hour")
        await playlists.add_item(session, playlist.id, ORGANIZER, title="Poster",
                                 required=False)
        await playlists.set_published(session, playlist.id, ORGANIZER, True)
        await playlists.join(session, playlist.id, PUPIL)
        await badges.create_badge(
            session, world["org"], actor_id=ORGANIZER, name="Explorer",
            description="Completed the playlist", criteria="Every required step",
            rule=BadgeRule.PLAYLIST, playlist_id=playlist.id)
        ids = {"playlist": playlist.id, "shelving": shelving.id, "story": story.id}

    async def log_for(item: int, key: str) -> int:
        async with db.transaction() as session:
            entry, _ = await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=PUPIL, organisation_id=world["org"], activity="Step",
                day=hour_rules.today(), minutes=30, key=key, playlist_item_id=item))
            return entry.id

    first, second = await log_for(ids["shelving"], "s1"), await log_for(ids["story"], "s2")
    await approve(db, first)
    async with db.transaction() as session:  # one of two required steps: no badge yet
        assert await playlists.completed_playlists(session, PUPIL) == []
        assert [v.badge.name for v in await badges.awards_of(session, PUPIL)] == []
    await approve(db, second)
    with pytest.raises(Refusal):  # a redelivered approval changes nothing
        await approve(db, second)
    await approve(db, await log_for(ids["story"], "s3"))  # more hours afterwards: still one
    async with db.transaction() as session:
        assert await playlists.completed_playlists(session, PUPIL) == [ids["playlist"]]
        names = [view.badge.name for view in await badges.awards_of(session, PUPIL)]
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.kind == "badge"))
    assert names == ["Explorer"]
    assert queued == 1  # the learner gets the baked PNG exactly once


async def test_by_hand_once_never_to_oneself_only_by_organizers_to_their_learners(
        db: Database, world) -> None:
    async with db.transaction() as session:
        manual = await badges.create_badge(
            session, world["org"], actor_id=ORGANIZER, name="Helper",
            description="Helped at the fair", criteria="Chosen by the organizers")
    await approve(db, await log(db, world, "other", user=OTHER))  # whom the organisation knows
    async with db.transaction() as session:
        _, created = await badges.award_by_hand(session, manual.id, OTHER, actor_id=ORGANIZER)
        _, again = await badges.award_by_hand(session, manual.id, OTHER, actor_id=ORGANIZER)
    assert (created, again) == (True, False)
    for actor, target, code in ((ORGANIZER, ORGANIZER, "own_badge"),
                                (PUPIL, OTHER, "not_your_org"),
                                (ORGANIZER, PUPIL, "learner_unknown")):  # no hours here
        with pytest.raises(Refusal) as refused:
            async with db.transaction() as session:
                await badges.award_by_hand(session, manual.id, target, actor_id=actor)
        assert refused.value.code == code
    async with db.transaction() as session:
        with pytest.raises(Refusal):
            await badges.create_badge(session, world["org"], actor_id=ORGANIZER, name="",
                                      description="x", criteria="y")
        with pytest.raises(Refusal):
            await badges.create_badge(session, world["org"], actor_id=ORGANIZER, name="X",
                                      description="x", criteria="y", rule=BadgeRule.HOURS)


async def test_credential_status_list_and_revocation(db: Database, world) -> None:
    await approve(db, await log(db, world, "v1", minutes=150))
    async with db.transaction() as session:
        [view] = await badges.awards_of(session, PUPIL)
        token = await badges.issue_credential(session, view, ISSUER)
        # Signing again from the stored award gives the very same credential.
        assert vcjwt.sign(badges.credential_of(view, ISSUER), ISSUER.key) == token
        assert await badges.is_revoked(session, token) is False
    png = image.bake(image.render("Skaitovas", "green", "star"), token)
    assert verify(png, now=utcnow(), trusted_issuer=ISSUER.key.did).code == "ok"
    async with db.transaction() as session:
        with pytest.raises(Refusal):
            await badges.revoke(session, view.award.id, actor_id=PUPIL, reason="no")
    async with db.transaction() as session:
        await badges.revoke(session, view.award.id, actor_id=ORGANIZER, reason="mistake")
        assert await badges.is_revoked(session, token) is True
        assert await badges.awards_of(session, PUPIL) == []
        listed = vcjwt.verify(await badges.status_list_token(session, 0, ISSUER) or "")
    entry = vcjwt.verify(token)["credentialStatus"]
    assert status.revoked_in(listed, entry)
    verdict = verify(png, now=utcnow() + timedelta(seconds=1),
                     status=lambda e: status.revoked_in(listed, e))
    assert verdict.code == "revoked"


async def test_forgetting_the_learner_keeps_the_badge_checkable_and_unlinkable(
        db: Database, world) -> None:
    """After /forgetme nothing stored leads back to the learner: no account link, no salt,
    no credential carrying the salted identity hash (Telegram ids are few enough to try
    them all). The learner's own PNG still verifies, and can still be revoked."""
    await approve(db, await log(db, world, "f1", minutes=150))
    async with db.transaction() as session:
        [view] = await badges.awards_of(session, PUPIL)
        token = await badges.issue_credential(session, view, ISSUER)
        salt = view.award.details["salt"]
        award_id = view.award.id
    async with db.transaction() as session:
        await privacy.forget(session, PUPIL)
    async with db.transaction() as session:
        award = await session.get(BadgeAward, award_id)
        assert award is not None
        assert award.user_id is None
        assert "salt" not in award.details
        assert award.credential == badges.fingerprint(token)
        stored = repr([award.details, award.credential])
        assert salt not in stored
        assert vcjwt.verify(token)["credentialSubject"]["identifier"][0]["identityHash"] \
            not in stored
        assert await badges.is_revoked(session, token) is False
    png = image.bake(image.render("Skaitovas", "green", "star"), token)
    assert verify(png, now=utcnow(), trusted_issuer=ISSUER.key.did).code == "ok"
    async with db.transaction() as session:
        await badges.revoke(session, award_id, actor_id=ORGANIZER, reason="mistake")
        assert await badges.is_revoked(session, token) is True
