"""/language as the use case stores it: the choice wins over Telegram's language from then
on, for the person who chose only."""

from __future__ import annotations

from bot.i18n import I18n
from bot.storage.db import Database
from bot.storage.models import User
from bot.usecases import language as usecase

ONA, JONAS = 7201, 7202


async def test_the_choice_is_stored_for_the_chooser_only(db: Database, i18n: I18n) -> None:
    async with db.transaction() as session:
        session.add_all([User(id=ONA, first_name="Ona", telegram_language="lt"),
                         User(id=JONAS, first_name="Jonas", telegram_language="lt")])
    await usecase.choose(db, ONA, "de")
    async with db.transaction() as session:
        ona, jonas = await session.get(User, ONA), await session.get(User, JONAS)
        assert (i18n.language_of(ona), i18n.language_of(jonas)) == ("de", "lt")
