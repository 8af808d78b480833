"""/profile, /mydata and /forgetme as the use cases do them: the card leaves as a plain
view, a refused value stores nothing, and erasing leaves nothing to export."""

from __future__ import annotations

import pytest

from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import User
from bot.usecases import profile as usecase
from bot.usecases.profile import ProfileView

ONA = 7301


async def test_fields_are_set_and_the_card_is_a_plain_view(db: Database) -> None:
    assert await usecase.profile(db, ONA) is None  # never met
    async with db.transaction() as session:
        session.add(User(id=ONA, first_name="Ona"))
    await usecase.set_field(db, ONA, "school", "  Utenos gimnazija ")
    card = await usecase.set_field(db, ONA, "target", "40")
    assert isinstance(card, ProfileView)
    assert (card.school, card.yearly_target_minutes) == ("Utenos gimnazija", 40 * 60)
    assert await usecase.profile(db, ONA) == card


async def test_a_refused_value_stores_nothing(db: Database) -> None:
    async with db.transaction() as session:
        session.add(User(id=ONA, first_name="Ona", yearly_target_minutes=600))
    with pytest.raises(Refusal) as refused:
        await usecase.set_field(db, ONA, "target", "5000")
    assert refused.value.code == "target_range"
    card = await usecase.profile(db, ONA)
    assert card is not None
    assert card.yearly_target_minutes == 600


async def test_mydata_then_forgetme(db: Database) -> None:
    async with db.transaction() as session:
        session.add(User(id=ONA, first_name="Ona", school="Utenos gimnazija"))
    data = await usecase.personal_data(db, ONA)
    assert data["user"]["school"] == "Utenos gimnazija"
    assert await usecase.forget(db, ONA) == 0  # no approved entries to keep
    assert await usecase.personal_data(db, ONA) == {"user": None}
    assert await usecase.profile(db, ONA) is None
