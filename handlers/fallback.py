"""Last in line: polite answers to unknown commands, to messages and to button presses
nothing else took."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import TakasContext
from bot.i18n import _
from bot.text import esc, shorten
from handlers.buttons import expired


async def unknown_command(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = shorten(message.text.split(maxsplit=1)[0], 64)
    await message.reply_text(
        _("I don't know the command {command}. /help lists what I can do.").format(
            command=f"<code>{esc(command)}</code>"
        ),
    )


async def not_understood(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.text:
        text = _("I did not understand «{text}». /help lists what I can do.").format(
            text=esc(shorten(message.text, 200))
        )
    else:
        text = _("I read text messages and commands. /help lists what I can do.")
    await message.reply_text(text)


async def unknown_button(update: Update, context: TakasContext) -> None:
    """A press whose data no flow claims: an old keyboard from an earlier version, or a
    forged client. Answered anyway, or the user's button spins until Telegram gives up."""
    await expired(update)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command),
    MessageHandler(
        filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, not_understood
    ),
    CallbackQueryHandler(unknown_button),
]
