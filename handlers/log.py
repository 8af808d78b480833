"""/log: log volunteering hours in a few taps, or in one message.

    /log                       guided: activity -> organisation -> day -> hours -> note -> confirm
    /log 2.5 Talka parke 2026-11-18    the shortcut (the day is optional: today; also
    /log 2 Talka vakar                 'vakar', 'gestern', 'gruodžio 5 d.': bot.services.dates)

The draft lives in the database (bot.services.drafts), so a restart loses nothing; Cancel
and Back work at every step, and each answer is checked where it is given (a future day is
refused at the day step, not at Confirm); Confirm carries the draft's nonce, so a double
tap or a redelivered update finds the entry already stored instead of making a second one.

Buttons: one `handlers.callback_data` class per kind of answer (`Log*`: a recent activity,
a playlist's activity, the catalog entry the words describe, an organisation and its page,
the day, the hours, no note, Confirm, Cancel, Continue, Start again, Back, Edit), each with
its own handler; every answer but Confirm goes to the use case's `choose`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import TakasContext
from bot.formatting import date_text, hours
from bot.i18n import _, current_language
from bot.services.dates import parse_day, split_trailing_day
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.hours import DAY_MINUTES, check_day, today
from bot.text import esc, shorten
from bot.usecases import log as logging_hours
from bot.usecases.log import BACK_TO, Question
from handlers import callback_data as cb
from handlers import waiting
from handlers.buttons import expired
from handlers.refusals import explain

ORGS_PER_PAGE = 8
CANDIDATES = 3
QUICK_MINUTES = (60, 120, 180, 240)


def cancel_row(step: str | None = None) -> list[InlineKeyboardButton]:
    """Cancel, with « Back to the previous question on every step after the first."""
    row = [InlineKeyboardButton(_("✖ Cancel"), callback_data=cb.LogCancel().pack())]
    if step in BACK_TO:
        row.insert(0, InlineKeyboardButton(_("« Back"), callback_data=cb.LogBack(
            step=cast(cb.LogStep, step)).pack()))
    return row


def edit_rows() -> list[list[InlineKeyboardButton]]:
    """One Edit button per answer on the confirmation."""
    labels: dict[cb.LogAnswer, str] = {
        "a": _("✏ Activity"), "o": _("✏ Organisation"), "d": _("✏ Day"), "h": _("✏ Hours"),
        "n": _("✏ Note or photo")}
    buttons = [InlineKeyboardButton(label, callback_data=cb.LogEdit(answer=field).pack())
               for field, label in labels.items()]
    return [buttons[:3], buttons[3:]]


def day_problem(text: str) -> tuple[date | None, str | None]:
    """The day typed at the day step, or what is wrong with it (unreadable, future, too
    long ago), in the user's language."""
    chosen = parse_day(text, today())
    if chosen is None:
        return None, _("That is not a date I can read. Write it like {example}, or "
                       "«yesterday».").format(example=esc(date_text(today())))
    try:
        check_day(chosen)
    except Refusal as refusal:
        return None, explain(refusal)
    return chosen, None


async def ask(message: Message, question: Question, *, edit: bool = False) -> None:
    """Ask the question of the draft's current step."""
    data, step = question.data, question.step
    rows: list[list[InlineKeyboardButton]] = []
    if step == "activity":
        text = _("<b>Log hours</b>\nWhat did you do? Write it in a few words, or pick a "
                 "recent activity.")
        # Activities of the learner's playlists that do not count yet come first: hours
        # logged for them count toward the playlist once verified.
        rows = [[InlineKeyboardButton("📚 " + shorten(title, 40),
                                      callback_data=cb.LogPlaylistItem(item=iid).pack())]
                for iid, title in question.todo]
        rows += [[InlineKeyboardButton(shorten(activity, 40),
                                       callback_data=cb.LogRecent(entry=eid).pack())]
                 for eid, activity in question.recent]
    elif step == "pick":
        text = _("Is it one of these? Linking the catalog entry tells the organizers exactly "
                 "what you did.")
        rows = [[InlineKeyboardButton(shorten(label, 60), callback_data=cb.LogCatalogEntry(
            opportunity=oid).pack())] for oid, label in data["candidates"]]
        rows.append([InlineKeyboardButton(_("✍ Keep my words"),
                                          callback_data=cb.LogOwnWords().pack())])
    elif step == "organisation":
        wanted = data.get("org_query")
        text = _("Which organisation should verify it?")
        if wanted and question.organisations:
            text = _("Organisations like «{words}»: pick one, or write the name again."
                     ).format(words=esc(shorten(wanted, 60)))
        elif wanted:
            text = _("No organisation is called like «{words}». Write its name another "
                     "way.").format(words=esc(shorten(wanted, 60)))
        else:
            text += "\n" + _("Not in the list? Write its name, and I will look for it.")
        organisations = question.organisations
        page = int(data.get("org_page", 0))
        shown = organisations[page * ORGS_PER_PAGE:(page + 1) * ORGS_PER_PAGE]
        rows = [[InlineKeyboardButton(shorten(name, 50), callback_data=cb.LogOrganisation(
            organisation=oid).pack())] for oid, name in shown]
        paging = []
        if page > 0:
            paging.append(InlineKeyboardButton("«", callback_data=cb.LogOrganisationsPage(
                page=page - 1).pack()))
        if (page + 1) * ORGS_PER_PAGE < len(organisations):
            paging.append(InlineKeyboardButton("»", callback_data=cb.LogOrganisationsPage(
                page=page + 1).pack()))
        if paging:
            rows.append(paging)
        if not organisations and not wanted:
            text = _("No organisation can verify hours yet. Ask your school or organizer to "
                     "join Takas.")
    elif step == "day":
        text = _("Which day? Pick one or write a date such as {example}.").format(
            example=esc((today() - timedelta(days=2)).isoformat()))
        rows = [[InlineKeyboardButton(_("Today"), callback_data=cb.LogDay(days_ago=0).pack()),
                 InlineKeyboardButton(_("Yesterday"),
                                      callback_data=cb.LogDay(days_ago=1).pack())]]
    elif step == "hours":
        text = _("How many hours? Pick one or write it, e.g. 2,5 or 1h30.")
        rows = [[InlineKeyboardButton(hours(m / 60), callback_data=cb.LogMinutes(
            minutes=m).pack()) for m in QUICK_MINUTES]]
    elif step == "note":
        text = _("Add a note or a photo as evidence, or skip.")
        rows = [[InlineKeyboardButton(_("Skip"), callback_data=cb.LogNoNote().pack())]]
    else:
        text = summary(question)
        rows = [[InlineKeyboardButton(_("✔ Confirm"), callback_data=cb.LogConfirm(
            nonce=data["nonce"]).pack())], *edit_rows()]
    rows.append(cancel_row(step))
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.reply_text(text, reply_markup=markup)


def summary(question: Question) -> str:
    data = question.data
    lines = [_("<b>Please check and confirm</b>"),
             _("Activity: {activity}").format(activity=esc(data["activity"])),
             _("Organisation: {organisation}").format(
                 organisation=esc(question.organisation or "?")),
             _("Day: {day}").format(day=esc(date_text(date.fromisoformat(data["day"])))),
             _("Hours: {hours}").format(hours=esc(hours(data["minutes"] / 60)))]
    if data.get("note"):
        lines.append(_("Note: {note}").format(note=esc(shorten(data["note"], 300))))
    if data.get("photo"):
        lines.append(_("Photo attached"))
    return "\n".join(lines)


async def start_log(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if context.args:
        await shortcut(message, context, user.id, context.args, update.update_id)
        return
    started = await logging_hours.start(context.db, user.id)
    if started.question is None:
        await message.reply_text(
            _("You have an unfinished entry. Continue it or start again?"),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(_("Continue"), callback_data=cb.LogResume().pack()),
                InlineKeyboardButton(_("Start again"),
                                     callback_data=cb.LogStartAgain().pack())]]))
        return
    await waiting.expect(context, "log")  # a draft waits for typed answers
    await ask(message, started.question)


async def shortcut(message: Message, context: TakasContext, user_id: int, args: list[str],
                   update_id: int) -> None:
    minutes = parse_minutes(args[0])
    words, day = split_trailing_day(args[1:], today())
    if minutes is None or not words:
        await message.reply_text(_("Write it as /log HOURS ACTIVITY [DATE], for example "
                                   "/log 2,5 Reading to children 2026-11-18 — or just /log."))
        return
    # Hours and day are checked now, not after the organisation is chosen.
    if minutes > DAY_MINUTES:
        raise Refusal("hours_range")
    if day is not None:
        check_day(day)
    question = await logging_hours.shortcut(
        context.db, user_id, activity=" ".join(words), minutes=minutes, day=day,
        nonce=f"u{update_id}")
    await waiting.expect(context, "log")
    await ask(message, question)


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """A text or photo while a draft waits for a typed answer; otherwise not ours."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    text = (message.text or message.caption or "").strip()
    photo = message.photo[-1].file_id if message.photo else None
    problems: list[str] = []

    def changes(step: str) -> dict[str, Any] | None:
        changed, problem = typed_answer(context, step, text, photo)
        if problem:
            problems.append(problem)
            return None
        return changed

    question = await logging_hours.answer(context.db, user.id, changes)
    if problems:
        await message.reply_text(problems[0])
        return True
    if question is None:
        return False  # not logging: let the search (or whatever is next) have the message
    await ask(message, question)
    return True  # handled: not a search


def typed_answer(context: TakasContext, step: str, text: str,
                 photo: str | None) -> tuple[dict[str, Any], str | None]:
    """The draft fields a typed answer sets at `step`, or what is wrong with it."""
    changed: dict[str, Any] = {}
    problem = None
    if step == "activity" and text:
        if len(text) > 300:
            problem = explain(Refusal("activity_long", limit=300))
        changed["activity"] = text
        changed["candidates"] = catalog_candidates(context, text)
    elif step == "organisation" and text:
        changed["org_query"] = text[:100]  # words of its name: the question searches them
    elif step == "day":
        chosen, problem = day_problem(text)
        if chosen is not None:
            changed["day"] = chosen.isoformat()
    elif step == "hours":
        minutes = parse_minutes(text)
        if minutes is None or minutes > DAY_MINUTES:
            problem = explain(Refusal("hours_range"))
        else:
            changed["minutes"] = minutes
    elif step == "note":
        if photo:
            changed["photo"] = photo
        changed["note"] = text[:1000] or None
        changed["note_done"] = True
    return changed, problem


async def _choose(update: Update, context: TakasContext, action: str, value: str = "") -> None:
    """Any answer by button but Confirm: the use case applies it (or finds it not valid
    for this draft: a stale or forged button) and the next question is asked."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    chosen = await logging_hours.choose(context.db, user.id, action, value)
    if chosen.cancelled:
        await waiting.clear(context, "log")
        await query.answer()
        await query.message.edit_text(_("Cancelled. Nothing was logged."))
        return
    if chosen.question is None:
        await query.answer(_("This entry is no longer open; start again with /log."),
                           show_alert=True)
        return
    await waiting.expect(context, "log")  # "Start again" opens a new draft
    await query.answer()
    await ask(query.message, chosen.question, edit=True)


# Every button of the flow but Confirm: (its data, the use case's action, the field that
# carries the value). One handler per action, each parsing its own data strictly.
ANSWERS: tuple[tuple[type[cb.CallbackData], str, str | None], ...] = (
    (cb.LogRecent, "r", "entry"), (cb.LogPlaylistItem, "p", "item"),
    (cb.LogCatalogEntry, "s", "opportunity"), (cb.LogOwnWords, "t", None),
    (cb.LogOrganisation, "o", "organisation"), (cb.LogOrganisationsPage, "op", "page"),
    (cb.LogDay, "d", "days_ago"), (cb.LogMinutes, "h", "minutes"), (cb.LogNoNote, "n", None),
    (cb.LogCancel, "x", None), (cb.LogResume, "k", None), (cb.LogStartAgain, "new", None),
    (cb.LogBack, "b", "step"), (cb.LogEdit, "e", "answer"),
)


def answer_handler(data: type[cb.CallbackData], action: str,
                   field: str | None) -> CallbackQueryHandler[TakasContext, None]:
    async def pressed(update: Update, context: TakasContext) -> None:
        value = getattr(data.of(update), field) if field else ""
        await _choose(update, context, action, str(value))

    return CallbackQueryHandler(pressed, pattern=data.pattern)


def catalog_candidates(context: TakasContext, text: str) -> list[list[Any]]:
    """Up to three catalog opportunities matching what the pupil typed: [[id, label]]."""
    result = context.bot_data.search.search(text, language=current_language())
    return [[hit.doc.id, " · ".join(p for p in (hit.doc.title, hit.doc.city) if p)]
            for hit in result.hits[:CANDIDATES]]


async def confirm_pressed(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    nonce = cb.LogConfirm.of(update).nonce
    try:
        logged = await logging_hours.confirm(context.db, user.id, nonce)
    except Refusal as refusal:
        await query.answer()
        await query.message.reply_text(explain(refusal))
        return
    if logged is None:
        await query.answer(_("This entry is no longer open; start again with /log."),
                           show_alert=True)
        return
    await waiting.clear(context, "log")
    await query.answer()
    if not logged.new:
        return  # a double tap: the first one already answered
    if logged.requests:
        context.bot_data.sender.wake()  # the organizers' verification requests
    await query.message.edit_text(
        _("Logged: {hours} on {day}. The organizers will verify it; I will tell you when "
          "they do. /hours shows your progress.").format(
            hours=esc(hours(logged.minutes / 60)), day=esc(date_text(logged.day))))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("log", start_log),
    CallbackQueryHandler(confirm_pressed, pattern=cb.LogConfirm.pattern),
    *(answer_handler(data, action, field) for data, action, field in ANSWERS),
]
# A typed answer to a draft's question is not a search: the waiting dispatcher brings it.
waiting.register("log", on_text)
