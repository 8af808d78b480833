"""Learning playlists in chat: organizers build them with /playlist; learners open them by
link (t.me/<bot>?start=pl_<id>) or from search results, join them and follow their progress
with /playlists.

What the editor waits for (a typed title, description, own activity or catalog search) is
kept in the database (bot.services.playlists), so a restart loses nothing; every step has
Cancel; buttons carry ids and set states, so a double tap changes nothing twice.

Callback data (organizers): pl:n (new), pl:no:<org> (new, for that organisation),
pl:e:<playlist> (editor), pl:ac:<playlist> (add from the catalog), pl:ao:<playlist>:<opp>
(add that opportunity), pl:aa:<playlist> (add an own activity), pl:t:<item>:<0|1>
(optional/required), pl:u:<item> (move up), pl:rm:<item> (remove), pl:l:<playlist>
(languages), pl:lg:<playlist>:<lang> (write in that language), pl:p:<playlist>:<0|1>
(unpublish/publish), pl:s:<playlist> (share link), pl:c:<playlist> (check-in: pick an
activity), pl:ci:<item> (pick hours), pl:ch:<item>:<minutes> (open the code), pl:m (my
playlists), pl:x (close).
Learners: pl:v:<playlist> (open), pl:j:<playlist> (join), pl:pg:<page> (/playlists page).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import TakasContext
from bot.formatting import hours, when
from bot.i18n import _, current_language, ngettext
from bot.language_names import in_language, language_name
from bot.languages import NATIVE_NAMES, SUPPORTED_LANGUAGES
from bot.services import playlists as rules
from bot.services.errors import Refusal
from bot.services.orgs import organisations_of
from bot.storage.models import Organisation
from bot.storage.playlist_tables import Playlist, PlaylistItem
from bot.text import esc, is_id, shorten
from handlers import deep_links as links
from handlers import waiting
from handlers.refusals import explain

PER_PAGE = 8
OFFERS = 5
CHECKIN_MINUTES = (60, 120, 180, 240)
Rows = list[list[InlineKeyboardButton]]


def title_of(playlist: Playlist) -> str:
    return rules.localized(playlist.titles, current_language(), playlist.language)


def description_of(playlist: Playlist) -> str:
    return rules.localized(playlist.descriptions, current_language(), playlist.language)


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
    data = f"pl:e:{playlist_id}" if playlist_id else "pl:x"
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
        async with context.db.transaction() as session:
            mine = await rules.of_organizer(session, user_id)
            await rules.stop_editing(session, user_id)
    except Refusal as refusal:
        await reply(message, explain(refusal), edit=edit)
        return
    await waiting.clear(context, "playlist")
    lines = [_("<b>Your learning playlists</b>")]
    if not mine:
        lines.append(_("None yet. A playlist lists catalog opportunities and your own "
                       "activities in order; learners join it and see their progress."))
    rows = [[InlineKeyboardButton(("✅ " if p.published else "📝 ") + shorten(title_of(p), 50),
                                  callback_data=f"pl:e:{p.id}")] for p in mine[:30]]
    rows.append([InlineKeyboardButton(_("➕ New playlist"), callback_data="pl:n")])
    await reply(message, "\n".join(lines), rows, edit=edit)


async def new_playlist(message: Message, context: TakasContext, user_id: int,
                       organisation_id: int | None) -> None:
    async with context.db.transaction() as session:
        mine = await organisations_of(session, user_id)
    if organisation_id is None and len(mine) > 1:
        rows = [[InlineKeyboardButton(shorten(o.name, 50), callback_data=f"pl:no:{o.id}")]
                for o in mine[:20]]
        rows.append(cancel_row(None))
        await reply(message, _("For which organisation?"), rows, edit=True)
        return
    chosen = organisation_id or (mine[0].id if mine else 0)
    await await_text(message, context, user_id, chosen, None, "title", current_language())


def editor_text(playlist: Playlist, organisation: Organisation | None,
                items: list[PlaylistItem]) -> str:
    status = (_("Published: learners find it in search results and by its link.")
              if playlist.published else _("Draft: only organizers see it."))
    lines = [f"📚 <b>{esc(title_of(playlist))}</b>"]
    if organisation is not None:
        lines.append(esc(organisation.name))
    description = description_of(playlist)
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


def editor_rows(playlist: Playlist, items: list[PlaylistItem]) -> Rows:
    rows: Rows = [[
        InlineKeyboardButton(f"{item.position}. " + ("★" if item.required else "☆"),
                             callback_data=f"pl:t:{item.id}:{0 if item.required else 1}"),
        InlineKeyboardButton("⬆", callback_data=f"pl:u:{item.id}"),
        InlineKeyboardButton("🗑", callback_data=f"pl:rm:{item.id}"),
    ] for item in items]
    pid = playlist.id
    rows += [
        [InlineKeyboardButton(_("➕ From the catalog"), callback_data=f"pl:ac:{pid}"),
         InlineKeyboardButton(_("➕ Own activity"), callback_data=f"pl:aa:{pid}")],
        [InlineKeyboardButton(_("🌐 Languages"), callback_data=f"pl:l:{pid}"),
         InlineKeyboardButton(_("📍 Check-in code"), callback_data=f"pl:c:{pid}")],
        [InlineKeyboardButton(_("Unpublish") if playlist.published else _("✅ Publish"),
                              callback_data=f"pl:p:{pid}:{0 if playlist.published else 1}"),
         InlineKeyboardButton(_("🔗 Link"), callback_data=f"pl:s:{pid}")],
        [InlineKeyboardButton(_("« My playlists"), callback_data="pl:m"),
         InlineKeyboardButton(_("✖ Close"), callback_data="pl:x")],
    ]
    return rows


async def show_editor(message: Message, context: TakasContext, user_id: int, playlist_id: int,
                      *, edit: bool = True) -> None:
    """The editor, with nothing typed awaited any more (Refusal when not allowed)."""
    async with context.db.transaction() as session:
        playlist = await rules.editable(session, playlist_id, user_id)
        await rules.expect(session, user_id, organisation_id=playlist.organisation_id,
                           playlist_id=playlist.id, awaiting="", language=current_language())
        organisation = await session.get(Organisation, playlist.organisation_id)
        items = await rules.items_of(session, playlist_id)
    await reply(message, editor_text(playlist, organisation, items),
                editor_rows(playlist, items), edit=edit)


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
    if awaiting == "description":
        rows.insert(0, [InlineKeyboardButton(_("Skip"), callback_data=f"pl:e:{playlist_id}")])
    return questions[awaiting].format(in_language=esc(in_language(language))), rows


async def await_text(message: Message, context: TakasContext, user_id: int,
                     organisation_id: int, playlist_id: int | None, awaiting: str,
                     language: str) -> None:
    async with context.db.transaction() as session:
        if playlist_id is not None:
            organisation_id = (await rules.editable(session, playlist_id, user_id)
                               ).organisation_id
        await rules.expect(session, user_id, organisation_id=organisation_id,
                           playlist_id=playlist_id, awaiting=awaiting, language=language)
    await waiting.expect(context, "playlist")
    text, rows = question(awaiting, language, playlist_id)
    await reply(message, text, rows, edit=True)


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """A typed answer while the editor waits for one; otherwise not ours."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    try:
        async with context.db.transaction() as session:
            taken = await rules.take_text(session, user.id, message.text, update.update_id)
            found = (taken[0].awaiting, taken[0].language, taken[0].playlist_id,
                     taken[0].data.get("query", "")) if taken else None
        if found is None:
            return False  # nothing waits for text: let the search have it
        awaiting, language, playlist_id, query = found
        assert playlist_id is not None  # a title creates the playlist; others need one
        if awaiting == "description":
            text, rows = question(awaiting, language, playlist_id)
            await reply(message, text, rows)
        elif awaiting == "search":
            await offer_opportunities(message, context, playlist_id, query)
        else:
            await show_editor(message, context, user.id, playlist_id, edit=False)
    except Refusal as refusal:
        await reply(message, explain(refusal))
    return True  # handled: not a search


async def offer_opportunities(message: Message, context: TakasContext, playlist_id: int,
                              query: str) -> None:
    result = context.bot_data.search.search(query, language=current_language())
    hits = (result.hits or result.relaxed)[:OFFERS]
    rows = [[InlineKeyboardButton(
        shorten(" · ".join(p for p in (hit.doc.title, hit.doc.city) if p), 60),
        callback_data=f"pl:ao:{playlist_id}:{hit.doc.id}")] for hit in hits]
    rows.append(cancel_row(playlist_id))
    text = (_("Which one should be added? Or write other words.") if hits else
            _("Nothing found for «{query}». Write other words.").format(
                query=esc(shorten(query, 80))))
    await reply(message, text, rows)


async def add_opportunity(message: Message, context: TakasContext, user_id: int,
                          playlist_id: int, opportunity_id: int) -> None:
    doc = context.bot_data.search.by_id(opportunity_id)
    async with context.db.transaction() as session:
        await rules.editable(session, playlist_id, user_id)
        if doc is None:
            raise Refusal("opportunity_unknown")
        _item, new = await rules.add_item(session, playlist_id, user_id, title=doc.title,
                                          opportunity_id=doc.id)
    if new:  # a double tap: the first one already showed it
        await show_editor(message, context, user_id, playlist_id)


async def choose_language(message: Message, context: TakasContext, user_id: int,
                          playlist_id: int) -> None:
    async with context.db.transaction() as session:
        playlist = await rules.editable(session, playlist_id, user_id)
    # The buttons offer each language by its own name, as the /language keyboard does.
    rows = [[InlineKeyboardButton(("✓ " if code in playlist.titles else "") +
                                  NATIVE_NAMES[code],
                                  callback_data=f"pl:lg:{playlist_id}:{code}")]
            for code in SUPPORTED_LANGUAGES]
    rows.append(cancel_row(playlist_id))
    await reply(message, _("In which language do you want to write the title and "
                           "description? Learners read the playlist in their language, or "
                           "else {in_language}.").format(
        in_language=esc(in_language(playlist.language))), rows, edit=True)


async def choose_checkin(message: Message, context: TakasContext, user_id: int,
                         playlist_id: int) -> None:
    async with context.db.transaction() as session:
        await rules.editable(session, playlist_id, user_id)
        items = await rules.items_of(session, playlist_id)
    own = [item for item in items if item.opportunity_id is None]
    rows = [[InlineKeyboardButton(f"{item.position}. {shorten(item.title, 50)}",
                                  callback_data=f"pl:ci:{item.id}")] for item in own]
    rows.append(cancel_row(playlist_id))
    text = (_("For which activity? Learners who open the code get its hours verified, and "
              "the activity counts in their playlist.") if own else
            _("Check-in codes are for your own activities; this playlist has none yet."))
    await reply(message, text, rows, edit=True)


async def choose_checkin_hours(message: Message, context: TakasContext, user_id: int,
                               item_id: int) -> None:
    async with context.db.transaction() as session:
        item = await session.get(PlaylistItem, item_id)
        if item is None:
            raise Refusal("playlist_unknown")
        await rules.editable(session, item.playlist_id, user_id)
    rows = [[InlineKeyboardButton(hours(m / 60), callback_data=f"pl:ch:{item_id}:{m}")
             for m in CHECKIN_MINUTES], cancel_row(item.playlist_id)]
    await reply(message, _("How many hours is «{activity}» worth?").format(
        activity=esc(shorten(item.title, 120))), rows, edit=True)


async def open_checkin(message: Message, context: TakasContext, user_id: int, item_id: int,
                       minutes: int) -> None:
    if minutes not in CHECKIN_MINUTES:
        raise Refusal("hours_range")
    async with context.db.transaction() as session:
        code = await rules.item_checkin(session, item_id, user_id, minutes)
        organisation = await session.get(Organisation, code.organisation_id)
    await reply(message, _(
        "Check-in for «{title}» ({hours}, {organisation}) is open until {until}. Pupils "
        "who open this link get the hours verified at once:\n{link}").format(
        title=esc(code.title), hours=esc(hours(code.minutes / 60)),
        organisation=esc(organisation.name if organisation else ""),
        until=esc(when(code.ends_at, "Europe/Vilnius")),
        link=esc(links.CHECK_IN.url(context.bot, code.code))), edit=True)


async def share(message: Message, context: TakasContext, user_id: int,
                playlist_id: int) -> None:
    async with context.db.transaction() as session:
        playlist = await rules.editable(session, playlist_id, user_id)
    text = _("Share this link: whoever opens it sees «{title}» and can join it.\n{link}").format(
        title=esc(title_of(playlist)), link=esc(links.PLAYLIST.url(context.bot, playlist_id)))
    if not playlist.published:
        text += "\n" + _("It is a draft: publish it first, or learners cannot open it.")
    await reply(message, text)


async def organizer_button(message: Message, context: TakasContext, user_id: int,
                           action: str, values: list[int]) -> None:
    """The editor's buttons (see the module docstring); raises Refusal when not allowed."""
    first = values[0] if values else 0
    if action == "n":
        await new_playlist(message, context, user_id, None)
    elif action == "no":
        await new_playlist(message, context, user_id, first)
    elif action == "ao" and len(values) == 2:
        await add_opportunity(message, context, user_id, first, values[1])
    elif action in ("ac", "aa"):
        await await_text(message, context, user_id, 0, first,
                         "search" if action == "ac" else "activity", current_language())
    elif action in ("t", "u", "rm"):
        changed = False
        async with context.db.transaction() as session:
            item = await session.get(PlaylistItem, first)
            if item is None:  # removed already (a double tap on 🗑)
                return
            playlist_id = item.playlist_id
            if action == "t" and len(values) == 2:
                changed = await rules.set_required(session, first, user_id, bool(values[1]))
            elif action == "u":
                changed = await rules.move_up(session, first, user_id)
            elif action == "rm":
                await rules.remove_item(session, first, user_id)
                changed = True
        if changed:
            await show_editor(message, context, user_id, playlist_id)
    elif action == "p" and len(values) == 2:
        async with context.db.transaction() as session:
            changed = await rules.set_published(session, first, user_id, bool(values[1]))
        if changed:
            await show_editor(message, context, user_id, first)
    elif action == "s":
        await share(message, context, user_id, first)
    elif action == "l":
        await choose_language(message, context, user_id, first)
    elif action == "c":
        await choose_checkin(message, context, user_id, first)
    elif action == "ci":
        await choose_checkin_hours(message, context, user_id, first)
    elif action == "ch" and len(values) == 2:
        await open_checkin(message, context, user_id, first, values[1])
    elif action == "m":
        await show_mine(message, context, user_id, edit=True)
    else:  # "e"
        await show_editor(message, context, user_id, first)


# --- learners ---------------------------------------------------------------------------

def progress_line(state: rules.Progress) -> str:
    if state.complete:
        return _("🎉 Completed: every required activity is done.")
    if state.required_total:
        return ngettext("{done} of {total} required activity done",
                        "{done} of {total} required activities done",
                        state.required_total).format(done=state.required_done,
                                                     total=state.required_total)
    return ngettext("{done} of {total} activity done", "{done} of {total} activities done",
                    len(state.items)).format(done=state.done, total=len(state.items))


def learner_text(playlist: Playlist, organisation: Organisation | None,
                 state: rules.Progress, member: bool) -> str:
    lines = [f"📚 <b>{esc(title_of(playlist))}</b>"]
    if organisation is not None:
        lines.append(esc(organisation.name))
    description = description_of(playlist)
    if description:
        lines += ["", esc(shorten(description, 600))]
    lines.append("")
    for item, done in state.items:
        kind = _("required") if item.required else _("optional")
        lines.append(f"{'✓' if done else '○'} {item.position}. {esc(shorten(item.title, 100))}"
                     f" — <i>{esc(kind)}</i>")
    lines += ["", progress_line(state)]
    if member and not state.complete:
        lines.append(_("Log hours for its activities with /log; they count once the "
                       "organizer verifies them."))
    return "\n".join(lines)


async def show_playlist(message: Message, context: TakasContext, user_id: int,
                        playlist_id: int, *, edit: bool = False) -> None:
    """A playlist as a learner sees it, with Join when they have not joined yet."""
    try:
        async with context.db.transaction() as session:
            playlist = await rules.visible(session, playlist_id, user_id)
            organisation = await session.get(Organisation, playlist.organisation_id)
            state = await rules.progress(session, playlist_id, user_id)
            member = await rules.is_member(session, playlist_id, user_id)
    except Refusal as refusal:
        await reply(message, explain(refusal), edit=edit)
        return
    rows: Rows = []
    if not member and playlist.published:
        rows.append([InlineKeyboardButton(_("➕ Join"), callback_data=f"pl:j:{playlist_id}")])
    details = [InlineKeyboardButton(str(item.position),
                                    callback_data=f"od:{item.opportunity_id}:0:0")
               for item, _done in state.items if item.opportunity_id is not None]
    if details:
        rows.insert(0, details[:8])
    await reply(message, learner_text(playlist, organisation, state, member), rows, edit=edit)


async def joined_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await show_joined(message, context, user.id, 0)


async def show_joined(message: Message, context: TakasContext, user_id: int, page: int, *,
                      edit: bool = False) -> None:
    async with context.db.transaction() as session:
        mine = await rules.joined(session, user_id)
        shown = mine[page * PER_PAGE:(page + 1) * PER_PAGE]
        states = await rules.progress_of(session, user_id, [p.id for p in shown])
    if not mine:
        await reply(message, _("You have not joined a learning playlist yet. Playlists show "
                               "up among search results, and organizers share links to "
                               "them."), edit=edit)
        return
    lines = [_("<b>Your learning playlists</b>")]
    for number, playlist in enumerate(shown, start=page * PER_PAGE + 1):
        lines.append(f"{number}. {esc(shorten(title_of(playlist), 80))} — "
                     f"{progress_line(states[playlist.id])}")
    rows: Rows = [[InlineKeyboardButton(f"{number}. {shorten(title_of(p), 40)}",
                                        callback_data=f"pl:v:{p.id}")]
                  for number, p in enumerate(shown, start=page * PER_PAGE + 1)]
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton("«", callback_data=f"pl:pg:{page - 1}"))
    if (page + 1) * PER_PAGE < len(mine):
        paging.append(InlineKeyboardButton("»", callback_data=f"pl:pg:{page + 1}"))
    if paging:
        rows.append(paging)
    await reply(message, "\n".join(lines), rows, edit=edit)


async def on_button(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parts = (query.data or "").split(":")[1:]
    action = parts[0] if parts else ""
    args = parts[1:]
    if action == "lg" and len(args) == 2 and is_id(args[0]) and args[1] in NATIVE_NAMES:
        values, language = [int(args[0])], args[1]
    elif all(is_id(a) for a in args):
        values, language = [int(a) for a in args], ""
    else:
        await query.answer(_("This button has expired."), show_alert=True)
        return
    if action == "x":
        async with context.db.transaction() as session:
            await rules.stop_editing(session, user.id)
        await waiting.clear(context, "playlist")
        await query.answer()
        await query.message.edit_text(_("Closed. /playlist opens your playlists again."))
    elif action == "j" and values:
        async with context.db.transaction() as session:
            new = await rules.join(session, values[0], user.id)
        await query.answer(_("You joined the playlist.") if new else None)
        if new:  # a double tap: the first one already showed it
            await show_playlist(query.message, context, user.id, values[0], edit=True)
    elif action == "v" and values:
        await query.answer()
        await show_playlist(query.message, context, user.id, values[0])
    elif action == "pg" and values:
        await query.answer()
        await show_joined(query.message, context, user.id, values[0], edit=True)
    elif action == "lg":
        await await_text(query.message, context, user.id, 0, values[0], "title", language)
        await query.answer()
    else:
        await organizer_button(query.message, context, user.id, action, values)
        await query.answer()


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("playlist", playlist_command),
    CommandHandler("playlists", joined_command),
    CallbackQueryHandler(on_button, pattern=r"^pl:"),
]
# A typed answer to the editor is not a search: the waiting dispatcher brings it.
waiting.register("playlist", on_text)
