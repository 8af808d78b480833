"""/broadcast: an organizer announces to an audience, after a preview, with progress and
Cancel while it is delivered; every announcement carries a Mute button.

Callback data: bc:o:<org> (organisation), bc:l:<opportunity> (link a catalog opportunity;
0: none), bc:a:<audience> (followers | pupils),
bc:t:<place> (followers of a town), bc:s:<id> (send), bc:x:<id> (cancel),
mu:<org> (a recipient mutes the organisation).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import TakasContext
from bot.i18n import _, ngettext
from bot.services import broadcasts as rules
from bot.services.errors import Refusal
from bot.storage import outbox
from bot.storage.models import Broadcast, Organisation, User, utcnow
from bot.text import esc, is_id, shorten
from catalog.search.index import SearchDoc
from handlers import views, waiting
from handlers.buttons import expired
from handlers.refusals import explain

log = logging.getLogger(__name__)
PROGRESS_EVERY = 3  # seconds between progress edits
TOWNS = 4
LINKS = 5


def announcement(organisation: Organisation, text: str,
                 linked: SearchDoc | None = None) -> tuple[str, dict[str, Any]]:
    """What recipients see, in the current language (with the linked opportunity's card)."""
    body = f"📣 <b>{esc(organisation.name)}</b>\n\n{esc(text)}"
    rows = []
    if linked is not None:
        body += "\n\n" + views.card(0, linked).replace("<b>0. ", "<b>", 1)
        rows.append([InlineKeyboardButton(_("Details"), callback_data=f"od:{linked.id}:0:0")])
    rows.append([InlineKeyboardButton(
        "🔕 " + _("Mute {organisation}").format(organisation=shorten(organisation.name, 40)),
        callback_data=f"mu:{organisation.id}")])
    return body, InlineKeyboardMarkup(rows).to_dict()


def linked_doc(context: TakasContext, opportunity_id: int | None) -> SearchDoc | None:
    if opportunity_id is None:
        return None
    return context.bot_data.search.by_id(opportunity_id)


def cancelled_text(stopped: int) -> str:
    """What a cancelled broadcast says: how many messages stayed unsent, when any did."""
    if stopped == 0:
        return _("Cancelled.")
    return ngettext("Cancelled: {count} message was not sent.",
                    "Cancelled: {count} messages were not sent.", stopped).format(count=stopped)


def cancel_button(broadcast_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(_("✖ Cancel"), callback_data=f"bc:x:{broadcast_id}")]


async def broadcast_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    is_admin = user.id in context.settings.admin_ids
    async with context.db.transaction() as session:
        allowed = await rules.may_broadcast(session, user.id, is_admin=is_admin)
        names = {oid: (await session.get(Organisation, oid)) for oid in allowed[:20]}
    if not allowed:
        await message.reply_text(_("Only organizers and administrators can broadcast."))
        return
    if len(allowed) == 1:
        await begin(message, context, user.id, allowed[0], is_admin)
        return
    rows = [[InlineKeyboardButton(shorten(org.name, 50), callback_data=f"bc:o:{oid}")]
            for oid, org in names.items() if org is not None]
    await message.reply_text(_("For which organisation?"),
                             reply_markup=InlineKeyboardMarkup(rows))


async def begin(message: Message, context: TakasContext, user_id: int, organisation_id: int,
                is_admin: bool) -> None:
    try:
        async with context.db.transaction() as session:
            draft = await rules.start(session, user_id, organisation_id, is_admin=is_admin)
    except Refusal as refusal:
        await message.reply_text(explain(refusal))
        return
    await waiting.expect(context, "broadcast")
    await message.reply_text(
        _("Write the announcement: a text, or a photo with a caption. You will see a preview "
          "before anything is sent."), reply_markup=InlineKeyboardMarkup([
            cancel_button(draft.id)]))


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """The announcement's text or photo, while a draft waits for it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    async with context.db.transaction() as session:
        draft = await rules.draft_of(session, user.id)
        if draft is None or draft.text or draft.photo_file_id:
            return False  # nothing waits for text: not ours
        draft.text = shorten(message.text or message.caption or "", rules.MAX_TEXT)
        if message.photo:
            draft.photo_file_id = message.photo[-1].file_id
        organisation = await session.get(Organisation, draft.organisation_id)
        draft_id = draft.id
    await waiting.clear(context, "broadcast")  # the text is taken: buttons from here on
    if organisation is None:
        return True
    offers = own_opportunities(context, organisation.name)
    if offers:
        rows = [[InlineKeyboardButton(shorten(doc.title, 50), callback_data=f"bc:l:{doc.id}")]
                for doc in offers]
        rows.append([InlineKeyboardButton(_("No link"), callback_data="bc:l:0")])
        rows.append(cancel_button(draft_id))
        await message.reply_text(_("Link one of your opportunities from the catalog?"),
                                 reply_markup=InlineKeyboardMarkup(rows))
    else:
        await ask_audience(message, context, draft_id, organisation)
    return True


def own_opportunities(context: TakasContext, organisation_name: str) -> list[SearchDoc]:
    """The organisation's catalog opportunities (it is their provider), soonest first."""
    docs = context.bot_data.search.offered_by(organisation_name)
    return sorted(docs, key=lambda d: (d.start is None, d.start or utcnow()))[:LINKS]


async def ask_audience(message: Message, context: TakasContext, draft_id: int,
                       organisation: Organisation) -> None:
    towns = served_towns(context, organisation.name)
    rows = [[InlineKeyboardButton(_("Followers of {organisation}").format(
                organisation=shorten(organisation.name, 40)), callback_data="bc:a:followers")],
            [InlineKeyboardButton(_("Pupils who logged hours with it"),
                                  callback_data="bc:a:pupils")]]
    rows += [[InlineKeyboardButton(_("Followers of {town}").format(town=name),
                                   callback_data=f"bc:t:{place}")] for place, name in towns]
    rows.append(cancel_button(draft_id))
    await message.reply_text(_("Who should get it?"), reply_markup=InlineKeyboardMarkup(rows))


def served_towns(context: TakasContext, organisation_name: str) -> list[tuple[str, str]]:
    """Towns where the organisation's catalog opportunities take place."""
    return context.bot_data.search.towns_of(organisation_name)[:TOWNS]


async def on_button(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    parts = (query.data or "").split(":")
    action, value = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    is_admin = user.id in context.settings.admin_ids
    if action == "o" and is_id(value):
        await query.answer()
        await begin(query.message, context, user.id, int(value), is_admin)
    elif action == "l" and is_id(value):
        await choose_link(update, context, int(value))
    elif action in ("a", "t"):
        await choose_audience(update, context, "town" if action == "t" else value, value)
    elif action == "s" and is_id(value):
        await confirm(update, context, int(value))
    elif action == "x" and is_id(value):
        async with context.db.transaction() as session:
            stopped = await rules.cancel(session, int(value), user.id, is_admin=is_admin)
        await waiting.clear(context, "broadcast")
        await query.answer()
        await query.message.edit_text(cancelled_text(stopped))
    else:
        await query.answer(_("This button has expired."), show_alert=True)


async def choose_link(update: Update, context: TakasContext, opportunity_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    async with context.db.transaction() as session:
        draft = await rules.draft_of(session, user.id)
        organisation = (await session.get(Organisation, draft.organisation_id)
                        if draft is not None else None)
        if draft is None or organisation is None or draft.link_decided:
            await query.answer(_("This button has expired."), show_alert=True)
            return
        offers = {doc.id for doc in own_opportunities(context, organisation.name)}
        draft.opportunity_id = opportunity_id if opportunity_id in offers else None
        draft.link_decided = True
        draft_id = draft.id
    await query.answer()
    await ask_audience(query.message, context, draft_id, organisation)


async def choose_audience(update: Update, context: TakasContext, audience: str,
                          value: str) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    async with context.db.transaction() as session:
        draft = await rules.draft_of(session, user.id)
        organisation = (await session.get(Organisation, draft.organisation_id)
                        if draft is not None else None)
        if draft is None or organisation is None or audience not in rules.AUDIENCES:
            await query.answer(_("This button has expired."), show_alert=True)
            return
        rules.choose_audience(draft, audience, value, {
            place for place, _name in served_towns(context, organisation.name)})
        recipients = await rules.audience(session, draft)
        draft_id, text, photo = draft.id, draft.text, draft.photo_file_id
        linked = linked_doc(context, draft.opportunity_id)
    await query.answer()
    body, markup = announcement(organisation, text, linked)
    preview = InlineKeyboardMarkup.de_json(markup, context.bot)
    if photo:
        await query.message.reply_photo(photo, caption=body[:1024],
                                        reply_markup=preview)
    else:
        await query.message.reply_text(body, reply_markup=preview)
    rows = [[InlineKeyboardButton(_("📣 Send to {count}").format(count=len(recipients)),
                                  callback_data=f"bc:s:{draft_id}")] if recipients else [],
            cancel_button(draft_id)]
    await query.message.reply_text(
        ngettext("Above is exactly what they will see. It goes to {count} person (muted and "
                 "unreachable ones left out).",
                 "Above is exactly what they will see. It goes to {count} people (muted and "
                 "unreachable ones left out).", len(recipients)).format(count=len(recipients)),
        reply_markup=InlineKeyboardMarkup([row for row in rows if row]))


async def confirm(update: Update, context: TakasContext, broadcast_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    i18n = context.i18n
    async with context.db.transaction() as session:
        draft = await session.get(Broadcast, broadcast_id)
        if draft is None or draft.author_id != user.id:
            raise Refusal("broadcast_unknown")
        organisation = await session.get(Organisation, draft.organisation_id)
        recipients = await rules.audience(session, draft)
        linked = linked_doc(context, draft.opportunity_id)
        languages = {u.id: i18n.language_of(u)
                     for u in (await session.scalars(select_users(recipients))).all()}

        def render(chat_id: int) -> tuple[str, dict[str, Any] | None]:
            assert organisation is not None
            with i18n.use(languages.get(chat_id, i18n.default_language)):
                return announcement(organisation, draft.text, linked)

        count = await rules.send(session, draft, render)
    await query.answer()
    progress = await query.message.edit_text(
        ngettext("Sending to {count} person…", "Sending to {count} people…",
                 count).format(count=count),
        reply_markup=InlineKeyboardMarkup([cancel_button(broadcast_id)]))
    async with context.db.transaction() as session:
        row = await session.get(Broadcast, broadcast_id)
        if row is not None and isinstance(progress, Message):
            row.progress_chat_id, row.progress_message_id = progress.chat_id, progress.message_id


def select_users(ids: list[int]) -> Any:
    from sqlalchemy import select

    return select(User).where(User.id.in_(ids))


async def progress_job(context: TakasContext) -> None:
    """Edit each active broadcast's progress message; a final report when it is done."""
    async with context.db.transaction() as session:
        running = await rules.active(session)
        states = [(b, await outbox.broadcast_counts(session, b.id)) for b in running]
        authors = {b.id: await session.get(User, b.author_id) for b in running}
    for broadcast, counts in states:
        author = authors.get(broadcast.id)
        left = counts.get("queued", 0) + counts.get("sending", 0)
        language = context.i18n.language_of(author)
        with context.i18n.use(language):
            line = _("Sent {sent} of {total} · failed {failed} · blocked {blocked}").format(
                sent=counts.get("sent", 0), total=broadcast.recipients,
                failed=counts.get("failed", 0), blocked=counts.get("blocked", 0))
            if left:
                seconds = timedelta(seconds=int(left / context.settings.send_rate) + 1)
                text = _("Sending…\n{line}\nAbout {eta} left.").format(line=line, eta=seconds)
                markup = InlineKeyboardMarkup([cancel_button(broadcast.id)])
            else:
                text = _("Done.\n{line}").format(line=line)
                markup = None
        if broadcast.progress_chat_id and broadcast.progress_message_id:
            try:
                await context.bot.edit_message_text(
                    text, chat_id=broadcast.progress_chat_id,
                    message_id=broadcast.progress_message_id, reply_markup=markup)
            except TelegramError as exc:  # progress is cosmetic; delivery goes on
                log.debug("broadcast %s: progress not shown: %s", broadcast.id, exc)
        if not left:
            async with context.db.transaction() as session:
                row = await session.get(Broadcast, broadcast.id)
                if row is not None and row.status == "sending":
                    row.status = "done"


async def mute_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    if query is None or len(parts) != 2 or not is_id(parts[1]):
        await expired(update)
        return
    async with context.db.transaction() as session:
        organisation = await session.get(Organisation, int(parts[1]))
        if organisation is not None:
            await rules.mute(session, query.from_user.id, organisation.id)
    if organisation is None:
        await query.answer(_("This button has expired."), show_alert=True)
        return
    await query.answer(_("Muted: no more announcements from {organisation}.").format(
        organisation=shorten(organisation.name, 80)), show_alert=True)


def schedule(application: Any) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(progress_job, interval=PROGRESS_EVERY, first=1,
                                            name="broadcast-progress")


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("broadcast", broadcast_command),
    CallbackQueryHandler(on_button, pattern=r"^bc:"),
    CallbackQueryHandler(mute_pressed, pattern=r"^mu:"),
]

waiting.register("broadcast", on_text)
