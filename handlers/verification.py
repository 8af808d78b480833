"""Organizers verify hours: a message per new entry with Approve and Reject (with a reason),
or, when many wait, one daily digest whose entries can be approved together; /pending lists
what waits. The pupil hears the outcome in their own language.

Callback data: va:<entry> approve, vr:<entry> choose a reason, vx:<entry>:<reason> reject,
vA:<digest> ask to approve what a digest listed, vY:<digest> approve it, vN:<digest> not now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import time, timedelta

from sqlalchemy import func, select
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import date_text, hours
from bot.i18n import _, ngettext
from bot.services import hours as hour_rules
from bot.services import verification_digests
from bot.services.errors import Refusal
from bot.services.orgs import organizer_ids
from bot.storage.models import EntryStatus, HourEntry, Organisation, User, utcnow
from bot.text import esc, shorten, split_message
from handlers import callback_data as cb
from handlers.buttons import expired
from handlers.refusals import explain

# More pending entries than this for one organisation in a day: no more single messages,
# the daily digest carries them.
DIGEST_AFTER = 5
DIGEST_TIME = time(17, 0, tzinfo=hour_rules.LOCAL)
REASONS = ("absent", "hours", "organisation", "evidence")


def reason_text(code: str) -> str:
    return {
        "absent": _("not seen at the activity"),
        "hours": _("the hours do not match"),
        "organisation": _("another organisation should verify it"),
        "evidence": _("more evidence is needed"),
    }.get(code, code)


def entry_text(entry: HourEntry, pupil: str, organisation: str) -> str:
    lines = [_("<b>Hours to verify</b> ({organisation})").format(organisation=esc(organisation)),
             _("{pupil}: {activity}").format(pupil=esc(pupil), activity=esc(entry.activity)),
             _("{day}, {hours}").format(day=esc(date_text(entry.day)),
                                        hours=esc(hours(entry.minutes / 60)))]
    if entry.note:
        lines.append(_("Note: {note}").format(note=esc(shorten(entry.note, 300))))
    if entry.photo_file_id:
        lines.append(_("📷 The pupil's photo is just above."))
    return "\n".join(lines)


def photo_caption(entry: HourEntry, pupil: str) -> str:
    """The caption of the evidence photo sent just before its verification request."""
    return _("📷 Photo from {pupil}: {activity}").format(
        pupil=esc(shorten(pupil, 60)), activity=esc(shorten(entry.activity, 200)))


async def send_request(bot: Bot, chat_id: int, entry: HourEntry, pupil: str,
                       organisation: str) -> None:
    """The verification request for one entry, its evidence photo first when it has one
    (the request stays a text message: deciding edits its text)."""
    if entry.photo_file_id:
        await bot.send_photo(chat_id, entry.photo_file_id, caption=photo_caption(entry, pupil),
                             parse_mode=ParseMode.HTML)
    await bot.send_message(chat_id, entry_text(entry, pupil, organisation),
                           parse_mode=ParseMode.HTML, reply_markup=decision_keyboard(entry.id))


def decision_keyboard(entry_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✔ Approve"), callback_data=cb.Approve(entry=entry_id).pack()),
        InlineKeyboardButton(_("✖ Reject"), callback_data=cb.Reject(entry=entry_id).pack())]])


async def _pupil_and_org(session: object, entry: HourEntry) -> tuple[str, str]:
    pupil = await session.get(User, entry.user_id) if entry.user_id else None  # type: ignore[attr-defined]
    organisation = await session.get(Organisation, entry.organisation_id)  # type: ignore[attr-defined]
    return (pupil.first_name if pupil else "?"), (organisation.name if organisation else "?")


async def notify_organizers(context: TakasContext, entry_id: int) -> None:
    """Tell the organisation's organizers about a new entry, unless the digest will."""
    async with context.db.transaction() as session:
        entry = await session.get(HourEntry, entry_id)
        if entry is None or entry.status != EntryStatus.PENDING.value:
            return
        since = utcnow() - timedelta(days=1)
        waiting = await session.scalar(select(func.count()).select_from(HourEntry).where(
            HourEntry.organisation_id == entry.organisation_id,
            HourEntry.status == EntryStatus.PENDING.value, HourEntry.created_at >= since))
        if int(waiting or 0) > DIGEST_AFTER:
            return
        pupil, organisation = await _pupil_and_org(session, entry)
        recipients = [uid for uid in await organizer_ids(session, entry.organisation_id)
                      if uid != entry.user_id]
        languages = {uid: (await session.get(User, uid)) for uid in recipients}
    for uid in recipients:
        user = languages[uid]
        language = context.i18n.resolve(user.language if user else None,
                                        user.telegram_language if user else None)
        try:
            with context.i18n.use(language):
                await send_request(context.bot, uid, entry, pupil, organisation)
        except TelegramError:
            continue  # the digest and /pending still show it


async def tell_pupil(context: TakasContext, entry: HourEntry) -> None:
    if entry.user_id is None:
        return
    async with context.db.transaction() as session:
        pupil = await session.get(User, entry.user_id)
    if pupil is None:
        return
    with context.i18n.use(context.i18n.resolve(pupil.language, pupil.telegram_language)):
        if entry.status == EntryStatus.APPROVED.value:
            text = _("✔ Your {hours} for «{activity}» on {day} were approved.")
        else:
            text = _("✖ Your {hours} for «{activity}» on {day} were not approved: {reason}.")
        text = text.format(hours=esc(hours(entry.minutes / 60)), day=esc(date_text(entry.day)),
                           activity=esc(shorten(entry.activity, 100)),
                           reason=esc(reason_text(entry.reason or "")))
    with contextlib.suppress(TelegramError):  # if it fails, they will see it in /hours
        await context.bot.send_message(entry.user_id, text, parse_mode=ParseMode.HTML)


async def _decide(update: Update, context: TakasContext, entry_id: int, approve: bool,
                  reason: str | None = None) -> None:
    query = update.callback_query
    assert query is not None
    if reason is not None and reason not in REASONS:
        await query.answer(_("This button is not valid."), show_alert=True)
        return
    try:
        async with context.db.transaction() as session:
            entry = await hour_rules.decide(session, entry_id, organizer_id=query.from_user.id,
                                            approve=approve, reason=reason)
    except Refusal as refusal:
        await query.answer(explain(refusal)[:200], show_alert=True)
        return
    await query.answer(_("Approved.") if approve else _("Rejected."))
    if isinstance(query.message, Message):
        outcome = _("✔ Approved") if approve else _("✖ Rejected: {reason}").format(
            reason=esc(reason_text(reason or "")))
        await query.message.edit_text(f"{query.message.text_html}\n\n<b>{outcome}</b>",
                                      parse_mode=ParseMode.HTML)
    await tell_pupil(context, entry)


async def approve_pressed(update: Update, context: TakasContext) -> None:
    await _decide(update, context, cb.Approve.of(update).entry, approve=True)


async def _may_decide(update: Update, context: TakasContext, entry_id: int) -> bool:
    """Whether the presser may decide the entry; if not, they are told why. Reject and
    Back only change the keyboard, but a forged press must not offer a decision."""
    query = update.callback_query
    assert query is not None
    try:
        async with context.db.transaction() as session:
            await hour_rules.decider_check(session, entry_id, query.from_user.id)
    except Refusal as refusal:
        await query.answer(explain(refusal)[:200], show_alert=True)
        return False
    return True


async def reject_pressed(update: Update, context: TakasContext) -> None:
    query, entry = update.callback_query, cb.Reject.of(update).entry
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    if not await _may_decide(update, context, entry):
        return
    await query.answer()
    rows = [[InlineKeyboardButton(reason_text(code), callback_data=cb.RejectFor(
        entry=entry, reason=code).pack())] for code in REASONS]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=cb.BackToDecision(
        entry=entry).pack())])
    await query.message.edit_reply_markup(InlineKeyboardMarkup(rows))


async def reason_pressed(update: Update, context: TakasContext) -> None:
    data = cb.RejectFor.of(update)
    await _decide(update, context, data.entry, approve=False, reason=data.reason)


async def back_pressed(update: Update, context: TakasContext) -> None:
    query, entry = update.callback_query, cb.BackToDecision.of(update).entry
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    if not await _may_decide(update, context, entry):
        return
    await query.answer()
    await query.message.edit_reply_markup(decision_keyboard(entry))


async def pending_command(update: Update, context: TakasContext) -> None:
    """/pending: what waits for this organizer, one message per entry (at most 20)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    async with context.db.transaction() as session:
        waiting = await hour_rules.pending_for(session, user.id)
        named = [(entry, *(await _pupil_and_org(session, entry))) for entry in waiting[:20]]
    if not named:
        await message.reply_text(_("Nothing waits for your verification."))
        return
    for entry, pupil, organisation in named:
        await send_request(context.bot, message.chat_id, entry, pupil, organisation)


async def digest_job(context: TakasContext) -> None:
    """Once a day: each organizer gets one message listing what waits, with Approve all."""
    async with context.db.transaction() as session:
        organizers = (await session.scalars(
            select(User.id).where(User.role.in_(("organizer", "admin"))))).all()
    for organizer_id in organizers:
        await send_digest(context, organizer_id)


async def send_digest(context: TakasContext, organizer_id: int) -> None:
    async with context.db.transaction() as session:
        waiting = await hour_rules.pending_for(session, organizer_id)
        named = [(entry, *(await _pupil_and_org(session, entry))) for entry in waiting]
        user = await session.get(User, organizer_id)
        if not named or user is None:
            return
        digest_id = await verification_digests.record(session, organizer_id, waiting)
    with context.i18n.use(context.i18n.resolve(user.language, user.telegram_language)):
        lines = [_("<b>{count} entries wait for your verification</b>").format(count=len(named))]
        for entry, pupil, organisation in named:
            lines.append(_("• {pupil}, {organisation}: {activity} — {day}, {hours}").format(
                pupil=esc(pupil), organisation=esc(organisation),
                activity=esc(shorten(entry.activity, 60)), day=esc(date_text(entry.day)),
                hours=esc(hours(entry.minutes / 60))))
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            _("✔ Approve all {count}").format(count=len(named)),
            callback_data=cb.ApproveDigest(digest=digest_id).pack())]])
        parts = split_message("\n".join(lines))
    try:
        for index, part in enumerate(parts):
            await context.bot.send_message(organizer_id, part, parse_mode=ParseMode.HTML,
                                           reply_markup=markup if index == len(parts) - 1
                                           else None)
    except TelegramError:
        return


async def _digest_step(
    update: Update, context: TakasContext, digest_id: int,
    step: Callable[..., Awaitable[list[HourEntry] | None]],
) -> tuple[CallbackQuery, int, list[HourEntry]] | None:
    """Run `step` (`verification_digests.waiting` or `.approve`) for the pressed digest.
    None when the presser has been answered already: an expired or forged button, a
    refusal, or nothing of the digest waits any more."""
    query = update.callback_query
    if query is None:
        return None
    try:
        async with context.db.transaction() as session:
            entries = await step(session, digest_id, query.from_user.id)
    except Refusal as refusal:
        await query.answer(explain(refusal)[:200], show_alert=True)
        return None
    if entries is None:
        await expired(update)
        return None
    if not entries:
        await query.answer(_("Nothing waits for your verification."), show_alert=True)
        return None
    return query, digest_id, entries


async def approve_all_pressed(update: Update, context: TakasContext) -> None:
    """"Approve all" under a digest: ask first, with the count of what it would approve."""
    found = await _digest_step(update, context, cb.ApproveDigest.of(update).digest,
                               verification_digests.waiting)
    if found is None:
        return
    query, digest_id, waiting = found
    await query.answer()
    if not isinstance(query.message, Message):
        return
    count = len(waiting)
    await query.message.reply_text(
        ngettext("Approve the {count} entry of this digest that still waits?",
                 "Approve the {count} entries of this digest that still wait?",
                 count).format(count=count),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(_("✔ Yes, approve {count}").format(count=count),
                                 callback_data=cb.ApproveDigestYes(digest=digest_id).pack()),
            InlineKeyboardButton(_("✖ No"), callback_data=cb.ApproveDigestNo(
                digest=digest_id).pack())]]))


async def approve_digest_pressed(update: Update, context: TakasContext) -> None:
    """"Yes" under the confirmation: approve what the digest listed and still waits."""
    found = await _digest_step(update, context, cb.ApproveDigestYes.of(update).digest,
                               verification_digests.approve)
    if found is None:
        return
    query, _digest, decided = found
    await query.answer(_("Approved: {count}.").format(count=len(decided)))
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Approved: {count}.").format(count=len(decided)))
    for entry in decided:
        await tell_pupil(context, entry)


async def keep_digest_pressed(update: Update, context: TakasContext) -> None:
    """"No" under the confirmation: nothing changes."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Nothing was approved."))


def schedule_digest(application: object) -> None:
    job_queue = getattr(application, "job_queue", None)
    if job_queue is not None:
        job_queue.run_daily(digest_job, DIGEST_TIME, name="verification-digest")


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("pending", pending_command),
    CallbackQueryHandler(approve_pressed, pattern=cb.Approve.pattern),
    CallbackQueryHandler(reject_pressed, pattern=cb.Reject.pattern),
    CallbackQueryHandler(reason_pressed, pattern=cb.RejectFor.pattern),
    CallbackQueryHandler(back_pressed, pattern=cb.BackToDecision.pattern),
    CallbackQueryHandler(approve_all_pressed, pattern=cb.ApproveDigest.pattern),
    CallbackQueryHandler(approve_digest_pressed, pattern=cb.ApproveDigestYes.pattern),
    CallbackQueryHandler(keep_digest_pressed, pattern=cb.ApproveDigestNo.pattern),
]
