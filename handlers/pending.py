"""The organizer's verification queue: /pending as one paged list, redrawn in place.

    /pending     what waits for you, five entries a page (◀ ▶ turn the page): per entry the
                 pupil's full name, class and school, the activity, day, hours and note;
                 📷 N sends the entry's photo, ✔ N approves, ✖ N asks the reason and rejects;
                 "Approve these N…" lists the page's entries to confirm, each with a tick to
                 leave it out

Every press edits the same message: after a decision the list is drawn again as it is now,
and a press that comes too late (decided meanwhile, a double tap) says so. The weekly
reminder of entries waiting more than seven days is rendered here too (kind
`verify_reminder`), with a button that opens the list. Callback data: `vq:...` in
handlers/callback_data.py; the work: bot/usecases/verification.py.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from html import unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasApplication, TakasContext
from bot.delivery import kinds
from bot.delivery.kinds import Notice, Part, Renderer
from bot.formatting import date_text, hours
from bot.i18n import _, ngettext
from bot.text import MESSAGE_LIMIT, esc, shorten, utf16_len
from bot.usecases import verification
from bot.usecases.verification import BulkChoice, EntryView, QueuePage, QueueResult
from handlers import callback_data as cb
from handlers.buttons import expired
from handlers.refusals import explain
from handlers.verification import REASONS, photo_caption, reason_text

# What an entry may take of a page (characters): names, activities and notes are cut, with
# an ellipsis. Five such entries fit in one message (4096 UTF-16 units) unless they are
# written in emoji and the like (two units each): then the page is drawn `TIGHT`er.
NAME_SHOWN, PLACE_SHOWN, ACTIVITY_SHOWN, NOTE_SHOWN = 60, 50, 120, 160
TIGHT = 0.4
REMINDER_EVERY = timedelta(hours=1)  # how often the reminder job looks (quiet hours: skipped)


def _cut(text: str, limit: int, scale: float = 1) -> str:
    return esc(shorten(text, max(8, int(limit * scale))))


def _who(entry: EntryView, number: int, scale: float = 1) -> str:
    """'<b>3. Ona Onaitė</b> · 8B · Utenos gimnazija'."""
    parts = [f"<b>{number}. {_cut(entry.pupil, NAME_SHOWN, scale)}</b>"]
    parts += [_cut(value, PLACE_SHOWN, scale)
              for value in (entry.school_class, entry.school) if value]
    return " · ".join(parts)


def entry_lines(entry: EntryView, number: int, *, organisation: bool,
                scale: float = 1) -> list[str]:
    """One entry of the list: who, what (and for which organisation when the organizer
    has several), when and how long, the note."""
    activity = _cut(entry.activity, ACTIVITY_SHOWN, scale)
    if organisation:
        activity += " · " + _cut(entry.organisation, PLACE_SHOWN, scale)
    when = _("{day}, {hours}").format(day=esc(date_text(entry.day)),
                                      hours=esc(hours(entry.minutes / 60)))
    lines = [_who(entry, number, scale), activity,
             when + (" · 📷" if entry.photo_file_id else "")]
    if entry.note:
        lines.append(_("Note: {note}").format(note=_cut(entry.note, NOTE_SHOWN, scale)))
    return lines


def page_text(page: QueuePage) -> str:
    """The list: one message whatever the entries hold (see `TIGHT`)."""
    text = _page_text(page)
    return text if visible_length(text) <= MESSAGE_LIMIT else _page_text(page, TIGHT)


def visible_length(html: str) -> int:
    """How long Telegram counts a message of our HTML (tags and our escapes undone)."""
    return utf16_len(unescape(re.sub(r"<[^>]+>", "", html)))


def _page_text(page: QueuePage, scale: float = 1) -> str:
    if not page.entries:
        return _("Nothing waits for your verification.")
    several = len(page.organisations) != 1
    head = _("<b>Hours to verify</b>") if several else _(
        "<b>Hours to verify</b> ({organisation})").format(
            organisation=_cut(page.organisations[0], PLACE_SHOWN))
    count = ngettext("{count} entry waits", "{count} entries wait", page.total).format(
        count=page.total)
    if page.pages > 1:
        count += " · " + _("page {page} of {pages}").format(page=page.page + 1,
                                                            pages=page.pages)
    lines = [head, count]
    for number, entry in enumerate(page.entries, start=page.first):
        lines += ["", *entry_lines(entry, number, organisation=several, scale=scale)]
    lines += ["", _("✔ approves, ✖ rejects, 📷 sends the photo: the number is the entry's.")]
    return "\n".join(lines)


def page_keyboard(page: QueuePage) -> InlineKeyboardMarkup | None:
    if not page.entries:
        return None
    rows = []
    for number, entry in enumerate(page.entries, start=page.first):
        row = [InlineKeyboardButton(f"📷 {number}", callback_data=cb.PendingPhoto(
            entry=entry.id).pack())] if entry.photo_file_id else []
        row += [InlineKeyboardButton(f"✔ {number}", callback_data=cb.PendingApprove(
                    entry=entry.id, page=page.page).pack()),
                InlineKeyboardButton(f"✖ {number}", callback_data=cb.PendingReject(
                    entry=entry.id, page=page.page).pack())]
        rows.append(row)
    paging = []
    if page.page > 0:
        paging.append(InlineKeyboardButton("◀", callback_data=cb.PendingPage(
            page=page.page - 1).pack()))
    if page.page + 1 < page.pages:
        paging.append(InlineKeyboardButton("▶", callback_data=cb.PendingPage(
            page=page.page + 1).pack()))
    if paging:
        rows.append(paging)
    if len(page.entries) > 1:
        rows.append([InlineKeyboardButton(
            _("✔ Approve these {count}…").format(count=len(page.entries)),
            callback_data=cb.PendingBulk(page=page.page).pack())])
    return InlineKeyboardMarkup(rows)


def reject_text(entry: EntryView, page: QueuePage) -> str:
    number = next((n for n, e in enumerate(page.entries, start=page.first)
                   if e.id == entry.id), page.first)
    return "\n".join([_("<b>Reject this entry?</b>"), "",
                      *entry_lines(entry, number, organisation=True), "",
                      _("Choose the reason; the pupil reads it.")])


def reject_keyboard(entry: EntryView, page: int) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(reason_text(code), callback_data=cb.PendingRejectFor(
        entry=entry.id, page=page, reason=code).pack())] for code in REASONS]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=cb.PendingPage(
        page=page).pack())])
    return InlineKeyboardMarkup(rows)


def bulk_text(choice: BulkChoice) -> str:
    lines = [_("<b>Approve these entries?</b>"),
             _("Tap an entry to leave it out: it stays in the list."), ""]
    for position, entry in choice.entries:
        mark = "☐" if choice.is_left_out(position) else "☑"
        lines.append(f"{mark} " + _("{pupil}: {activity}, {day}, {hours}").format(
            pupil=_who(entry, position + 1),
            activity=esc(shorten(entry.activity, ACTIVITY_SHOWN)),
            day=esc(date_text(entry.day)), hours=esc(hours(entry.minutes / 60))))
    return "\n".join(lines)


def bulk_keyboard(choice: BulkChoice, page: int) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(
        ("☐ " if choice.is_left_out(position) else "☑ ")
        + f"{position + 1}. {shorten(entry.pupil, 40)}",
        callback_data=cb.PendingBulkToggle(digest=choice.digest,
                                           left_out=choice.left_out ^ (1 << position),
                                           page=page).pack())]
        for position, entry in choice.entries]
    last = [InlineKeyboardButton(_("« Back"), callback_data=cb.PendingPage(page=page).pack())]
    if choice.chosen:
        last.insert(0, InlineKeyboardButton(
            _("✔ Approve {count}").format(count=choice.chosen),
            callback_data=cb.PendingBulkYes(digest=choice.digest, left_out=choice.left_out,
                                            page=page).pack()))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def screen(result: QueueResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the one message shows after an action: the reasons to reject an entry, the
    confirmation of "Approve these N", or the list."""
    if result.rejecting is not None:
        return (reject_text(result.rejecting, result.page),
                reject_keyboard(result.rejecting, result.page.page))
    if result.bulk is not None:
        return bulk_text(result.bulk), bulk_keyboard(result.bulk, result.page.page)
    return page_text(result.page), page_keyboard(result.page)


async def _redraw(update: Update, result: QueueResult | None, answer: str | None = None) -> None:
    """Answer the press and draw `result` in the pressed message. A press that came too
    late is told why (an alert); the list is drawn as it is now all the same."""
    query = update.callback_query
    if query is None:
        return
    if result is None:
        await expired(update)
        return
    if result.stale is not None:
        await query.answer(explain(result.stale)[:200], show_alert=True)
    else:
        await query.answer(answer)
    if isinstance(query.message, Message):
        text, markup = screen(result)
        await query.message.edit_text(text, reply_markup=markup)


async def _act(update: Update, run: Callable[[int], Awaitable[QueueResult | None]],
               answer: Callable[[QueueResult], str | None] = lambda _result: None,
               ) -> QueueResult | None:
    """Run the presser's action (`run(presser)`, a use case) and draw what it returns in
    the pressed message, answering with `answer(result)`. A refusal (not the presser's
    to decide) rises to the central error handler and changes nothing; None: the press
    was answered as expired."""
    query = update.callback_query
    if query is None:
        return None
    result = await run(query.from_user.id)
    await _redraw(update, result, answer(result) if result is not None else None)
    return result


async def pending_command(update: Update, context: TakasContext) -> None:
    """/pending: the first page of what waits for this organizer."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    page = await verification.queue(context.db, user.id)
    await message.reply_text(page_text(page),
                             reply_markup=page_keyboard(page))


async def open_pressed(update: Update, context: TakasContext) -> None:
    """"Open the list" under the reminder: the list as a new message (the reminder stays)."""
    query = update.callback_query
    if query is None:
        return
    page = await verification.queue(context.db, query.from_user.id)
    await query.answer()
    await context.bot.send_message(query.from_user.id, page_text(page),
                                   reply_markup=page_keyboard(page))


async def page_pressed(update: Update, context: TakasContext) -> None:
    """◀ ▶ and « Back: the page, drawn as it is now."""
    page = cb.PendingPage.of(update).page

    async def turn(presser: int) -> QueueResult:
        return QueueResult(await verification.queue(context.db, presser, page))

    await _act(update, turn)


async def photo_pressed(update: Update, context: TakasContext) -> None:
    """📷 N: the entry's photo, sent to the organizer (only to its organisation's)."""
    query = update.callback_query
    if query is None:
        return
    entry = await verification.queue_photo(context.db, cb.PendingPhoto.of(update).entry,
                                           query.from_user.id)
    if not entry.photo_file_id:
        await query.answer(_("This entry has no photo."), show_alert=True)
        return
    await query.answer()
    await context.bot.send_photo(query.from_user.id, entry.photo_file_id,
                                 caption=photo_caption(entry))


async def approve_pressed(update: Update, context: TakasContext) -> None:
    """✔ N: approve the entry; the list is drawn again."""
    data = cb.PendingApprove.of(update)
    if await _act(update, lambda presser: verification.queue_decide(
            context.db, data.entry, presser, page=data.page, approve=True),
            lambda _result: _("Approved.")):
        context.bot_data.sender.wake()  # the pupil's outcome may have been queued


async def reject_pressed(update: Update, context: TakasContext) -> None:
    """✖ N: the entry with the reasons to choose from (« Back returns to the list)."""
    data = cb.PendingReject.of(update)
    await _act(update, lambda presser: verification.queue_reject(
        context.db, data.entry, presser, data.page))


async def reason_pressed(update: Update, context: TakasContext) -> None:
    """A reason under ✖ N: reject the entry with it; the list is drawn again."""
    data = cb.PendingRejectFor.of(update)
    if await _act(update, lambda presser: verification.queue_decide(
            context.db, data.entry, presser, page=data.page, approve=False,
            reason=data.reason), lambda _result: _("Rejected.")):
        context.bot_data.sender.wake()


async def bulk_pressed(update: Update, context: TakasContext) -> None:
    """"Approve these N…": the confirmation, every entry of the page ticked."""
    page = cb.PendingBulk.of(update).page
    await _act(update, lambda presser: verification.queue_bulk(context.db, presser, page),
               lambda result: None if result.bulk else _("Nothing waits for your verification."))


async def toggle_pressed(update: Update, context: TakasContext) -> None:
    """☑/☐ in the confirmation: leave an entry out, or in again."""
    data = cb.PendingBulkToggle.of(update)
    await _act(update, lambda presser: verification.queue_bulk_view(
        context.db, data.digest, presser, data.left_out, data.page))


async def bulk_yes_pressed(update: Update, context: TakasContext) -> None:
    """"✔ Approve N" in the confirmation: those that still wait, then the list."""
    data = cb.PendingBulkYes.of(update)
    if await _act(update, lambda presser: verification.queue_bulk_approve(
            context.db, data.digest, presser, data.left_out, data.page),
            lambda result: _("Approved: {count}.").format(count=result.approved or 0)):
        context.bot_data.sender.wake()  # the pupils' outcomes may have been queued


# -- the reminder of entries waiting more than a week (bot/delivery/kinds.py renders it)


def reminder_parts(view: verification.ReminderView) -> list[Part]:
    text = ngettext(
        "⏰ {count} entry has waited more than a week for your verification.",
        "⏰ {count} entries have waited more than a week for your verification.",
        view.waiting_long).format(count=view.waiting_long)
    if view.total > view.waiting_long:
        text += " " + ngettext("{count} waits in all.", "{count} wait in all.",
                               view.total).format(count=view.total)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("Open the list"), callback_data=cb.PendingOpen().pack())]])
    return [Part(text=text, reply_markup=markup)]


async def render_reminder(notice: Notice) -> list[Part]:
    view = await verification.reminder_view(notice.db, notice.chat_id)
    return reminder_parts(view) if view is not None else []


def renderers(_application: TakasApplication) -> dict[str, Renderer]:
    return {kinds.VERIFY_REMINDER: render_reminder}


async def reminder_job(context: TakasContext) -> None:
    """Every hour: remind organizers of entries waiting more than a week (at most once a
    week each, never in the quiet hours)."""
    if await verification.queue_reminders(context.db):
        context.bot_data.sender.wake()


def schedule(application: TakasApplication) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            reminder_job, interval=REMINDER_EVERY, first=90, name="verification-reminders",
            job_kwargs={"max_instances": 1, "coalesce": True})


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("pending", pending_command),
    CallbackQueryHandler(page_pressed, pattern=cb.PendingPage.pattern),
    CallbackQueryHandler(open_pressed, pattern=cb.PendingOpen.pattern),
    CallbackQueryHandler(photo_pressed, pattern=cb.PendingPhoto.pattern),
    CallbackQueryHandler(approve_pressed, pattern=cb.PendingApprove.pattern),
    CallbackQueryHandler(reject_pressed, pattern=cb.PendingReject.pattern),
    CallbackQueryHandler(reason_pressed, pattern=cb.PendingRejectFor.pattern),
    CallbackQueryHandler(bulk_pressed, pattern=cb.PendingBulk.pattern),
    CallbackQueryHandler(toggle_pressed, pattern=cb.PendingBulkToggle.pattern),
    CallbackQueryHandler(bulk_yes_pressed, pattern=cb.PendingBulkYes.pattern),
]
