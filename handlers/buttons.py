"""Answering button presses that can no longer act.

Every callback query must be answered, or the user's button keeps spinning until Telegram
gives up. A press can arrive with data no flow accepts (an old keyboard, a forged or
truncated client) or on a message Telegram no longer shows to bots (older than 48 hours:
an `InaccessibleMessage`); the handlers then say so instead of returning in silence.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n import _


async def expired(update: Update, text: str | None = None) -> None:
    """Tell the presser that this button no longer works (no-op for other updates)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text or _("This button has expired."),
                                           show_alert=True)
