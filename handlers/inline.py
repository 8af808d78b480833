"""Inline mode: `@bot query` in any chat offers results as articles to share."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.context import TakasContext
from bot.i18n import current_language
from bot.text import shorten
from catalog.search.intents import detect
from handlers import views

INLINE_RESULTS = 10


async def inline_query(update: Update, context: TakasContext) -> None:
    query = update.inline_query
    if query is None:
        return
    text = shorten(query.query, 200)
    # A bare greeting is not a search: offer nothing rather than whatever "hi" matches.
    hits = context.bot_data.search.search(text, language=current_language()).hits if \
        text.strip() and detect(text) is None else ()
    articles = []
    for hit in hits[:INLINE_RESULTS]:
        doc = hit.doc
        markup = (InlineKeyboardMarkup([[InlineKeyboardButton(views.more_label(), url=doc.url)]])
                  if doc.url else None)
        articles.append(InlineQueryResultArticle(
            id=str(doc.id),
            title=shorten(doc.title, 100),
            description=shorten(" · ".join(p for p in (doc.provider or "", views.place(doc))
                                           if p), 100),
            input_message_content=InputTextMessageContent(
                views.card(0, doc).replace("<b>0. ", "<b>", 1)),
            reply_markup=markup,
        ))
    await query.answer(articles, cache_time=60, is_personal=False)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [InlineQueryHandler(inline_query)]
