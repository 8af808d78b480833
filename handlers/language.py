"""/language: choose the bot's language with buttons showing native names."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.i18n import _, current_language
from bot.language_names import in_language
from bot.languages import FLAGS, NATIVE_NAMES
from bot.text import esc
from bot.usecases import language as usecase
from handlers import callback_data as cb
from handlers.buttons import expired


def keyboard(languages: tuple[str, ...], current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"{'✓ ' if code == current else ''}{FLAGS[code]} {NATIVE_NAMES[code]}",
            callback_data=cb.Language(code=code).pack(),
        )
        for code in languages
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def choose(update: Update, context: TakasContext) -> None:
    """Show the language keyboard."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        _("Choose the language I should speak:"),
        reply_markup=keyboard(context.i18n.languages, current_language()),
    )


async def chosen(update: Update, context: TakasContext) -> None:
    """Store the pressed language and confirm in it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        await expired(update)
        return
    code = cb.Language.of(update).code
    if code not in context.i18n.languages:  # an old keyboard: a catalog this one lacks
        await query.answer(_("This language is not available."), show_alert=True)
        return
    await usecase.choose(context.db, user.id, code)
    context.i18n.activate(code)
    await query.answer()
    # TRANSLATORS: {in_language} is e.g. "in English", in bold (lt "lietuviškai").
    text = _("Done: from now on I write {in_language}.").format(
        in_language=f"<b>{esc(in_language(code))}</b>"
    )
    if query.message is not None and query.message.is_accessible:
        await query.edit_message_text(text)
    else:
        await context.bot.send_message(user.id, text)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("language", choose),
    CallbackQueryHandler(chosen, pattern=cb.Language.pattern),
]
