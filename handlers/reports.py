"""/report in chat: an organisation's report of a school year, for its organizers.

    /report [CLASS] [YEAR]    e.g. /report, /report 8B, /report 8B 2025

A school gets one row per pupil (full name, class, approved and pending hours, target,
passed or not) as a CSV for the e-diary, and a PDF summary; any organisation also gets
who took part in each activity, their hours and who verified them.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import TakasContext
from bot.i18n import _
from bot.text import esc
from bot.usecases import reports as usecase


def _arguments(args: list[str]) -> tuple[str | None, int | None]:
    class_text, year = None, None
    for arg in args:
        if arg.isascii() and arg.isdecimal() and len(arg) == 4:
            year = int(arg)
        else:
            class_text = arg
    return class_text, year


async def report_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    class_text, year = _arguments(context.args or [])
    files = await usecase.organisation_reports(
        context.db, user.id, year=year, class_text=class_text,
        is_admin=user.id in context.settings.admin_ids)
    for report in files:
        caption = _("{organisation}, school year {year}. Rows: {count}.").format(
            organisation=esc(report.organisation),
            year=f"{report.year}/{report.year + 1}", count=report.rows)
        await message.reply_document(InputFile(report.csv, filename=usecase.csv_name(report)),
                                     caption=caption)
        await message.reply_document(InputFile(report.pdf, filename=usecase.pdf_name(report)))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("report", report_command),
]
