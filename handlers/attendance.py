"""Attendance in chat: a teacher records who took part in an activity.

    /attendance HOURS ACTIVITY   e.g. /attendance 2 Park clean-up; then a class, then tick
                                 the pupils (a page at a time) and save

Every ticked pupil gets the hours, approved at once and verified by the teacher: this is
how pupils who are not on Telegram get hours. A pupil on Telegram is told (kind
`attended`, rendered here when the outbox sends it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasApplication, TakasContext
from bot.delivery import kinds
from bot.delivery.kinds import Notice, Part, Renderer
from bot.formatting import date_text, hours_words
from bot.i18n import _
from bot.services.durations import parse_minutes
from bot.text import esc, is_row_id, shorten
from bot.usecases import attendance as usecase
from handlers.callback_data import CallbackData, Count
from handlers.schools import picks_school


class AttendanceClass(CallbackData, prefix="sac"):
    school_class: int


class AttendanceTick(CallbackData, prefix="sat"):
    pupil: int
    page: Count


class AttendancePage(CallbackData, prefix="sap"):
    page: Count


class AttendanceSave(CallbackData, prefix="sas"):
    pass


@picks_school
async def attendance_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    minutes = parse_minutes(args[0]) if args else None
    if minutes is None or len(args) < 2:
        await message.reply_text(_(
            "Write /attendance, the hours and the activity, for example <i>/attendance 2 "
            "Park clean-up</i>. Then choose the class and tick who took part."))
        return
    classes = await usecase.start(context.db, user.id, " ".join(args[1:]), minutes)
    rows = [[InlineKeyboardButton(_("Class {name}").format(name=c.name),
                                  callback_data=AttendanceClass(school_class=c.id).pack())]
            for c in classes]
    await message.reply_text(_("{hours} for «{activity}». Which class?").format(
        hours=esc(hours_words(minutes)), activity=esc(" ".join(args[1:]))),
        reply_markup=InlineKeyboardMarkup(rows))


def sheet_text(sheet: usecase.Sheet) -> str:
    return _("Class {name}: who took part in «{activity}» ({hours})? Tick them, then save. "
             "Ticked: {ticked}.").format(name=esc(sheet.class_name),
                                         activity=esc(sheet.activity),
                                         hours=esc(hours_words(sheet.minutes)),
                                         ticked=sheet.ticked)


def sheet_keyboard(sheet: usecase.Sheet) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(("☑ " if ticked else "☐ ") + name[:50],
                                  callback_data=AttendanceTick(pupil=pupil_id,
                                                               page=sheet.page).pack())]
            for pupil_id, name, ticked in sheet.pupils]
    paging = []
    if sheet.page > 0:
        paging.append(InlineKeyboardButton(
            "◀", callback_data=AttendancePage(page=sheet.page - 1).pack()))
    if sheet.page + 1 < sheet.pages:
        paging.append(InlineKeyboardButton(
            "▶", callback_data=AttendancePage(page=sheet.page + 1).pack()))
    if paging:
        rows.append(paging)
    rows.append([InlineKeyboardButton(_("✔ Save ({count})").format(count=sheet.ticked),
                                      callback_data=AttendanceSave().pack())])
    return InlineKeyboardMarkup(rows)


async def _show(update: Update, sheet: usecase.Sheet) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(sheet_text(sheet),
                                  reply_markup=sheet_keyboard(sheet))


async def _answer_with(update: Update, make: Callable[[int], Awaitable[usecase.Sheet]]) -> None:
    """Show the sheet `make` returns for the presser, or tell them why not."""
    user = update.effective_user
    if user is None:
        return
    sheet = await make(user.id)
    await _show(update, sheet)


async def on_class(update: Update, context: TakasContext) -> None:
    chosen = AttendanceClass.of(update).school_class
    await _answer_with(update, lambda uid: usecase.choose_class(context.db, uid, chosen))


async def on_tick(update: Update, context: TakasContext) -> None:
    data = AttendanceTick.of(update)
    await _answer_with(update, lambda uid: usecase.toggle(context.db, uid, data.pupil,
                                                          data.page))


async def on_page(update: Update, context: TakasContext) -> None:
    page = AttendancePage.of(update).page
    await _answer_with(update, lambda uid: usecase.turn(context.db, uid, page))


async def on_save(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    saved = await usecase.save(context.db, user.id)
    context.bot_data.sender.wake()  # the pupils' notices were queued
    await query.answer()
    lines = [_("Recorded and approved: {hours} for «{activity}». Pupils: {count}.").format(
        hours=esc(hours_words(saved.minutes)), activity=esc(saved.activity),
        count=len(saved.recorded))]
    lines += [f"• {esc(name)}" for name in saved.recorded]
    if saved.skipped:
        lines.append(_("Not recorded (your own hours, or their day is full): {names}").format(
            names=esc(", ".join(saved.skipped))))
    await query.edit_message_text("\n".join(lines)[:4000])


def attended_text(view: usecase.Attended) -> str:
    """The pupil's notice: hours an organizer recorded for them, approved at once."""
    return _("✔ {organisation} recorded that you took part in «{activity}» on {day}: "
             "{hours}, approved. /hours shows your progress.").format(
        organisation=esc(view.organisation), activity=esc(shorten(view.activity, 100)),
        day=esc(date_text(view.day)), hours=esc(hours_words(view.minutes)))


async def render_attended(notice: Notice) -> list[Part]:
    if not is_row_id(notice.ref):
        return []
    view = await usecase.attended(notice.db, int(notice.ref), notice.chat_id)
    return [Part(text=attended_text(view))] if view is not None else []


def renderers(_application: TakasApplication) -> dict[str, Renderer]:
    return {kinds.ATTENDED: render_attended}


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("attendance", attendance_command),
    CallbackQueryHandler(on_class, pattern=AttendanceClass.pattern),
    CallbackQueryHandler(on_tick, pattern=AttendanceTick.pattern),
    CallbackQueryHandler(on_page, pattern=AttendancePage.pattern),
    CallbackQueryHandler(on_save, pattern=AttendanceSave.pattern),
]
