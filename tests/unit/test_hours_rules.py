"""The rules of hours, at the service level: every refusal, idempotency, concurrency,
authorisation, audit, check-ins, invites and privacy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services import checkins, hours, orgs, privacy
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.users import SeenUser, touch_user
from bot.storage.db import Database
from bot.storage.models import AuditEvent, EntryStatus, HourEntry, Membership, User

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday in the 2026/27 school year
TODAY = date(2026, 11, 20)
ADMIN, ORGANIZER, OTHER_ORGANIZER, PUPIL = 1, 2, 3, 4


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.transaction() as session:
        for uid in (ADMIN, ORGANIZER, OTHER_ORGANIZER, PUPIL, 5):
            await touch_user(session, SeenUser(uid, f"User {uid}", None, "lt"),
                             is_admin=uid == ADMIN)
        school = await orgs.create_organisation(session, "Utenos gimnazija", actor_id=ADMIN,
                                                is_admin=True)
        shelter = await orgs.create_organisation(session, "Gyvūnų prieglauda", actor_id=ADMIN,
                                                 is_admin=True)
        session.add(Membership(organisation_id=school.id, user_id=ORGANIZER))
        session.add(Membership(organisation_id=shelter.id, user_id=OTHER_ORGANIZER))
    yield database
    await database.close()


def entry(**changes: object) -> hours.NewEntry:
    values: dict[str, object] = {"user_id": PUPIL, "organisation_id": 1, "activity": "Pagalba",
                                 "day": TODAY, "minutes": 120, "key": "k1"}
    values.update(changes)
    return hours.NewEntry(**values)


@pytest.mark.parametrize(("text", "minutes"), [
    ("2", 120), ("2,5", 150), ("2.5", 150), ("1h30", 90), ("1:30", 90), ("90 min", 90),
    ("1 val. 30 min.", 90), ("1 st. 30 min", 90), ("1ч 30м", 90), ("2 Std.", 120),
    ("0", None), ("-1", None), ("abc", None), ("", None),
])
def test_durations_as_people_type_them(text: str, minutes: int | None) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(("changes", "code"), [
    ({"minutes": 0}, "hours_range"),
    ({"minutes": 24 * 60 + 1}, "hours_range"),
    ({"day": TODAY + timedelta(days=1)}, "day_future"),
    ({"day": date(2025, 8, 31)}, "day_too_old"),  # before the previous school year
    ({"activity": "   "}, "activity_empty"),
    ({"activity": "x" * 301}, "activity_long"),
    ({"organisation_id": 99}, "org_unknown"),
])
async def test_each_rule_refuses_with_its_own_reason(db: Database, changes: dict[str, object],
                                                     code: str) -> None:
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await hours.log_entry(session, entry(**changes), NOW)
    assert refused.value.code == code


async def test_previous_school_year_is_still_accepted(db: Database) -> None:
    async with db.transaction() as session:
        row, new = await hours.log_entry(session, entry(day=date(2025, 9, 1)), NOW)
    assert new
    assert row.status == EntryStatus.PENDING


async def test_a_day_holds_at_most_24_hours(db: Database) -> None:
    async with db.transaction() as session:
        await hours.log_entry(session, entry(minutes=20 * 60, key="a"), NOW)
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await hours.log_entry(session, entry(minutes=5 * 60, key="b"), NOW)
    assert refused.value.code == "day_full"
    assert refused.value.params["logged"] == 20 * 60


async def test_the_same_key_never_makes_a_second_entry(db: Database) -> None:
    async def confirm() -> int:
        async with db.transaction() as session:
            row, _new = await hours.log_entry(session, entry(key="tap"), NOW)
            return row.id

    first, second = await asyncio.gather(confirm(), confirm())
    assert first == second
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(HourEntry)) == 1


async def test_two_organizers_approving_at_once_give_one_final_state(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Membership(organisation_id=1, user_id=5))  # a second organizer
        row, _ = await hours.log_entry(session, entry(), NOW)

    async def approve(organizer: int) -> str:
        try:
            async with db.transaction() as session:
                await hours.decide(session, row.id, organizer_id=organizer, approve=True,
                                   now=NOW)
            return "won"
        except Refusal as refusal:
            return refusal.code

    outcomes = sorted(await asyncio.gather(approve(ORGANIZER), approve(5)))
    assert outcomes == ["already_decided", "won"]
    async with db.transaction() as session:
        events = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.entry_id == row.id))).all()
    assert events == ["entry.logged", "entry.approved"]


async def test_organizers_act_only_on_their_own_organisations(db: Database) -> None:
    async with db.transaction() as session:
        row, _ = await hours.log_entry(session, entry(), NOW)
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await hours.decide(session, row.id, organizer_id=OTHER_ORGANIZER, approve=True)
    assert refused.value.code == "not_your_org"
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await hours.decide(session, row.id, organizer_id=PUPIL, approve=True)
    assert refused.value.code == "not_your_org"


async def test_nobody_approves_their_own_hours(db: Database) -> None:
    async with db.transaction() as session:
        row, _ = await hours.log_entry(session, entry(user_id=ORGANIZER), NOW)
        with pytest.raises(Refusal) as refused:
            await hours.decide(session, row.id, organizer_id=ORGANIZER, approve=True)
    assert refused.value.code == "own_hours"


async def test_rejection_keeps_the_reason_and_frees_the_day(db: Database) -> None:
    async with db.transaction() as session:
        row, _ = await hours.log_entry(session, entry(minutes=24 * 60), NOW)
        decided = await hours.decide(session, row.id, organizer_id=ORGANIZER, approve=False,
                                     reason="Nebuvo renginyje")
        assert (decided.status, decided.reason) == ("rejected", "Nebuvo renginyje")
        _again, new = await hours.log_entry(session, entry(minutes=60, key="k2"), NOW)
        assert new


async def test_totals_by_school_year_and_organisation(db: Database) -> None:
    async with db.transaction() as session:
        a, _ = await hours.log_entry(session, entry(minutes=150, key="a"), NOW)
        await hours.log_entry(session, entry(minutes=60, key="b", organisation_id=2), NOW)
        await hours.log_entry(session, entry(minutes=30, key="c", day=date(2026, 5, 4)), NOW)
        await hours.decide(session, a.id, organizer_id=ORGANIZER, approve=True)
        years = await hours.totals(session, PUPIL)
    assert [(y.first, y.approved, y.pending) for y in years] == [
        (date(2026, 9, 1), 150, 60), (date(2025, 9, 1), 0, 30)]
    assert years[0].by_organisation == {"Utenos gimnazija": [150, 0],
                                        "Gyvūnų prieglauda": [0, 60]}


async def test_check_in_verifies_at_once_and_only_once(db: Database) -> None:
    async with db.transaction() as session:
        code = await checkins.create_checkin(session, 1, actor_id=ORGANIZER, title="Talka",
                                             minutes=180, now=NOW)
    async with db.transaction() as session:
        row, new = await checkins.check_in(session, code.code, PUPIL, NOW + timedelta(hours=1))
        again, new_again = await checkins.check_in(session, code.code, PUPIL, NOW)
    assert (row.status, row.minutes, new, new_again) == ("approved", 180, True, False)
    assert again.id == row.id
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await checkins.check_in(session, code.code, 5, NOW + timedelta(hours=13))
    assert refused.value.code == "code_closed"
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await checkins.create_checkin(session, 1, actor_id=PUPIL, title="x", minutes=60)
    assert refused.value.code == "not_your_org"


async def test_invite_links_make_organizers_once(db: Database) -> None:
    async with db.transaction() as session:
        invite = await orgs.create_invite(session, 2, actor_id=ADMIN, is_admin=True, now=NOW)
    async with db.transaction() as session:
        joined = await orgs.accept_invite(session, invite.token, PUPIL, NOW)
        assert joined.name == "Gyvūnų prieglauda"
        assert await orgs.accept_invite(session, invite.token, PUPIL, NOW)  # again: harmless
        assert (await session.get(User, PUPIL)).role == "organizer"
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await orgs.accept_invite(session, invite.token, 5, NOW)
    assert refused.value.code == "invite_expired"  # single use
    with pytest.raises(Refusal) as refused:
        async with db.transaction() as session:
            await orgs.create_invite(session, 1, actor_id=PUPIL, is_admin=False)
    assert refused.value.code == "not_your_org"


async def test_forget_me_erases_and_keeps_approved_hours_anonymised(db: Database) -> None:
    async with db.transaction() as session:
        ok, _ = await hours.log_entry(session, entry(key="a", note="mano pastaba"), NOW)
        await hours.log_entry(session, entry(key="b", minutes=30), NOW)
        await hours.decide(session, ok.id, organizer_id=ORGANIZER, approve=True)
        data = await privacy.personal_data(session, PUPIL)
    assert data["user"]["id"] == PUPIL
    assert len(data["hour_entries"]) == 2
    async with db.transaction() as session:
        kept = await privacy.forget(session, PUPIL)
    assert kept == 1
    async with db.transaction() as session:
        assert await session.get(User, PUPIL) is None
        rows = (await session.scalars(select(HourEntry))).all()
        assert [(r.user_id, r.note, r.status) for r in rows] == [(None, None, "approved")]
        assert not (await session.scalars(select(AuditEvent).where(
            AuditEvent.actor_id == PUPIL))).all()
        assert (await privacy.personal_data(session, PUPIL)) == {"user": None}
