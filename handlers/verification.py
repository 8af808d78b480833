"""Organizers verify hours: a message per new entry with Approve and Reject (with a reason),
or, when many wait, one daily digest whose entries can be approved together (/pending, the
list of what waits: handlers/pending.py). The pupil hears the outcome in their own language.

Callback data (handlers/callback_data.py): va:<entry> approve, vr:<entry> choose a reason,
vx:<entry>:<reason> reject, vb:<entry> back; vd:ask:<digest> ask to approve what a digest
listed, vd:yes:<digest> approve it, vd:no:<digest> not now.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from datetime import time

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import TakasApplication, TakasContext
from bot.delivery import kinds
from bot.delivery.kinds import Notice, Part, Renderer
from bot.formatting import date_text, hours
from bot.i18n import _, ngettext
from bot.services.errors import Refusal
from bot.services.hours import LOCAL
from bot.text import esc, shorten, split_message
from bot.usecases import verification
from bot.usecases.verification import EntryView
from handlers import callback_data as cb
from handlers.buttons import expired

DIGEST_TIME = time(17, 0, tzinfo=LOCAL)
REASONS: tuple[cb.RejectReason, ...] = typing.get_args(cb.RejectReason)


def reason_text(code: str) -> str:
    return {
        "absent": _("not seen at the activity"),
        "hours": _("the hours do not match"),
        "organisation": _("another organisation should verify it"),
        "evidence": _("more evidence is needed"),
    }.get(code, code)


def entry_text(entry: EntryView) -> str:
    lines = [_("<b>Hours to verify</b> ({organisation})").format(
                 organisation=esc(entry.organisation)),
             _("{pupil}: {activity}").format(pupil=esc(entry.pupil),
                                             activity=esc(entry.activity)),
             _("{day}, {hours}").format(day=esc(date_text(entry.day)),
                                        hours=esc(hours(entry.minutes / 60)))]
    if entry.note:
        lines.append(_("Note: {note}").format(note=esc(shorten(entry.note, 300))))
    if entry.photo_file_id:
        lines.append(_("📷 The pupil's photo is just above."))
    return "\n".join(lines)


def photo_caption(entry: EntryView) -> str:
    """The caption of the evidence photo sent just before its verification request."""
    return _("📷 Photo from {pupil}: {activity}").format(
        pupil=esc(shorten(entry.pupil, 60)), activity=esc(shorten(entry.activity, 200)))


def request_parts(entry: EntryView) -> list[Part]:
    """The verification request for one entry, its evidence photo first when it has one
    (the request stays a text message: deciding edits its text)."""
    parts = [Part(text=photo_caption(entry), photo_file_id=entry.photo_file_id)] \
        if entry.photo_file_id else []
    parts.append(Part(text=entry_text(entry), reply_markup=decision_keyboard(entry.id)))
    return parts


def decision_keyboard(entry_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✔ Approve"), callback_data=cb.Approve(entry=entry_id).pack()),
        InlineKeyboardButton(_("✖ Reject"), callback_data=cb.Reject(entry=entry_id).pack())]])


def outcome_text(entry: EntryView) -> str:
    """What the pupil hears when their entry is decided."""
    if entry.approved:
        text = _("✔ Your {hours} for «{activity}» on {day} were approved.")
    else:
        text = _("✖ Your {hours} for «{activity}» on {day} were not approved: {reason}.")
    return text.format(hours=esc(hours(entry.minutes / 60)), day=esc(date_text(entry.day)),
                       activity=esc(shorten(entry.activity, 100)),
                       reason=esc(reason_text(entry.reason or "")))


def digest_parts(digest: verification.DigestView) -> list[Part]:
    """The daily digest: what waits, with one "Approve all" under its last message."""
    count = len(digest.entries)
    lines = [_("<b>{count} entries wait for your verification</b>").format(count=count)]
    for entry in digest.entries:
        lines.append(_("• {pupil}, {organisation}: {activity} — {day}, {hours}").format(
            pupil=esc(entry.pupil), organisation=esc(entry.organisation),
            activity=esc(shorten(entry.activity, 60)), day=esc(date_text(entry.day)),
            hours=esc(hours(entry.minutes / 60))))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("✔ Approve all {count}").format(count=count), callback_data=cb.ApproveDigest(
            digest=digest.id).pack())]])
    texts = split_message("\n".join(lines))
    return [Part(text=text, reply_markup=markup if index == len(texts) - 1 else None)
            for index, text in enumerate(texts)]


# -- renderers of what the outbox sends (bot/delivery/kinds.py), in the recipient's language


async def render_request(notice: Notice) -> list[Part]:
    entry = await verification.request_view(notice.db, int(notice.ref))
    return request_parts(entry) if entry is not None else []


async def render_outcome(notice: Notice) -> list[Part]:
    entry = await verification.outcome_view(notice.db, int(notice.ref))
    return [Part(text=outcome_text(entry))] if entry is not None else []


async def render_digest(notice: Notice) -> list[Part]:
    try:
        digest = await verification.digest_view(notice.db, int(notice.ref), notice.chat_id)
    except Refusal:
        return []
    return digest_parts(digest) if digest is not None else []


def renderers(_application: TakasApplication) -> dict[str, Renderer]:
    return {kinds.VERIFY_REQUEST: render_request, kinds.VERIFY_OUTCOME: render_outcome,
            kinds.VERIFY_DIGEST: render_digest}


async def _decide(update: Update, context: TakasContext, entry_id: int, approve: bool,
                  reason: str | None = None) -> None:
    query = update.callback_query
    assert query is not None
    if reason is not None and reason not in REASONS:
        await query.answer(_("This button is not valid."), show_alert=True)
        return
    await verification.decide(context.db, entry_id, query.from_user.id,
                              approve=approve, reason=reason)
    context.bot_data.sender.wake()  # the pupil's outcome was queued
    await query.answer(_("Approved.") if approve else _("Rejected."))
    if isinstance(query.message, Message):
        outcome = _("✔ Approved") if approve else _("✖ Rejected: {reason}").format(
            reason=esc(reason_text(reason or "")))
        await query.message.edit_text(f"{query.message.text_html}\n\n<b>{outcome}</b>")


async def approve_pressed(update: Update, context: TakasContext) -> None:
    await _decide(update, context, cb.Approve.of(update).entry, approve=True)


async def _may_decide(update: Update, context: TakasContext, entry_id: int) -> None:
    """A `Refusal` unless the presser may decide the entry (answered centrally). Reject
    and Back only change the keyboard, but a forged press must not offer a decision."""
    query = update.callback_query
    assert query is not None
    await verification.check_decider(context.db, entry_id, query.from_user.id)


async def reject_pressed(update: Update, context: TakasContext) -> None:
    query, entry = update.callback_query, cb.Reject.of(update).entry
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await _may_decide(update, context, entry)
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
    await _may_decide(update, context, entry)
    await query.answer()
    await query.message.edit_reply_markup(decision_keyboard(entry))


async def digest_job(context: TakasContext) -> None:
    """Once a day: each organizer gets one message listing what waits, with Approve all."""
    if await verification.queue_digests(context.db):
        context.bot_data.sender.wake()


async def _digest_step(
    update: Update, context: TakasContext, digest_id: int,
    step: Callable[..., Awaitable[int | None]],
) -> tuple[CallbackQuery, int, int] | None:
    """Run `step` (`verification.digest_waiting` or `.approve_digest`) for the pressed
    digest: the query, the digest and the count. None when the presser has been answered
    already: an expired or forged button, or nothing of the digest waits (a refusal
    rises to the central error handler)."""
    query = update.callback_query
    if query is None:
        return None
    count = await step(context.db, digest_id, query.from_user.id)
    if count is None:
        await expired(update)
        return None
    if not count:
        await query.answer(_("Nothing waits for your verification."), show_alert=True)
        return None
    return query, digest_id, count


async def approve_all_pressed(update: Update, context: TakasContext) -> None:
    """"Approve all" under a digest: ask first, with the count of what it would approve."""
    found = await _digest_step(update, context, cb.ApproveDigest.of(update).digest,
                               verification.digest_waiting)
    if found is None:
        return
    query, digest_id, count = found
    await query.answer()
    if not isinstance(query.message, Message):
        return
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
                               verification.approve_digest)
    if found is None:
        return
    query, _digest, decided = found
    context.bot_data.sender.wake()  # the pupils' outcomes were queued
    await query.answer(_("Approved: {count}.").format(count=decided))
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Approved: {count}.").format(count=decided))


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
    CallbackQueryHandler(approve_pressed, pattern=cb.Approve.pattern),
    CallbackQueryHandler(reject_pressed, pattern=cb.Reject.pattern),
    CallbackQueryHandler(reason_pressed, pattern=cb.RejectFor.pattern),
    CallbackQueryHandler(back_pressed, pattern=cb.BackToDecision.pattern),
    CallbackQueryHandler(approve_all_pressed, pattern=cb.ApproveDigest.pattern),
    CallbackQueryHandler(approve_digest_pressed, pattern=cb.ApproveDigestYes.pattern),
    CallbackQueryHandler(keep_digest_pressed, pattern=cb.ApproveDigestNo.pattern),
]
