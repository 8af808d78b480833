"""Search in chat: any plain text is a query; results page, open details, add to calendar.

Callback data (<= 64 bytes, ids only):
  sp:<query>:<page>          a page of results
  sl:<query>:<0|1>           all languages / only the user's language
  ss:<query>                 run a stored "did you mean" suggestion
  od:<opportunity>:<query>:<page>   details, with a way back to the page
  oc:<opportunity>           the opportunity as an .ics file
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import TakasContext
from bot.i18n import _, current_language
from bot.text import esc, shorten
from bot.usecases import search as usecase
from catalog.ics_export import calendar_file
from handlers import callback_data as cb
from handlers import smalltalk, views, webapp

QUERY_CHARS = 300  # a longer message is searched by its beginning


async def _show(message: Message, context: TakasContext, shown: usecase.Results, page: int,
                *, edit: bool) -> None:
    """Page `page` of the results (or what to try when nothing matched), as a new message
    or in place of the one whose button was pressed."""
    found, result = shown.found, shown.found.result
    if found.any:
        hits = result.hits or result.relaxed
        page = max(0, min(page, (len(hits) - 1) // views.PAGE))
        body = views.results_text(shown.text, result, page, emptied_by=result.emptied_by,
                                  place_names=list(found.place_names),
                                  playlists=shown.playlists)
        keyboard = views.results_keyboard(shown.query, result, page,
                                          only_language=shown.only_language,
                                          playlists=shown.playlists)
        markup: InlineKeyboardMarkup | None = InlineKeyboardMarkup([
            *keyboard.inline_keyboard,
            *webapp.open_rows(context, message.chat, search=shown.text)])
    else:
        rows = [[InlineKeyboardButton(shorten(text, 60),
                                      callback_data=cb.Suggestion(query=query_id).pack())]
                for query_id, text in shown.suggestions]
        rows += views.playlist_rows(shown.playlists)
        body = (views.nothing_text(shown.text, list(result.suggestions))
                + views.playlists_text(shown.playlists))
        markup = InlineKeyboardMarkup(rows) if rows else None
    if edit:
        await message.edit_text(body, reply_markup=markup)
    else:
        await message.reply_text(body, reply_markup=markup)


async def text_search(update: Update, context: TakasContext) -> None:
    """A plain text message in a private chat: search for it."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return
    text = shorten(message.text, QUERY_CHARS)
    if await smalltalk.answer(message, context, user.id, text):  # "hi", "thanks": no search
        return
    shown = await usecase.search(context.db, context.bot_data.search, user.id, text,
                                 current_language())
    await _show(message, context, shown, 0, edit=False)


async def group_search(message: Message, context: TakasContext, text: str,
                       markup: InlineKeyboardMarkup) -> None:
    """A search someone asked for in a group: the first page of public catalog results, with
    no buttons that act for a person (those live in the private chat `markup` opens)."""
    text = shorten(text, QUERY_CHARS)
    found = usecase.find(context.bot_data.search, text, current_language())
    result = found.result
    if found.any:
        body = views.results_text(text, result, 0, emptied_by=result.emptied_by,
                                  place_names=list(found.place_names))
    else:
        body = views.nothing_text(text, list(result.suggestions))
    await message.reply_text(body, reply_markup=markup)


async def _stale(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(
            _("This button has expired; send your search again."), show_alert=True)


async def _rerun(update: Update, context: TakasContext, query_id: int, *,
                 page: int = 0, only: bool | None = None) -> None:
    """Show page `page` of the stored query again (with a new scope if `only`)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await _stale(update)
        return
    shown = await usecase.again(context.db, context.bot_data.search, query.from_user.id,
                                query_id, current_language(), only_language=only)
    if shown is None:
        await _stale(update)
        return
    await query.answer()
    await _show(query.message, context, shown, page, edit=True)


async def page_pressed(update: Update, context: TakasContext) -> None:
    data = cb.SearchPage.of(update)
    await _rerun(update, context, data.query, page=data.page)


async def scope_pressed(update: Update, context: TakasContext) -> None:
    data = cb.SearchScope.of(update)
    await _rerun(update, context, data.query, only=data.only_language)


async def suggestion_pressed(update: Update, context: TakasContext) -> None:
    await _rerun(update, context, cb.Suggestion.of(update).query)


async def details_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await _stale(update)
        return
    data = cb.Details.of(update)
    opportunity_id, query_id, page = data.opportunity, data.query, data.page
    shown = await usecase.details(context.db, opportunity_id, query_id, query.from_user.id)
    if shown is None:
        await _stale(update)
        return
    await query.answer()
    await query.message.edit_text(
        views.details_text(shown.doc, withdrawn=shown.withdrawn),
        reply_markup=views.details_keyboard(shown.doc, shown.query, page),
    )


async def calendar_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None:
        await _stale(update)
        return
    doc = await usecase.calendar(context.db, cb.Calendar.of(update).opportunity)
    if doc is None:
        await _stale(update)
        return
    await query.answer()
    name = "".join(ch if ch.isalnum() else "-" for ch in doc.title[:40]).strip("-") or "takas"
    await context.bot.send_document(
        query.from_user.id, InputFile(calendar_file(doc), filename=f"{name}.ics"),
        caption=_("Open the file to add «{title}» to your calendar.").format(
            title=esc(shorten(doc.title, 200))),
    )


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CallbackQueryHandler(page_pressed, pattern=cb.SearchPage.pattern),
    CallbackQueryHandler(scope_pressed, pattern=cb.SearchScope.pattern),
    CallbackQueryHandler(suggestion_pressed, pattern=cb.Suggestion.pattern),
    CallbackQueryHandler(details_pressed, pattern=cb.Details.pattern),
    CallbackQueryHandler(calendar_pressed, pattern=cb.Calendar.pattern),
]

# Registered after every command flow (see handlers/__init__.py): plain text is a search.
TEXT_HANDLER = MessageHandler(
    filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, text_search
)
