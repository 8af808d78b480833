"""Runs first for every update: remembers the sender and activates their language."""

from __future__ import annotations

from telegram import Update

from bot.context import TakasContext
from bot.services.users import SeenUser, touch_user


async def prepare(update: Update, context: TakasContext) -> None:
    """Record the sender (first contact, last seen) and set the update's language."""
    user = update.effective_user
    if user is None or user.is_bot:
        context.i18n.activate(context.i18n.default_language)
        return
    # Telegram's language first: if the database cannot be reached below, the apology is
    # still in the user's language (and not in the previous update's).
    context.i18n.activate(context.i18n.resolve(None, user.language_code))
    seen = SeenUser(user.id, user.first_name, user.username, user.language_code)
    async with context.db.transaction() as session:
        record = await touch_user(session, seen, is_admin=user.id in context.settings.admin_ids)
    context.i18n.activate(context.i18n.resolve(record.language, user.language_code))
