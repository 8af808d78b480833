"""The sender of every update as the middleware's use case records it: created on first
contact, refreshed after, with what waits for their text read in the same transaction;
and whether someone organizes anything."""

from __future__ import annotations

from bot.services import waiting
from bot.services.users import SeenUser
from bot.services.waiting import Expecting
from bot.storage.db import Database
from bot.storage.models import Membership, Organisation, User
from bot.usecases import people

ONA = 7501


async def test_the_sender_is_recorded_with_what_waits(db: Database) -> None:
    first = await people.seen(db, SeenUser(ONA, "Ona", None, "lt"), is_admin=False,
                              expecting=True)
    assert (first.language, first.telegram_language, first.expecting) == (None, "lt", None)
    async with db.transaction() as session:
        await waiting.expect(session, ONA, "profile", {"field": "school"})
        (await session.get(User, ONA)).language = "de"
    later = await people.seen(db, SeenUser(ONA, "Ona J.", "ona", "lv"), is_admin=False,
                              expecting=True)
    assert (later.language, later.telegram_language) == ("de", "lv")
    assert later.expecting == Expecting("profile", {"field": "school"})
    unasked = await people.seen(db, SeenUser(ONA, "Ona J.", "ona", "lv"), is_admin=False,
                                expecting=False)
    assert unasked.expecting is None
    async with db.transaction() as session:
        user = await session.get(User, ONA)
        assert user is not None
        assert (user.first_name, user.username) == ("Ona J.", "ona")


async def test_organizes(db: Database) -> None:
    await people.seen(db, SeenUser(ONA, "Ona", None, "lt"), is_admin=False, expecting=False)
    assert not await people.organizes(db, ONA)
    async with db.transaction() as session:
        library = Organisation(name="Utenos biblioteka")
        session.add(library)
        await session.flush()
        session.add(Membership(organisation_id=library.id, user_id=ONA))
    assert await people.organizes(db, ONA)
