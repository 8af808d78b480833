"""/org and /checkin as use cases over a real database: administrators create
organisations, organizers (and administrators) invite and set targets for their own, the
list is one's own (everything for administrators), and a check-in code is opened for the
organizer's first organisation; every rule's no is a refusal that changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import utcnow
from bot.storage.db import Database
from bot.storage.models import Invite, Membership, Organisation, User
from bot.usecases import checkins
from bot.usecases import organisations as usecase
from tests.unit.refusing import refused

ADMIN, ORGANIZER, STRANGER = 7201, 7202, 7203


async def world(db: Database) -> tuple[int, int]:
    async with db.transaction() as session:
        session.add_all([User(id=uid, first_name=str(uid)) for uid in (ADMIN, ORGANIZER,
                                                                        STRANGER)])
    utena = await usecase.create(db, ADMIN, "  Utenos   biblioteka ", is_admin=True)
    kaunas = await usecase.create(db, ADMIN, "Kauno mokykla", is_admin=True)
    async with db.transaction() as session:
        session.add(Membership(organisation_id=utena.id, user_id=ORGANIZER))
    return utena.id, kaunas.id


async def test_organisations_are_created_by_administrators_once(db: Database) -> None:
    utena, _kaunas = await world(db)
    await refused("admins_only", usecase.create(db, ORGANIZER, "Nauja", is_admin=False))
    await refused("org_exists", usecase.create(db, ADMIN, "Utenos biblioteka", is_admin=True))
    assert [o.name for o in await usecase.mine(db, ADMIN, is_admin=True)] == [
        "Kauno mokykla", "Utenos biblioteka"]
    assert [(o.id, o.name) for o in await usecase.mine(db, ORGANIZER, is_admin=False)] == [
        (utena, "Utenos biblioteka")]
    assert await usecase.mine(db, STRANGER, is_admin=False) == ()


async def test_invitations_by_name_or_id_for_ones_own_organisation(db: Database) -> None:
    utena, kaunas = await world(db)
    one = await usecase.invite(db, ORGANIZER, "Utenos biblioteka", is_admin=False, many=False)
    several = await usecase.invite(db, ADMIN, str(kaunas), is_admin=True, many=True)
    assert (one.organisation, several.organisation) == ("Utenos biblioteka", "Kauno mokykla")
    await refused("not_your_org", usecase.invite(db, ORGANIZER, "Kauno mokykla",
                                                 is_admin=False, many=False))
    await refused("org_unknown", usecase.invite(db, ADMIN, "Niekur", is_admin=True,
                                                many=False))
    async with db.transaction() as session:
        made = {i.token: (i.organisation_id, i.single_use)
                for i in (await session.scalars(select(Invite))).all()}
    assert made == {one.token: (utena, True), several.token: (kaunas, False)}
    assert await checkins.accept_invite(db, several.token, STRANGER) == "Kauno mokykla"


async def test_a_target_needs_a_known_organisation_and_a_sensible_number(
        db: Database) -> None:
    utena, _kaunas = await world(db)
    await refused("org_unknown", usecase.set_target(db, ORGANIZER, "Niekur", 600,
                                                    is_admin=False))
    await refused("target_range", usecase.set_target(db, ORGANIZER, "Utenos biblioteka",
                                                     None, is_admin=False))
    await refused("not_your_org", usecase.set_target(db, ORGANIZER, "Kauno mokykla", 600,
                                                     is_admin=False))
    assert await usecase.set_target(db, ORGANIZER, str(utena), 40 * 60,
                                    is_admin=False) == "Utenos biblioteka"
    async with db.transaction() as session:
        organisation = await session.get(Organisation, utena)
        assert organisation is not None
        assert organisation.yearly_target_minutes == 40 * 60


async def test_a_checkin_code_is_for_the_organizers_first_organisation(db: Database) -> None:
    await world(db)
    await refused("not_your_org", checkins.open_checkin(db, STRANGER, "Talka", 120))
    await refused("hours_range", checkins.open_checkin(db, ORGANIZER, "Talka", 13 * 60))
    code = await checkins.open_checkin(db, ORGANIZER, "  Talka   parke ", 120)
    assert (code.title, code.minutes, code.organisation) == ("Talka parke", 120,
                                                             "Utenos biblioteka")
    assert code.ends_at > utcnow()
    checked = await checkins.check_in(db, code.code, STRANGER)
    assert (checked.minutes, checked.activity, checked.new) == (120, "Talka parke", True)
    again = await checkins.check_in(db, code.code, STRANGER)
    assert not again.new
