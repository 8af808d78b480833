"""Learning playlists in chat: organizers build them with /playlist; learners open them by
link (t.me/<bot>?start=pl_<id>) or from search results, join them and follow their progress
with /playlists.

What the editor waits for (a typed title, description, own activity or catalog search) is
kept in the database (bot.services.playlists), so a restart loses nothing; every step has
Cancel; buttons carry ids and set states, so a double tap changes nothing twice. The work
is done by bot/usecases/playlists.py, one use case per update.

Callback data (one class per action in handlers/callback_data.py), for organizers: pl:n
(new), pl:no:<org> (new, for that organisation), pl:e:<playlist> (editor),
pl:ac:<playlist> (add from the catalog), pl:ao:<playlist>:<opp> (add that opportunity),
pl:aa:<playlist> (add an own activity), pl:t:<item>:<0|1> (optional/required),
pl:u:<item> (move up), pl:rm:<item> (remove), pl:l:<playlist> (languages),
pl:lg:<playlist>:<lang> (write in that language), pl:p:<playlist>:<0|1>
(unpublish/publish), pl:s:<playlist> (share link), pl:c:<playlist> (check-in: pick an
activity), pl:ci:<item> (pick hours), pl:ch:<item>:<minutes> (open the code), pl:m (my
playlists), pl:x (close).
Learners: pl:v:<playlist> (open), pl:j:<playlist> (join), pl:pg:<page> (/playlists page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import hours
from bot.i18n import _, current_language, ngettext
from bot.language_names import in_language, language_name
from bot.languages import NATIVE_NAMES, SUPPORTED_LANGUAGES
from bot.services.errors import Refusal
from bot.text import esc, shorten
from bot.usecases import playlists as usecase
from bot.usecases.playlists import (
    CHECKIN_MINUTES,
    Editor,
    LearnerPage,
    ProgressView,
    Question,
    Typed,
)
from handlers import callback_data as cb
from handlers import deep_links as links
from handlers import waiting
from handlers.buttons import expired
from handlers.organisations import checkin_text
from handlers.refusals import explain

PER_PAGE = 8
Rows = list[list[InlineKeyboardButton]]


async def reply(message: Message, text: str, rows: Rows | None = None, *,
                edit: bool = False) -> None:
    markup = InlineKeyboardMarkup(rows) if rows else None
    if edit:
        try:
            await message.edit_text(text, reply_markup=markup)
        except BadRequest as error:  # a double tap shows what is already there
            if "not modified" not in str(error):
                raise
    else:
        await message.reply_text(text, reply_markup=markup)


def cancel_row(playlist_id: int | None) -> list[InlineKeyboardButton]:
    """Back to the editor (or, before the playlist exists, close)."""
    data = (cb.PlaylistEdit(playlist=playlist_id) if playlist_id else cb.PlaylistClose()).pack()
    return [InlineKeyboardButton(_("✖ Cancel"), callback_data=data)]


# --- organizers -------------------------------------------------------------------------

async def playlist_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await show_mine(message, context, user.id)


async def show_mine(message: Message, context: TakasContext, user_id: int, *,
                    edit: bool = False) -> None:
    try:
        mine = await usecase.mine(context.db, user_id)
    except Refusal as refusal:  # in place of the list (a button edits it)
        await reply(message, explain(refusal), edit=edit)
        return
    await waiting.clear(context, "playlist")
    lines = [_("<b>Your learning playlists</b>")]
    if not mine:
        lines.append(_("None yet. A playlist lists catalog opportunities and your own "
                       "activities in order; learners join it and see their progress."))
    language = current_language()
    rows = [[InlineKeyboardButton(("✅ " if p.published else "📝 ") +
                                  shorten(p.title(language), 50),
                                  callback_data=cb.PlaylistEdit(playlist=p.id).pack())]
            for p in mine[:30]]
    rows.append([InlineKeyboardButton(_("➕ New playlist"),
                                      callback_data=cb.PlaylistNew().pack())])
    await reply(message, "\n".join(lines), rows, edit=edit)


def editor_text(editor: Editor) -> str:
    playlist, items, language = editor.playlist, editor.items, current_language()
    status = (_("Published: learners find it in search results and by its link.")
              if playlist.published else _("Draft: only organizers see it."))
    lines = [f"📚 <b>{esc(playlist.title(language))}</b>"]
    if editor.organisation is not None:
        lines.append(esc(editor.organisation))
    description = playlist.description(language)
    if description:
        lines.append(esc(shorten(description, 600)))
    lines += ["", status, _("Languages: {languages}").format(languages=esc(", ".join(
        language_name(code) for code in playlist.titles))), ""]
    if not items:
        lines.append(_("No activities yet: add them from the catalog or write your own."))
    for item in items:
        mark = "★" if item.required else "☆"
        kind = "🔎" if item.opportunity_id is not None else "✍"
        lines.append(f"{item.position}. {mark} {kind} {esc(shorten(item.title, 100))}")
    if items:
        lines += ["", _("★ required · ☆ optional · 🔎 from the catalog · ✍ own activity")]
    return "\n".join(lines)


def editor_rows(editor: Editor) -> Rows:
    playlist, pid = editor.playlist, editor.playlist.id
    rows: Rows = [[
        InlineKeyboardButton(f"{item.position}. " + ("★" if item.required else "☆"),
                             callback_data=cb.PlaylistItemRequired(
                                 item=item.id, required=not item.required).pack()),
        InlineKeyboardButton("⬆", callback_data=cb.PlaylistItemUp(item=item.id).pack()),
        InlineKeyboardButton("🗑", callback_data=cb.PlaylistItemRemove(item=item.id).pack()),
    ] for item in editor.items]
    rows += [
        [InlineKeyboardButton(_("➕ From the catalog"),
                              callback_data=cb.PlaylistFromCatalog(playlist=pid).pack()),
         InlineKeyboardButton(_("➕ Own activity"),
                              callback_data=cb.PlaylistOwnActivity(playlist=pid).pack())],
        [InlineKeyboardButton(_("🌐 Languages"),
                              callback_data=cb.PlaylistLanguages(playlist=pid).pack()),
         InlineKeyboardButton(_("📍 Check-in code"),
                              callback_data=cb.PlaylistCheckin(playlist=pid).pack())],
        [InlineKeyboardButton(_("Unpublish") if playlist.published else _("✅ Publish"),
                              callback_data=cb.PlaylistPublish(
                                  playlist=pid, published=not playlist.published).pack()),
         InlineKeyboardButton(_("🔗 Link"), callback_data=cb.PlaylistShare(playlist=pid).pack())],
        [InlineKeyboardButton(_("« My playlists"), callback_data=cb.PlaylistMine().pack()),
         InlineKeyboardButton(_("✖ Close"), callback_data=cb.PlaylistClose().pack())],
    ]
    return rows


async def show_editor(message: Message, editor: Editor | None, *, edit: bool = True) -> None:
    """The editor as the use case read it (None: nothing changed, nothing to show)."""
    if editor is not None:
        await reply(message, editor_text(editor), editor_rows(editor), edit=edit)


def question(awaiting: str, language: str, playlist_id: int | None) -> tuple[str, Rows]:
    """What the editor asks for a typed answer, with Cancel (and Skip for a description)."""
    questions = {
        # TRANSLATORS: {in_language} is e.g. "in Lithuanian" (lt "lietuviškai").
        "title": _("Write the playlist's title {in_language}."),
        "description": _("Write a short description {in_language}: what learners gain and "
                         "for whom it is."),
        "activity": _("Write the name of your own activity, e.g. «Volunteering day at the "
                      "library»."),
        "search": _("Write words to find the opportunity in the catalog."),
    }
    rows = [cancel_row(playlist_id)]
    if awaiting == "description" and playlist_id:
        rows.insert(0, [InlineKeyboardButton(_("Skip"), callback_data=cb.PlaylistEdit(
            playlist=playlist_id).pack())])
    return questions[awaiting].format(in_language=esc(in_language(language))), rows


async def ask(message: Message, context: TakasContext, asked: Question) -> None:
    """The editor's question; the user's next typed message is its answer."""
    await waiting.expect(context, "playlist")
    text, rows = question(asked.awaiting, asked.language, asked.playlist_id)
    await reply(message, text, rows, edit=True)


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """A typed answer while the editor waits for one; otherwise not ours (a refusal rises
    to the central handler: handled, not a search)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    typed = await usecase.take_text(context.db, context.bot_data.search, user.id,
                                    message.text, update.update_id, current_language())
    if typed is None:
        return False  # nothing waits for text: let the search have it
    if typed.question is not None:
        asked = typed.question
        text, rows = question(asked.awaiting, asked.language, asked.playlist_id)
        await reply(message, text, rows)
    elif typed.editor is not None:
        await show_editor(message, typed.editor, edit=False)
    else:
        await offer_opportunities(message, typed)
    return True  # handled: not a search


async def offer_opportunities(message: Message, typed: Typed) -> None:
    rows = [[InlineKeyboardButton(
        shorten(" · ".join(p for p in (offer.title, offer.city) if p), 60),
        callback_data=cb.PlaylistAddOpportunity(playlist=typed.playlist_id,
                                                opportunity=offer.id).pack())]
        for offer in typed.offers]
    rows.append(cancel_row(typed.playlist_id))
    text = (_("Which one should be added? Or write other words.") if typed.offers else
            _("Nothing found for «{query}». Write other words.").format(
                query=esc(shorten(typed.query, 80))))
    await reply(message, text, rows)


Pressed = Callable[[Message, TakasContext, int, Any], Awaitable[None]]


def button(data: type[cb.CallbackData], act: Pressed, *,
           answer_first: bool = False) -> CallbackQueryHandler[TakasContext, None]:
    """One action's handler: parse its data strictly, act on the message the button is
    under, answer the press (before acting when the action may take a moment to show)."""
    async def pressed(update: Update, context: TakasContext) -> None:
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            await expired(update)
            return
        if answer_first:
            await query.answer()
        await act(query.message, context, query.from_user.id, data.of(update))
        if not answer_first:
            await query.answer()

    return CallbackQueryHandler(pressed, pattern=data.pattern)


async def new_pressed(message: Message, context: TakasContext, user_id: int,
                      data: cb.PlaylistNew | cb.PlaylistNewFor) -> None:
    organisation = data.organisation if isinstance(data, cb.PlaylistNewFor) else None
    new = await usecase.new_playlist(context.db, user_id, organisation, current_language())
    if new.question is not None:
        await ask(message, context, new.question)
        return
    rows = [[InlineKeyboardButton(shorten(o.name, 50), callback_data=cb.PlaylistNewFor(
        organisation=o.id).pack())] for o in new.choices[:20]]
    rows.append(cancel_row(None))
    await reply(message, _("For which organisation?"), rows, edit=True)


async def edit_pressed(message: Message, context: TakasContext, user_id: int,
                       data: cb.PlaylistEdit) -> None:
    await show_editor(message, await usecase.editor(context.db, user_id, data.playlist,
                                                    current_language()))


async def catalog_pressed(message: Message, context: TakasContext, user_id: int,
                          data: cb.PlaylistFromCatalog) -> None:
    await ask(message, context, await usecase.ask(context.db, user_id, data.playlist,
                                                  "search", current_language()))


async def own_pressed(message: Message, context: TakasContext, user_id: int,
                      data: cb.PlaylistOwnActivity) -> None:
    await ask(message, context, await usecase.ask(context.db, user_id, data.playlist,
                                                  "activity", current_language()))


async def write_in_pressed(message: Message, context: TakasContext, user_id: int,
                           data: cb.PlaylistWriteIn) -> None:
    await ask(message, context, await usecase.ask(context.db, user_id, data.playlist,
                                                  "title", data.language))


async def add_pressed(message: Message, context: TakasContext, user_id: int,
                      data: cb.PlaylistAddOpportunity) -> None:
    await show_editor(message, await usecase.add_opportunity(
        context.db, context.bot_data.search, user_id, data.playlist, data.opportunity,
        current_language()))


async def required_pressed(message: Message, context: TakasContext, user_id: int,
                           data: cb.PlaylistItemRequired) -> None:
    await show_editor(message, await usecase.set_required(context.db, user_id, data.item,
                                                          data.required, current_language()))


async def up_pressed(message: Message, context: TakasContext, user_id: int,
                     data: cb.PlaylistItemUp) -> None:
    await show_editor(message, await usecase.move_up(context.db, user_id, data.item,
                                                     current_language()))


async def remove_pressed(message: Message, context: TakasContext, user_id: int,
                         data: cb.PlaylistItemRemove) -> None:
    await show_editor(message, await usecase.remove(context.db, user_id, data.item,
                                                    current_language()))


async def publish_pressed(message: Message, context: TakasContext, user_id: int,
                          data: cb.PlaylistPublish) -> None:
    await show_editor(message, await usecase.publish(context.db, user_id, data.playlist,
                                                     data.published, current_language()))


async def languages_pressed(message: Message, context: TakasContext, user_id: int,
                            data: cb.PlaylistLanguages) -> None:
    playlist = await usecase.playlist(context.db, user_id, data.playlist)
    # The buttons offer each language by its own name, as the /language keyboard does.
    rows = [[InlineKeyboardButton(("✓ " if code in playlist.titles else "") +
                                  NATIVE_NAMES[code],
                                  callback_data=cb.PlaylistWriteIn(
                                      playlist=playlist.id,
                                      language=cast(cb.LanguageCode, code)).pack())]
            for code in SUPPORTED_LANGUAGES]
    rows.append(cancel_row(playlist.id))
    await reply(message, _("In which language do you want to write the title and "
                           "description? Learners read the playlist in their language, or "
                           "else {in_language}.").format(
        in_language=esc(in_language(playlist.language))), rows, edit=True)


async def checkin_pressed(message: Message, context: TakasContext, user_id: int,
                          data: cb.PlaylistCheckin) -> None:
    own = await usecase.own_activities(context.db, user_id, data.playlist)
    rows = [[InlineKeyboardButton(f"{item.position}. {shorten(item.title, 50)}",
                                  callback_data=cb.PlaylistCheckinHours(item=item.id).pack())]
            for item in own]
    rows.append(cancel_row(data.playlist))
    text = (_("For which activity? Learners who open the code get its hours verified, and "
              "the activity counts in their playlist.") if own else
            _("Check-in codes are for your own activities; this playlist has none yet."))
    await reply(message, text, rows, edit=True)


async def checkin_hours_pressed(message: Message, context: TakasContext, user_id: int,
                                data: cb.PlaylistCheckinHours) -> None:
    item = await usecase.item(context.db, user_id, data.item)
    rows = [[InlineKeyboardButton(hours(m / 60), callback_data=cb.PlaylistCheckinOpen(
        item=item.id, minutes=m).pack()) for m in CHECKIN_MINUTES],
        cancel_row(item.playlist_id)]
    await reply(message, _("How many hours is «{activity}» worth?").format(
        activity=esc(shorten(item.title, 120))), rows, edit=True)


async def checkin_open_pressed(message: Message, context: TakasContext, user_id: int,
                               data: cb.PlaylistCheckinOpen) -> None:
    code = await usecase.open_checkin(context.db, user_id, data.item, data.minutes)
    await reply(message, checkin_text(context, code), edit=True)


async def share_pressed(message: Message, context: TakasContext, user_id: int,
                        data: cb.PlaylistShare) -> None:
    playlist = await usecase.playlist(context.db, user_id, data.playlist)
    text = _("Share this link: whoever opens it sees «{title}» and can join it.\n{link}").format(
        title=esc(playlist.title(current_language())),
        link=esc(links.PLAYLIST.url(context.bot, playlist.id)))
    if not playlist.published:
        text += "\n" + _("It is a draft: publish it first, or learners cannot open it.")
    await reply(message, text)


async def mine_pressed(message: Message, context: TakasContext, user_id: int,
                       data: cb.PlaylistMine) -> None:
    await show_mine(message, context, user_id, edit=True)


async def close_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await usecase.close(context.db, query.from_user.id)
    await waiting.clear(context, "playlist")
    await query.answer()
    await query.message.edit_text(_("Closed. /playlist opens your playlists again."))


# --- learners ---------------------------------------------------------------------------

def progress_line(state: ProgressView) -> str:
    if state.complete:
        return _("🎉 Completed: every required activity is done.")
    if state.required_total:
        return ngettext("{done} of {total} required activity done",
                        "{done} of {total} required activities done",
                        state.required_total).format(done=state.required_done,
                                                     total=state.required_total)
    return ngettext("{done} of {total} activity done", "{done} of {total} activities done",
                    len(state.steps)).format(done=state.done, total=len(state.steps))


def learner_text(page: LearnerPage) -> str:
    playlist, state, language = page.playlist, page.progress, current_language()
    lines = [f"📚 <b>{esc(playlist.title(language))}</b>"]
    if page.organisation is not None:
        lines.append(esc(page.organisation))
    description = playlist.description(language)
    if description:
        lines += ["", esc(shorten(description, 600))]
    lines.append("")
    for item, done in state.steps:
        kind = _("required") if item.required else _("optional")
        lines.append(f"{'✓' if done else '○'} {item.position}. {esc(shorten(item.title, 100))}"
                     f" — <i>{esc(kind)}</i>")
    lines += ["", progress_line(state)]
    if page.member and not state.complete:
        lines.append(_("Log hours for its activities with /log; they count once the "
                       "organizer verifies them."))
    return "\n".join(lines)


async def render_page(message: Message, page: LearnerPage, *, edit: bool = False) -> None:
    """A playlist as a learner sees it, with Join when they have not joined yet."""
    rows: Rows = []
    if not page.member and page.playlist.published:
        rows.append([InlineKeyboardButton(_("➕ Join"), callback_data=cb.PlaylistJoin(
            playlist=page.playlist.id).pack())])
    details = [InlineKeyboardButton(str(item.position), callback_data=cb.Details(
        opportunity=item.opportunity_id, query=0, page=0).pack())
        for item, _done in page.progress.steps if item.opportunity_id is not None]
    if details:
        rows.insert(0, details[:8])
    await reply(message, learner_text(page), rows, edit=edit)


async def show_playlist(message: Message, context: TakasContext, user_id: int,
                        playlist_id: int, *, edit: bool = False) -> None:
    """A playlist opened by its link or a button (its refusal in place of it)."""
    try:
        page = await usecase.learner_page(context.db, user_id, playlist_id)
    except Refusal as refusal:
        await reply(message, explain(refusal), edit=edit)
        return
    await render_page(message, page, edit=edit)


async def view_pressed(message: Message, context: TakasContext, user_id: int,
                       data: cb.PlaylistOpen) -> None:
    await show_playlist(message, context, user_id, data.playlist)


async def join_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    page = await usecase.join(context.db, query.from_user.id,
                              cb.PlaylistJoin.of(update).playlist)
    await query.answer(_("You joined the playlist.") if page is not None else None)
    if page is not None:  # a double tap: the first one already showed it
        await render_page(query.message, page, edit=True)


async def joined_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await show_joined(message, context, user.id, 0)


async def show_joined(message: Message, context: TakasContext, user_id: int, page: int, *,
                      edit: bool = False) -> None:
    joined = await usecase.joined(context.db, user_id, page, PER_PAGE)
    if not joined.total:
        await reply(message, _("You have not joined a learning playlist yet. Playlists show "
                               "up among search results, and organizers share links to "
                               "them."), edit=edit)
        return
    language = current_language()
    lines = [_("<b>Your learning playlists</b>")]
    rows: Rows = []
    for number, (playlist, state) in enumerate(joined.shown, start=page * PER_PAGE + 1):
        lines.append(f"{number}. {esc(shorten(playlist.title(language), 80))} — "
                     f"{progress_line(state)}")
        rows.append([InlineKeyboardButton(f"{number}. {shorten(playlist.title(language), 40)}",
                                          callback_data=cb.PlaylistOpen(
                                              playlist=playlist.id).pack())])
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton("«", callback_data=cb.PlaylistsPage(
            page=page - 1).pack()))
    if (page + 1) * PER_PAGE < joined.total:
        paging.append(InlineKeyboardButton("»", callback_data=cb.PlaylistsPage(
            page=page + 1).pack()))
    if paging:
        rows.append(paging)
    await reply(message, "\n".join(lines), rows, edit=edit)


async def page_pressed(message: Message, context: TakasContext, user_id: int,
                       data: cb.PlaylistsPage) -> None:
    await show_joined(message, context, user_id, data.page, edit=True)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("playlist", playlist_command),
    CommandHandler("playlists", joined_command),
    # organizers: the editor's buttons
    button(cb.PlaylistNew, new_pressed),
    button(cb.PlaylistNewFor, new_pressed),
    button(cb.PlaylistEdit, edit_pressed),
    button(cb.PlaylistFromCatalog, catalog_pressed),
    button(cb.PlaylistAddOpportunity, add_pressed),
    button(cb.PlaylistOwnActivity, own_pressed),
    button(cb.PlaylistItemRequired, required_pressed),
    button(cb.PlaylistItemUp, up_pressed),
    button(cb.PlaylistItemRemove, remove_pressed),
    button(cb.PlaylistLanguages, languages_pressed),
    button(cb.PlaylistWriteIn, write_in_pressed),
    button(cb.PlaylistPublish, publish_pressed),
    button(cb.PlaylistShare, share_pressed),
    button(cb.PlaylistCheckin, checkin_pressed),
    button(cb.PlaylistCheckinHours, checkin_hours_pressed),
    button(cb.PlaylistCheckinOpen, checkin_open_pressed),
    button(cb.PlaylistMine, mine_pressed),
    CallbackQueryHandler(close_pressed, pattern=cb.PlaylistClose.pattern),
    # learners
    button(cb.PlaylistOpen, view_pressed, answer_first=True),
    CallbackQueryHandler(join_pressed, pattern=cb.PlaylistJoin.pattern),
    button(cb.PlaylistsPage, page_pressed, answer_first=True),
]
# A typed answer to the editor is not a search: the waiting dispatcher brings it.
waiting.register("playlist", on_text)
