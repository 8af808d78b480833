"""/broadcast: an organizer announces to an audience, after a preview, with progress and
Cancel while it is delivered; every announcement carries a Mute button. The announcements
themselves go through the outbox and are rendered when sent (`renderers`), in each
recipient's language of that moment. The work is bot/usecases/broadcasts.py; a rule's no
(a `Refusal`) is answered by the central error handler.

Callback data (handlers/callback_data.py): bc:o:<org> organisation, bc:l:<opportunity>
link a catalog opportunity (0: none), bc:a:<followers|pupils> audience, bc:t:<place>
followers of a town, bc:s:<id> send, bc:x:<id> cancel; mu:<org> a recipient mutes the
organisation.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasApplication, TakasContext
from bot.delivery.kinds import Notice, Part, Renderer
from bot.i18n import _, ngettext
from bot.services.errors import Refusal
from bot.text import esc, is_row_id, shorten
from bot.usecases import broadcasts
from bot.usecases.broadcasts import Announcement
from catalog.search.index import SearchDoc
from handlers import callback_data as cb
from handlers import views, waiting
from handlers.buttons import expired
from handlers.refusals import explain

log = logging.getLogger(__name__)
PROGRESS_EVERY = 3  # seconds between progress edits
CAPTION_LIMIT = 1024  # Telegram's limit on a photo's caption
FLOW = "broadcast"  # what waits for the announcement's text (handlers/waiting.py)


def announcement(found: Announcement, linked: SearchDoc | None) -> tuple[str, InlineKeyboardMarkup]:
    """What recipients see, in the current language (with the linked opportunity's card);
    with a photo, the text is shortened so that all of it fits in a caption."""
    head = f"📣 <b>{esc(found.organisation)}</b>\n\n"
    tail = ""
    rows = []
    if linked is not None:
        tail = "\n\n" + views.card(0, linked).replace("<b>0. ", "<b>", 1)
        rows.append([InlineKeyboardButton(_("Details"), callback_data=views.details(linked.id))])
    rows.append([InlineKeyboardButton(
        "🔕 " + _("Mute {organisation}").format(organisation=shorten(found.organisation, 40)),
        callback_data=cb.MuteOrganisation(organisation=found.organisation_id).pack())])
    text = _fit(found.text, CAPTION_LIMIT - len(head) - len(tail)) if found.photo_file_id \
        else found.text
    return head + esc(text) + tail, InlineKeyboardMarkup(rows)


def _fit(text: str, room: int) -> str:
    """`text`, cut (with an ellipsis) so that escaped it takes at most `room` characters."""
    while len(esc(text)) > room:
        if room <= 1:
            return ""
        text = shorten(text, len(text) - (len(esc(text)) - room))  # at least one shorter
    return text


def linked_doc(context: TakasContext | TakasApplication, found: Announcement) -> SearchDoc | None:
    if found.opportunity_id is None:
        return None
    return context.bot_data.search.by_id(found.opportunity_id)


def cancelled_text(stopped: int) -> str:
    """What a cancelled broadcast says: how many messages stayed unsent, when any did."""
    if stopped == 0:
        return _("Cancelled.")
    return ngettext("Cancelled: {count} message was not sent.",
                    "Cancelled: {count} messages were not sent.", stopped).format(count=stopped)


def cancel_button(broadcast_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(_("✖ Cancel"), callback_data=cb.BroadcastCancel(
        broadcast=broadcast_id).pack())]


# -- the renderer of what the outbox sends (bot/delivery/kinds.py), in the recipient's language

def renderers(application: TakasApplication) -> dict[str, Renderer]:
    """The announcement to one recipient, with the linked opportunity as the search index
    of this application knows it when the message is sent."""

    async def render(notice: Notice) -> list[Part]:
        if not is_row_id(notice.ref):
            return []
        found = await broadcasts.announcement(notice.db, int(notice.ref), notice.chat_id)
        if found is None:
            return []  # cancelled, its organisation deleted, or muted meanwhile
        body, markup = announcement(found, linked_doc(application, found))
        return [Part(text=body, reply_markup=markup, photo_file_id=found.photo_file_id)]

    return {broadcasts.ANNOUNCEMENT: render}


# -- composing ----------------------------------------------------------------------------

async def broadcast_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    is_admin = user.id in context.settings.admin_ids
    allowed = await broadcasts.organisations(context.db, user.id, is_admin=is_admin)
    if not allowed:
        await message.reply_text(_("Only organizers and administrators can broadcast."))
        return
    if len(allowed) == 1:
        await begin(message, context, user.id, allowed[0].id, is_admin)
        return
    rows = [[InlineKeyboardButton(shorten(org.name, 50), callback_data=cb.BroadcastFor(
        organisation=org.id).pack())] for org in allowed]
    await message.reply_text(_("For which organisation?"),
                             reply_markup=InlineKeyboardMarkup(rows))


async def begin(message: Message, context: TakasContext, user_id: int, organisation_id: int,
                is_admin: bool) -> None:
    try:
        draft = await broadcasts.start(context.db, user_id, organisation_id, is_admin=is_admin)
    except Refusal as refusal:  # after a pressed button was answered: a reply
        await message.reply_text(explain(refusal))
        return
    await waiting.expect(context, FLOW)
    await message.reply_text(
        _("Write the announcement: a text, or a photo with a caption. You will see a preview "
          "before anything is sent."), reply_markup=InlineKeyboardMarkup([
            cancel_button(draft.id)]))


async def organisation_chosen(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await query.answer()
    await begin(query.message, context, user.id, cb.BroadcastFor.of(update).organisation,
                user.id in context.settings.admin_ids)


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """The announcement's text or photo, while a draft waits for it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    draft = await broadcasts.take_text(
        context.db, user.id, message.text or message.caption or "",
        message.photo[-1].file_id if message.photo else None)
    if draft is None:
        return False  # nothing waits for text: not ours
    await waiting.clear(context, FLOW)  # the text is taken: buttons from here on
    if not draft.organisation:
        return True
    offers = broadcasts.offers(context.bot_data.search, draft.organisation)
    if offers:
        rows = [[InlineKeyboardButton(shorten(doc.title, 50), callback_data=cb.BroadcastLink(
            opportunity=doc.id).pack())] for doc in offers]
        rows.append([InlineKeyboardButton(_("No link"), callback_data=cb.BroadcastLink(
            opportunity=0).pack())])
        rows.append(cancel_button(draft.id))
        await message.reply_text(_("Link one of your opportunities from the catalog?"),
                                 reply_markup=InlineKeyboardMarkup(rows))
    else:
        await ask_audience(message, context, draft)
    return True


async def ask_audience(message: Message, context: TakasContext,
                       draft: broadcasts.Draft) -> None:
    towns = broadcasts.towns(context.bot_data.search, draft.organisation)
    rows = [[InlineKeyboardButton(_("Followers of {organisation}").format(
                organisation=shorten(draft.organisation, 40)),
                callback_data=cb.BroadcastAudience(audience="followers").pack())],
            [InlineKeyboardButton(_("Pupils who logged hours with it"),
                                  callback_data=cb.BroadcastAudience(audience="pupils").pack())]]
    rows += [[InlineKeyboardButton(_("Followers of {town}").format(town=name),
                                   callback_data=cb.BroadcastTown(place=place).pack())]
             for place, name in towns]
    rows.append(cancel_button(draft.id))
    await message.reply_text(_("Who should get it?"), reply_markup=InlineKeyboardMarkup(rows))


async def link_chosen(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    draft = await broadcasts.choose_link(context.db, context.bot_data.search, user.id,
                                         cb.BroadcastLink.of(update).opportunity)
    if draft is None:
        await query.answer(_("This button has expired."), show_alert=True)
        return
    await query.answer()
    await ask_audience(query.message, context, draft)


async def audience_chosen(update: Update, context: TakasContext) -> None:
    await _preview(update, context, cb.BroadcastAudience.of(update).audience, None)


async def town_chosen(update: Update, context: TakasContext) -> None:
    await _preview(update, context, "town", cb.BroadcastTown.of(update).place)


async def _preview(update: Update, context: TakasContext, audience: str,
                   value: str | None) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    preview = await broadcasts.choose_audience(context.db, context.bot_data.search, user.id,
                                               audience, value)  # a Refusal: an alert
    if preview is None:
        await query.answer(_("This button has expired."), show_alert=True)
        return
    await query.answer()
    found, count = preview.announcement, preview.recipients
    body, markup = announcement(found, linked_doc(context, found))
    if found.photo_file_id:
        await query.message.reply_photo(found.photo_file_id, caption=body, reply_markup=markup)
    else:
        await query.message.reply_text(body, reply_markup=markup)
    rows = [[InlineKeyboardButton(_("📣 Send to {count}").format(count=count),
                                  callback_data=cb.BroadcastSend(
                                      broadcast=found.broadcast_id).pack())] if count else [],
            cancel_button(found.broadcast_id)]
    await query.message.reply_text(
        ngettext("Above is exactly what they will see. It goes to {count} person (muted and "
                 "unreachable ones left out).",
                 "Above is exactly what they will see. It goes to {count} people (muted and "
                 "unreachable ones left out).", count).format(count=count),
        reply_markup=InlineKeyboardMarkup([row for row in rows if row]))


# -- sending, progress, cancel, mute --------------------------------------------------------

async def send_pressed(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    broadcast_id = cb.BroadcastSend.of(update).broadcast
    # This message becomes the progress report: it is recorded with the broadcast.
    count = await broadcasts.confirm(
        context.db, user.id, broadcast_id, progress_chat_id=query.message.chat_id,
        progress_message_id=query.message.message_id)
    context.bot_data.sender.wake()
    await query.answer()
    await query.message.edit_text(
        ngettext("Sending to {count} person…", "Sending to {count} people…",
                 count).format(count=count),
        reply_markup=InlineKeyboardMarkup([cancel_button(broadcast_id)]))


async def cancel_pressed(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    stopped = await broadcasts.cancel(context.db, cb.BroadcastCancel.of(update).broadcast,
                                      user.id, is_admin=user.id in context.settings.admin_ids)
    await waiting.clear(context, FLOW)
    await query.answer()
    await query.message.edit_text(cancelled_text(stopped))


def progress_text(found: broadcasts.Progress,
                  rate: float) -> tuple[str, InlineKeyboardMarkup | None]:
    """The author's progress message, in the current language."""
    line = _("Sent {sent} of {total} · failed {failed} · blocked {blocked}").format(
        sent=found.sent, total=found.total, failed=found.failed, blocked=found.blocked)
    if found.left:
        eta = timedelta(seconds=int(found.left / rate) + 1)
        return (_("Sending…\n{line}\nAbout {eta} left.").format(line=line, eta=eta),
                InlineKeyboardMarkup([cancel_button(found.broadcast_id)]))
    return _("Done.\n{line}").format(line=line), None


async def progress_job(context: TakasContext) -> None:
    """Edit each active broadcast's progress message; a final report when it is done."""
    i18n = context.i18n
    for found in await broadcasts.progress(context.db):
        if not (found.chat_id and found.message_id):
            continue
        with i18n.use(i18n.language_of(found.author)):
            text, markup = progress_text(found, context.settings.send_rate)
        try:
            await context.bot.edit_message_text(text, chat_id=found.chat_id,
                                                message_id=found.message_id,
                                                reply_markup=markup)
        except TelegramError as exc:  # progress is cosmetic; delivery goes on
            log.debug("broadcast %s: progress not shown: %s", found.broadcast_id, exc)


async def mute_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None:
        await expired(update)
        return
    name = await broadcasts.mute(context.db, query.from_user.id,
                                 cb.MuteOrganisation.of(update).organisation)
    if name is None:
        await query.answer(_("This button has expired."), show_alert=True)
        return
    await query.answer(_("Muted: no more announcements from {organisation}.").format(
        organisation=shorten(name, 80)), show_alert=True)


def schedule(application: Any) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(progress_job, interval=PROGRESS_EVERY, first=1,
                                            name="broadcast-progress")


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("broadcast", broadcast_command),
    CallbackQueryHandler(organisation_chosen, pattern=cb.BroadcastFor.pattern),
    CallbackQueryHandler(link_chosen, pattern=cb.BroadcastLink.pattern),
    CallbackQueryHandler(audience_chosen, pattern=cb.BroadcastAudience.pattern),
    CallbackQueryHandler(town_chosen, pattern=cb.BroadcastTown.pattern),
    CallbackQueryHandler(send_pressed, pattern=cb.BroadcastSend.pattern),
    CallbackQueryHandler(cancel_pressed, pattern=cb.BroadcastCancel.pattern),
    CallbackQueryHandler(mute_pressed, pattern=cb.MuteOrganisation.pattern),
]

waiting.register(FLOW, on_text)
