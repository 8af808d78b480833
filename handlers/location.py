"""A shared location: the nearest upcoming opportunities.

Distance is measured to the opportunity's own coordinates, else to its town's centre from the
bundled gazetteer; online opportunities and ones that have ended are left out.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.clock import utcnow
from bot.context import TakasContext
from bot.i18n import _
from handlers import views

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
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML,
                             disable_web_page_preview=True,
                             reply_markup=views.numbered_details(near))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, location_shared),
]
