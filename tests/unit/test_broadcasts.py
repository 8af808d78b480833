"""Broadcasts through the outbox: one row per recipient that refers to the broadcast, rendered
when it is sent in the recipient's language of that moment; a recipient who muted the
organisation meanwhile, or a broadcast cancelled meanwhile, gets nothing. (The whole flow
over the fake Bot API: tests/e2e/test_follow.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.context import TakasApplication
from bot.i18n import I18n, _
from bot.services import broadcasts as rules
from bot.services import follows, orgs
from bot.services.users import SeenUser, set_language, touch_user
from bot.storage.db import Database
from bot.storage.models import Membership, OutboxMessage
from bot.usecases import broadcasts

ADMIN, ORGANIZER, ANNA, BRUNO = 900, 801, 802, 803
NAME = "Kauno kultūros centras"


@pytest.fixture
async def app(make_settings, i18n: I18n) -> AsyncIterator[TakasApplication]:
    """The application's renderers, over a migrated database (nothing runs)."""
    application = build_application(make_settings(bot_token="123:abc", admin_ids=str(ADMIN)),
                                    i18n)
    await application.bot_data.db.migrate()
    yield application
    await application.bot_data.db.close()


async def confirmed(db: Database) -> int:
    """An announcement of the organisation to its two followers, confirmed: its id."""
    async with db.transaction() as session:
        for uid in (ORGANIZER, ANNA, BRUNO):
            await touch_user(session, SeenUser(uid, f"U{uid}", None, "en"), is_admin=False)
        organisation = await orgs.create_organisation(session, NAME, actor_id=ADMIN,
                                                      is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
        for uid in (ANNA, BRUNO):
            await follows.follow(session, uid, "provider", "kauno kulturos centras", NAME)
        draft = await rules.start(session, ORGANIZER, organisation.id, is_admin=False)
        draft.text, draft.audience = "Open day on Saturday <b>at 10</b>!", "followers"
    assert await broadcasts.confirm(db, ORGANIZER, draft.id, progress_chat_id=ORGANIZER,
                                    progress_message_id=1) == 2
    return draft.id


async def test_each_recipient_reads_the_announcement_as_it_is_when_sent(
    app: TakasApplication, i18n: I18n
) -> None:
    db, kinds = app.bot_data.db, app.bot_data.kinds
    broadcast_id = await confirmed(db)
    async with db.transaction() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(
            OutboxMessage.chat_id))).all()
        assert [(r.chat_id, r.kind, r.text, r.broadcast_id) for r in rows] == [
            (ANNA, broadcasts.ANNOUNCEMENT, str(broadcast_id), broadcast_id),
            (BRUNO, broadcasts.ANNOUNCEMENT, str(broadcast_id), broadcast_id)]
        # After it was queued: Anna switches to Lithuanian, Bruno mutes the organisation.
        await set_language(session, ANNA, "lt")
    found = await broadcasts.announcement(db, broadcast_id, BRUNO)
    assert found is not None
    assert await broadcasts.mute(db, BRUNO, found.organisation_id) == NAME

    [part] = await kinds.render(broadcasts.ANNOUNCEMENT, str(broadcast_id), ANNA)
    assert part.text == f"📣 <b>{NAME}</b>\n\nOpen day on Saturday &lt;b&gt;at 10&lt;/b&gt;!"
    assert part.reply_markup is not None
    with i18n.use("lt"):
        mute_label = "🔕 " + _("Mute {organisation}").format(organisation=NAME)
    assert part.reply_markup.inline_keyboard[-1][0].text == mute_label
    assert mute_label != f"🔕 Mute {NAME}"  # really translated
    assert await kinds.render(broadcasts.ANNOUNCEMENT, str(broadcast_id), BRUNO) == []

    # A second press of "Send" queues nothing twice.
    assert await broadcasts.confirm(db, ORGANIZER, broadcast_id, progress_chat_id=ORGANIZER,
                                    progress_message_id=1) == 2
    async with db.transaction() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 2

    # Cancelled: what is still queued is cancelled, and what was claimed renders nothing.
    assert await broadcasts.cancel(db, broadcast_id, ORGANIZER, is_admin=False) == 2
    assert await kinds.render(broadcasts.ANNOUNCEMENT, str(broadcast_id), ANNA) == []
