"""A shared location: the nearest upcoming opportunities; and the "near me" button (under a
target reminder) that asks for the location with Telegram's own button.

Distance is measured to the opportunity's own coordinates, else to its town's centre from the
bundled gazetteer; online opportunities and ones that have ended are left out.
"""

from __future__ import annotations

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.clock import utcnow
from bot.context import TakasContext
from bot.i18n import _
from handlers import callback_data as cb
from handlers import views
from handlers.buttons import expired

NEAREST = 5


async def location_shared(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None or message.location is None:
        return
    near = context.bot_data.search.nearest(message.location.latitude,
                                           message.location.longitude, utcnow(), NEAREST)
    if not near:
        await message.reply_text(_("I found nothing upcoming near you yet."))
        return
    lines = [_("<b>Nearest to you</b>")]
    for number, (km, doc) in enumerate(near, start=1):
        lines.append("")
        lines.append(views.card(number, doc, km=km))
    await message.reply_text("\n".join(lines),
                             reply_markup=views.numbered_details(near))


async def near_pressed(update: Update, context: TakasContext) -> None:
    """"Activities near me": ask for the location (the reply keyboard's button shares it)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await query.answer()
    await query.message.reply_text(
        _("Share your location with the button below and I will show the activities nearest "
          "to you."),
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton(_("📍 Share my location"), request_location=True)]],
            resize_keyboard=True, one_time_keyboard=True))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, location_shared),
    CallbackQueryHandler(near_pressed, pattern=cb.NearMe.pattern),
]
