"""/export (the CSV of all entries, then a certificate of one school year or of all),
/verify CODE (anyone checks a certificate, a few times an hour) and /revoke CODE
(administrators).

A certificate carries a QR code of its public page (`/verify/<code>`, bot/verify_page.py)
when the deployment has a public address (PUBLIC_URL, else WEBHOOK_URL's origin); without
one (the console, plain polling) the pupil is told so, and the code still works in /verify.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import date_text, hours_words
from bot.i18n import _, current_language
from bot.services import exports
from bot.services.errors import Refusal
from bot.text import esc
from bot.usecases import certificates as usecase
from bot.usecases.certificates import CertificateStatus
from handlers import waiting
from handlers.buttons import expired
from handlers.callback_data import Bounded, CallbackData
from handlers.refusals import explain

NAME_FLOW = "certificate_name"  # handlers/waiting.py: the full name typed before /export
ALL_YEARS = 0  # CertificateYear.year for a certificate of every school year


class CertificateYear(CallbackData, prefix="cy"):
    """The school year (its first calendar year) a certificate covers; ALL_YEARS: all."""

    year: Annotated[int, Bounded(0, 9999)]


def year_label(first: date) -> str:
    # TRANSLATORS: a button choosing the school year of a certificate, e.g. "2025–2026".
    return _("School year {first}–{last}").format(first=first.year, last=first.year + 1)


async def export_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    choice = await usecase.export_choice(context.db, user.id)
    if not choice.rows:
        await message.reply_text(_("No hours logged yet. /log adds your first."))
        return
    await message.reply_document(
        InputFile(exports.entries_csv(choice.rows), filename="takas-hours.csv"),
        caption=_("All your entries (CSV)."))
    if not choice.years:
        await message.reply_text(_("The certificate lists approved hours; none are approved "
                                   "yet."))
        return
    if choice.needs_name:
        await waiting.expect(context, NAME_FLOW)
        await message.reply_text(_("Before your first certificate: write your full name as it "
                                   "should be printed on it, e.g. Ona Jonaitytė. /profile can "
                                   "change it later."))
        return
    await offer_certificate(message, context, user.id, choice.years)


async def name_typed(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """The full name asked before the first certificate; then the certificate goes on."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    # A refusal rises (answered centrally); the flow still waits for a usable name.
    await usecase.set_full_name(context.db, user.id, message.text)
    await waiting.clear(context, NAME_FLOW)
    choice = await usecase.export_choice(context.db, user.id)
    await offer_certificate(message, context, user.id, choice.years)
    return True


async def offer_certificate(message: Message, context: TakasContext, user_id: int,
                            years: tuple[date, ...]) -> None:
    """The certificate at once when one school year has approved hours, else the choice."""
    if not years:
        return
    if len(years) == 1:  # nothing to choose: that year's certificate
        await send_certificate(message, context, user_id, years[0])
        return
    choices = years
    rows = [[InlineKeyboardButton(year_label(first),
                                  callback_data=CertificateYear(year=first.year).pack())]
            for first in choices]
    rows.append([InlineKeyboardButton(_("All school years"),
                                      callback_data=CertificateYear(year=ALL_YEARS).pack())])
    await message.reply_text(_("A certificate of which school year?"),
                             reply_markup=InlineKeyboardMarkup(rows))


async def year_pressed(update: Update, context: TakasContext) -> None:
    """A school year (or all of them) chosen for the certificate."""
    query = update.callback_query
    try:
        chosen = CertificateYear.parse((query.data if query else None) or "")
    except ValueError:
        chosen = None
    if query is None or chosen is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await query.answer()
    year = None if chosen.year == ALL_YEARS else date(chosen.year, 9, 1)
    if query.message.reply_markup is not None:  # the question's buttons: answered
        await query.message.edit_reply_markup(None)
    await send_certificate(query.message, context, query.from_user.id, year)


async def send_certificate(message: Message, context: TakasContext, user_id: int,
                           year: date | None) -> None:
    try:
        issued = await usecase.issue_certificate(
            context.db, user_id, year, base_url=context.settings.public_base_url)
    except Refusal as refusal:
        await message.reply_text(explain(refusal))
        return
    # Laying out the PDF is CPU work: off the event loop (the language context goes along).
    pdf = await asyncio.to_thread(exports.certificate_pdf, issued.data)
    code = issued.data.code
    caption = _("Your certificate of approved hours (code {code}).").format(code=esc(code))
    await message.reply_document(InputFile(pdf, filename="takas-certificate.pdf"),
                                 caption=caption)
    if issued.url is None:
        await message.reply_text(_("It has no QR code: this Takas has no public web address. "
                                   "Anyone can still check it by sending /verify {code} "
                                   "here.").format(code=esc(code)))


def period_text(status: CertificateStatus) -> str:
    if status.school_year is None:
        return _("all school years")
    first, last = status.school_year
    return _("the school year {first}–{last}").format(first=first.year, last=last.year)


def status_text(status: CertificateStatus) -> str:
    """What /verify answers: valid (with the facts) or revoked."""
    values = {"code": esc(status.code), "learner": esc(status.learner),
              "hours": esc(hours_words(status.minutes)), "period": esc(period_text(status)),
              "day": esc(date_text(status.issued_on))}
    if status.revoked_at is not None:
        return _("✖ Certificate {code} was revoked on {revoked}: it no longer proves any "
                 "hours.").format(code=values["code"], revoked=esc(format_date(
                     status.revoked_at.date(), "long", locale=current_language())))
    if status.learner:
        return _("✔ Valid certificate {code}: {learner}, {hours} approved in {period}, issued "
                 "on {day}.").format(**values)
    # The learner erased their data with /forgetme: the hours stand, nameless.
    return _("✔ Valid certificate {code}: {hours} approved in {period}, issued on {day}. The "
             "learner has since erased their data from Takas.").format(**values)


async def verify_command(update: Update, context: TakasContext) -> None:
    """/verify CODE: anyone checks a certificate someone handed them."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text(_("Write it as /verify CODE, with the code printed on the "
                                   "certificate."))
        return
    status = await usecase.check_certificate(context.db, " ".join(context.args),
                                             actor_id=user.id)
    await message.reply_text(status_text(status))


async def revoke_command(update: Update, context: TakasContext) -> None:
    """/revoke CODE: an administrator revokes a certificate; its page says so at once."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text(_("Write it as /revoke CODE."))
        return
    status = await usecase.revoke_certificate(
        context.db, " ".join(context.args), actor_id=user.id,
        is_admin=user.id in context.settings.admin_ids)
    await message.reply_text(_("Certificate {code} is revoked; /verify and its page now say "
                               "so.").format(code=esc(status.code)))


waiting.register(NAME_FLOW, name_typed)

HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("export", export_command),
    CallbackQueryHandler(year_pressed, pattern=CertificateYear.pattern),
    CommandHandler("verify", verify_command),
    CommandHandler("revoke", revoke_command),
]
