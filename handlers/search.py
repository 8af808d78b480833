"""Search in chat: any plain text is a query; results page, open details, add to calendar.

Callback data (<= 64 bytes, ids only):
  sp:<query>:<page>          a page of results
  sl:<query>:<0|1>           all languages / only the user's language
  ss:<query>                 run a stored "did you mean" suggestion
  od:<opportunity>:<query>:<page>   details, with a way back to the page
  oc:<opportunity>           the opportunity as an .ics file
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import metrics
from bot.context import TakasContext
from bot.i18n import _, current_language
from bot.services import playlists as playlist_rules
from bot.text import esc, shorten
from catalog import queries
from catalog.ics_export import calendar_file
from catalog.search.engine import SearchResult
from catalog.search.service import to_doc
from handlers import callback_data as cb
from handlers import smalltalk, views, webapp

QUERY_CHARS = 300  # a longer message is searched by its beginning


def _run(context: TakasContext, text: str, only_language: bool) -> SearchResult:
    result = context.bot_data.search.search(text, language=current_language(),
                                            only_language=only_language)
    metrics.observe_search(result.took_ms / 1000)
    return result


def _place_names(context: TakasContext, result: SearchResult) -> list[str]:
    return context.bot_data.search.place_names(result.plan.filters.places)


async def _show(message: Message, context: TakasContext, query_id: int, text: str,
                result: SearchResult, page: int, only_language: bool, *, edit: bool,
                found: list[tuple[int, str]] | None = None) -> None:
    """`found`: the playlists to show, when the caller looked them up already."""
    if not result.hits and not result.relaxed:
        await _show_nothing(message, context, text, result, edit=edit, found=found)
        return
    shown = result.hits or result.relaxed
    page = max(0, min(page, (len(shown) - 1) // views.PAGE))
    if found is None:
        found = await _playlists(context, text, result)
    body = views.results_text(text, result, page, emptied_by=result.emptied_by,
                              place_names=_place_names(context, result), playlists=found)
    keyboard = views.results_keyboard(query_id, result, page, only_language=only_language,
                                      playlists=found)
    keyboard = InlineKeyboardMarkup([*keyboard.inline_keyboard, *webapp.open_rows(
        context, message.chat, search=text)])
    if edit:
        await message.edit_text(body, reply_markup=keyboard)
    else:
        await message.reply_text(body, reply_markup=keyboard)


async def _playlists(context: TakasContext, text: str,
                     result: SearchResult) -> list[tuple[int, str]]:
    """Published learning playlists the query names, or that hold what it found."""
    async with context.db.transaction() as session:
        return await _matching(session, context, text, result)


async def _matching(session: AsyncSession, context: TakasContext, text: str,
                    result: SearchResult) -> list[tuple[int, str]]:
    found = await context.bot_data.search.matching_playlists(session, text, result)
    return [(match.id, playlist_rules.localized(match.titles, current_language(),
                                                match.language)) for match in found]


async def _show_nothing(message: Message, context: TakasContext, text: str,
                        result: SearchResult, *, edit: bool,
                        found: list[tuple[int, str]] | None = None) -> None:
    user_id = message.chat.id
    buttons = []
    async with context.db.transaction() as session:
        for suggestion in result.suggestions:
            stored = await queries.remember(session, user_id, suggestion, current_language())
            buttons.append([InlineKeyboardButton(shorten(suggestion, 60),
                                                 callback_data=cb.Suggestion(query=stored.id).pack())])
        if found is None:
            found = await _matching(session, context, text, result)
    buttons += views.playlist_rows(found)
    body = views.nothing_text(text, list(result.suggestions)) + views.playlists_text(found)
    markup = InlineKeyboardMarkup(buttons) if buttons else None
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
    result = _run(context, text, only_language=False)
    async with context.db.transaction() as session:  # one round of the database
        stored = await queries.remember(session, user.id, text, current_language())
        found = await _matching(session, context, text, result)
    await _show(message, context, stored.id, text, result, 0, False, edit=False, found=found)


async def group_search(message: Message, context: TakasContext, text: str,
                       markup: InlineKeyboardMarkup) -> None:
    """A search someone asked for in a group: the first page of public catalog results, with
    no buttons that act for a person (those live in the private chat `markup` opens)."""
    text = shorten(text, QUERY_CHARS)
    result = _run(context, text, only_language=False)
    if result.hits or result.relaxed:
        body = views.results_text(text, result, 0, emptied_by=result.emptied_by,
                                  place_names=_place_names(context, result))
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
    async with context.db.transaction() as session:
        stored = await queries.recall(session, query_id, query.from_user.id)
        if stored is not None and only is not None:
            stored.only_language = only
    if stored is None:
        await _stale(update)
        return
    await query.answer()
    result = _run(context, stored.text, stored.only_language)
    await _show(query.message, context, stored.id, stored.text, result, page,
                stored.only_language, edit=True)


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
    async with context.db.transaction() as session:
        row = await queries.opportunity(session, opportunity_id)
        stored = await queries.recall(session, query_id, query.from_user.id)
    if row is None:
        await _stale(update)
        return
    await query.answer()
    doc = to_doc(row, "")
    await query.message.edit_text(
        views.details_text(doc, withdrawn=row.withdrawn_at is not None),
        reply_markup=views.details_keyboard(doc, stored.id if stored else None, page),
    )


async def calendar_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None:
        await _stale(update)
        return
    async with context.db.transaction() as session:
        row = await queries.opportunity(session, cb.Calendar.of(update).opportunity)
    if row is None or row.start_at is None:
        await _stale(update)
        return
    await query.answer()
    doc = to_doc(row, "")
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
