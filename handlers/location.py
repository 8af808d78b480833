"""A shared location: the nearest upcoming opportunities.

Distance is measured to the opportunity's own coordinates, else to its town's centre from the
bundled gazetteer; online opportunities and ones that have ended are left out.
"""

from __future__ import annotations

import math
from datetime import datetime

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import TakasContext
from bot.i18n import _
from bot.storage.models import utcnow
from catalog.search.index import Index, SearchDoc
from handlers import views

NEAREST = 5
EARTH_KM = 6371.0


def kilometres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def nearest(index: Index, latitude: float, longitude: float, now: datetime,
            limit: int = NEAREST) -> list[tuple[float, SearchDoc]]:
    found = []
    for number, doc in enumerate(index.docs):
        if doc.online:
            continue
        ends = doc.end or doc.start
        if ends is not None and ends < now:
            continue
        lat, lon = doc.latitude, doc.longitude
        if lat is None or lon is None:
            place = index.place[number]
            if place is None:
                continue
            town = index.lexicon.places[place]
            lat, lon = town.latitude, town.longitude
        found.append((kilometres(latitude, longitude, lat, lon), doc))
    # Nearest first; among equally near, the one that starts sooner.
    found.sort(key=lambda pair: (round(pair[0], 1), pair[1].start or now, pair[1].id))
    return found[:limit]


async def location_shared(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None or message.location is None:
        return
    near = nearest(context.bot_data.search.index, message.location.latitude,
                   message.location.longitude, utcnow())
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
