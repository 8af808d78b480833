"""The central error handler: log with the update id, tell the user in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import TakasContext
from bot.i18n import _

log = logging.getLogger(__name__)


async def on_error(update: object, context: TakasContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        # A double tap re-rendered the same page: the user already sees what they asked for.
        log.debug("update %s: message not modified", update_id)
        return
    if isinstance(error, Forbidden | RetryAfter | TimedOut | NetworkError):
        # Transport trouble: telling the user would fail the same way.
        log.warning("update %s: %s: %s", update_id, type(error).__name__, error)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            _("Sorry, something went wrong on my side. Please try again in a moment."),
        )
    except Exception:  # the error reply is best effort; the cause is already logged
        log.warning("update %s: could not send the error reply", update_id, exc_info=True)
