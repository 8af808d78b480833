"""The central error handler: log with the update id, tell the user in their language.

A `Refusal` (a rule said no) is not a failure: it is answered here, so handlers simply let
it rise: for a pressed button as an alert, for a message as a reply in the chat, in the
user's language (`handlers/refusals.explain`). A handler catches a refusal only when it
answers differently (keeps a keyboard, edits its own message).

One failure gets one answer: after telling the user, the update's remaining handler groups
are skipped (`ApplicationHandlerStop`), or a failing middleware would be followed by a
failing flow, a failing search and an apology from each.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.context import TakasContext
from bot.i18n import _
from bot.services.errors import Refusal, unavailable
from handlers.refusals import explain

log = logging.getLogger(__name__)


async def on_error(update: object, context: TakasContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Refusal) and isinstance(update, Update):
        # A job's refusal has nobody to tell: it is logged below as the failure it is.
        log.debug("update %s: refused: %s", update_id, error.code)
        await refuse(update, error)
        raise ApplicationHandlerStop
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        # A double tap re-rendered the same page: the user already sees what they asked for.
        log.debug("update %s: message not modified", update_id)
        return
    if isinstance(error, Forbidden | RetryAfter | TimedOut | NetworkError):
        # Transport trouble: telling the user would fail the same way.
        log.warning("update %s: %s: %s", update_id, type(error).__name__, error)
        return
    if unavailable(error):
        # Down, restarting or out of space: nothing to fix in the request; it will work
        # again. What was confirmed before is stored; what failed was not half-done
        # (the unit of work rolled back).
        log.warning("update %s: the database is unavailable: %s", update_id, error)
        await tell(update, _("My records are out of reach for a moment, so I could not do "
                             "that. Please try again in a few minutes."))
        raise ApplicationHandlerStop
    log.error("update %s failed", update_id, exc_info=error)
    await tell(update, _("Sorry, something went wrong on my side. Please try again in a "
                         "moment."))
    raise ApplicationHandlerStop


async def refuse(update: object, refusal: Refusal) -> None:
    """A rule's no: an alert on the pressed button, else a reply to the message."""
    if not isinstance(update, Update):
        return
    text = explain(refusal)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except Exception:  # best effort, as the apology below
        log.warning("update %s: could not answer the refusal", update.update_id,
                    exc_info=True)


async def tell(update: object, text: str) -> None:
    """The apology: as the answer to a pressed button, else as a message in the chat."""
    if not isinstance(update, Update):
        return
    update_id = update.update_id
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_chat is not None:
            await update.get_bot().send_message(update.effective_chat.id, text)
    except Exception:  # the error reply is best effort; the cause is already logged
        log.warning("update %s: could not send the error reply", update_id, exc_info=True)
