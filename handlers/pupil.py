"""A pupil's own things: /profile, /hours (progress by school year), /mydata (everything
stored, as JSON) and /forgetme (erase, with confirmation). /export: handlers/certificates.py.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import TakasContext
from bot.formatting import hours, hours_words
from bot.i18n import _
from bot.services.errors import Refusal
from bot.text import esc
from bot.usecases import profile as usecase
from bot.usecases import progress, reminders
from bot.usecases.profile import ProfileView
from handlers import callback_data as cb
from handlers import waiting, webapp
from handlers.buttons import expired
from handlers.refusals import explain


async def profile_command(update: Update, context: TakasContext) -> None:
    """/profile shows it with a button per field; /profile school|grade|municipality|target
    VALUE sets a field at once (the English shortcut)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    if len(args) >= 2 and args[0].lower() in usecase.FIELDS:
        record = await usecase.set_field(context.db, user.id, args[0].lower(),
                                         " ".join(args[1:]))
    else:
        record = await usecase.profile(context.db, user.id)
    if record is not None:
        await message.reply_text(profile_text(record),
                                 reply_markup=profile_keyboard(record.target_reminders))


def profile_text(record: ProfileView) -> str:
    lines = [_("<b>Your profile</b>"),
             _("School: {value}").format(value=esc(record.school or "—")),
             _("Grade: {value}").format(value=esc(record.grade or "—")),
             _("Municipality: {value}").format(value=esc(record.municipality or "—")),
             _("Yearly target: {value}").format(value=esc(
                 hours(record.yearly_target_minutes / 60)
                 if record.yearly_target_minutes else "—")),
             _("Full name (on certificates): {value}").format(
                 value=esc(record.full_name or "—")),
             _("🔔 A reminder once a month while you are behind your yearly target: on")
             if record.target_reminders else
             _("🔕 A reminder once a month while you are behind your yearly target: off")]
    return "\n".join([*lines, "", _("Press what you want to change.")])


def field_labels() -> dict[str, str]:
    return {"school": _("🏫 School"), "grade": _("🎓 Grade"),
            "municipality": _("🏘 Municipality"), "target": _("🎯 Yearly target"),
            "full_name": _("🪪 Full name")}


def profile_keyboard(reminders_on: bool) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(label, callback_data=cb.ProfileField(field=field).pack())
               for field, label in field_labels().items()]
    switch = InlineKeyboardButton(
        _("🔕 Turn reminders off") if reminders_on else _("🔔 Turn reminders on"),
        callback_data=cb.ProfileReminders(on=not reminders_on).pack())
    return InlineKeyboardMarkup([buttons[:2], buttons[2:4], buttons[4:], [switch]])


async def reminders_pressed(update: Update, context: TakasContext) -> None:
    """The reminders switch (in /profile, or "No more reminders" under a reminder): the
    message becomes the profile card as it is now."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    record = await reminders.set_reminders(context.db, query.from_user.id,
                                           cb.ProfileReminders.of(update).on)
    await query.answer()
    if record is not None:
        await query.message.edit_text(profile_text(record),
                                      reply_markup=profile_keyboard(record.target_reminders))


def field_question(field: str) -> str:
    return {"school": _("Write the name of your school."),
            "grade": _("Write your grade or class, e.g. 10 or 3b."),
            "municipality": _("Write your municipality."),
            "target": _("Write your yearly target in hours, e.g. 40."),
            "full_name": _("Write your full name (first name and surname) as it should be "
                           "printed on your certificates."),
            }.get(field, "")


def cancel_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        _("✖ Cancel"), callback_data=cb.ProfileCancel().pack())]])


async def field_pressed(update: Update, context: TakasContext) -> None:
    """A field's button: ask for its value and wait for the typed answer."""
    query, field = update.callback_query, cb.ProfileField.of(update).field
    if query is None or not isinstance(query.message, Message) or field not in usecase.FIELDS:
        await expired(update)
        return
    await waiting.expect(context, "profile", field=field)
    await query.answer()
    await query.message.edit_text(field_question(field), reply_markup=cancel_keyboard())


async def cancel_pressed(update: Update, context: TakasContext) -> None:
    """Cancel under a field's question: stop waiting for its value."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await waiting.clear(context, "profile")
    await query.answer()
    await query.message.edit_text(_("Nothing changed."))


async def profile_answer(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """The typed value of the field /profile asked for (a photo is not one: steps aside)."""
    message, user = update.effective_message, update.effective_user
    field = state.get("field")
    if message is None or user is None or not message.text or field not in usecase.FIELDS:
        return False
    try:
        record = await usecase.set_field(context.db, user.id, str(field), message.text)
    except Refusal as refusal:  # still waiting: the user may write it again
        await message.reply_text(explain(refusal),
                                 reply_markup=cancel_keyboard())
        return True
    await waiting.clear(context, "profile")
    if record is not None:
        await message.reply_text(_("Saved.") + "\n\n" + profile_text(record),
                                 reply_markup=profile_keyboard(record.target_reminders))
    return True


waiting.register("profile", profile_answer)


def kind_name(kind: str) -> str:
    return {"course": _("Courses"), "event": _("Events"), "volunteering": _("Volunteering"),
            }.get(kind, _("Other activities"))


async def hours_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = await progress.summary(context.db, user.id)
    if not found.years:
        await message.reply_text(_("No hours logged yet. /log adds your first."))
        return
    lines: list[str] = []
    for year in found.years:
        lines.append(_("<b>School year {first}–{last}</b>").format(
            first=year.first.year, last=year.last.year))
        lines.append(_("Approved: {approved} · waiting: {pending}").format(
            approved=esc(hours_words(year.approved)), pending=esc(hours_words(year.pending))))
        for name, approved, pending in year.by_organisation:
            lines.append(_("• {organisation}: {approved} approved, {pending} waiting").format(
                organisation=esc(name), approved=esc(hours_words(approved)),
                pending=esc(hours_words(pending))))
        kinds = dict(year.by_kind)
        if len(kinds) > 1 or set(kinds) - {"other"}:
            for kind, minutes in year.by_kind:
                lines.append(_("• {kind}: {hours} approved").format(
                    kind=esc(kind_name(kind)), hours=esc(hours_words(minutes))))
        target = year.target  # only the current school year has one
        if target:
            share = min(100, round(100 * year.approved / target))
            bar = "▓" * (share // 10) + "░" * (10 - share // 10)
            lines.append(_("Yearly target: {target} · {bar} {share}%").format(
                target=esc(hours_words(target)), bar=bar, share=share))
            if year.passed:
                lines.append(_("✔ Passed: the yearly target is reached."))
        lines.append("")
    lines.append(_("/export sends a CSV and a PDF certificate."))
    rows = webapp.open_rows(context, message.chat, map_page=False, profile=True)
    await message.reply_text("\n".join(lines),
                             reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def mydata_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    data = await usecase.personal_data(context.db, user.id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.reply_document(InputFile(payload, filename="takas-my-data.json"),
                                 caption=_("Everything Takas stores about you."))


async def forgetme_command(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        _("This erases your profile, searches and unverified hours. Approved hours stay in "
          "the organisations' reports without your name: on your school's class list you "
          "become a former pupil with a number instead. This cannot be undone."),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(_("Erase my data"), callback_data=cb.ForgetMe(
                erase="yes").pack()),
            InlineKeyboardButton(_("Keep it"), callback_data=cb.ForgetMe(erase="no").pack())]]))


async def forgetme_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await query.answer()
    if cb.ForgetMe.of(update).erase != "yes":
        await query.message.edit_text(_("Nothing was erased."))
        return
    await usecase.forget(context.db, query.from_user.id)
    await query.message.edit_text(_("Done: your data is erased. If you write again, I will "
                                    "start afresh."))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("profile", profile_command),
    CallbackQueryHandler(field_pressed, pattern=cb.ProfileField.pattern),
    CallbackQueryHandler(cancel_pressed, pattern=cb.ProfileCancel.pattern),
    CallbackQueryHandler(reminders_pressed, pattern=cb.ProfileReminders.pattern),
    CommandHandler("hours", hours_command),
    CommandHandler("mydata", mydata_command),
    CommandHandler("forgetme", forgetme_command),
    CallbackQueryHandler(forgetme_pressed, pattern=cb.ForgetMe.pattern),
]
