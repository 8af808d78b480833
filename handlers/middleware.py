"""Runs first for every update: ignores what is not for the bot, slows down floods,
remembers the sender and activates their language."""

from __future__ import annotations

import math

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import TakasContext
from bot.flood import Verdict
from bot.i18n import _, ngettext
from bot.services.users import SeenUser
from bot.usecases import people
from handlers import groups


def _counted(update: Update) -> bool:
    """Updates a person makes by typing or tapping; membership changes are not."""
    return bool(update.message or update.edited_message or update.callback_query
                or update.inline_query)


async def prepare(update: Update, context: TakasContext) -> None:
    """Record the sender (first contact, last seen) and set the update's language."""
    if not groups.for_us(update, context):
        raise ApplicationHandlerStop  # group chatter, channel posts: not addressed to us
    user = update.effective_user
    if user is None or user.is_bot:
        context.i18n.activate(context.i18n.default_language)
        return
    flood = context.bot_data.flood
    if _counted(update):
        verdict = flood.check(user.id)
        if verdict is not Verdict.ALLOW:
            # Before touching the database: a flood costs a dictionary look-up per update.
            context.i18n.activate(flood.language(user.id)
                                  or context.i18n.resolve(None, user.language_code))
            await _refuse(update, context, verdict, flood.wait(user.id))
            raise ApplicationHandlerStop
    # Telegram's language first: if the database cannot be reached below, the apology is
    # still in the user's language (and not in the previous update's).
    context.i18n.activate(context.i18n.resolve(None, user.language_code))
    context.user_id = user.id
    # What waits for typed text is read with the sender: the dispatcher routes by it, and a
    # flow that asks again for what it already waits for writes nothing.
    expecting = update.message is not None or update.callback_query is not None
    record = await people.seen(
        context.db, SeenUser(user.id, user.first_name, user.username, user.language_code),
        is_admin=user.id in context.settings.admin_ids, expecting=expecting)
    if expecting:
        context.expecting, context.expecting_known = record.expecting, True
    language = context.i18n.language_of(record)  # Telegram's code as just stored
    context.i18n.activate(language)
    flood.remember_language(user.id, language)


async def _refuse(update: Update, context: TakasContext, verdict: Verdict, wait: float) -> None:
    """Tell the user, once per episode, that they are too fast; answer every button press
    (Telegram shows a spinner until it is answered)."""
    if update.callback_query is not None:
        await update.callback_query.answer(
            _("Too many taps at once. Please wait a few seconds."), show_alert=True)
        return
    message = update.effective_message
    if (verdict is not Verdict.DROP_AND_NOTIFY or message is None
            or message.chat.type != ChatType.PRIVATE):
        # In a group a notice would add to the noise and use up the group's message limit.
        return
    seconds = max(1, math.ceil(wait))
    await context.bot.send_message(message.chat.id, ngettext(
        "You are sending messages faster than I can read them, so I skipped some. "
        "Please wait {seconds} second and send again what you need.",
        "You are sending messages faster than I can read them, so I skipped some. "
        "Please wait {seconds} seconds and send again what you need.",
        seconds).format(seconds=seconds))
