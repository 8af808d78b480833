"""The monthly reminder to a pupil behind their yearly target, as the pupil reads it when
the outbox sends it (bot/delivery/kinds.py: `target_reminder`), in their language of that
moment; and the daily job that queues the reminders due (bot/usecases/reminders.py).

Its buttons: activities near the pupil (handlers/location.py asks for the location) and
turning the reminders off (the /profile switch, handlers/pupil.py).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import TakasApplication, TakasContext
from bot.delivery import kinds
from bot.delivery.kinds import Notice, Part, Renderer
from bot.formatting import hours_words
from bot.i18n import _
from bot.services.hours import LOCAL
from bot.text import esc, is_id
from bot.usecases import reminders
from handlers import callback_data as cb

# After school, well before the quiet hours (21:00): the job queues, the sender sends.
REMINDER_TIME = time(16, 30, tzinfo=LOCAL)


def reminder_text(view: reminders.Reminder) -> str:
    return "\n\n".join([
        _("🎯 A friendly reminder about your yearly target of {target}: {approved} approved "
          "so far, {pending} waiting for verification, {left} to go.").format(
            target=esc(hours_words(view.target)), approved=esc(hours_words(view.approved)),
            pending=esc(hours_words(view.pending)), left=esc(hours_words(view.left))),
        _("Find an activity near you with the button below, and record what you did with "
          "/log. /hours shows your progress.")])


def reminder_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("📍 Activities near me"), callback_data=cb.NearMe().pack())],
        [InlineKeyboardButton(_("🔕 No more reminders"),
                              callback_data=cb.ProfileReminders(on=False).pack())]])


async def render_reminder(notice: Notice) -> list[Part]:
    if not is_id(notice.ref) or int(notice.ref) != notice.chat_id:
        return []
    view = await reminders.reminder(notice.db, notice.chat_id)
    if view is None:  # caught up, turned off, or the quiet hours began meanwhile
        return []
    return [Part(text=reminder_text(view), reply_markup=reminder_keyboard())]


def renderers(_application: TakasApplication) -> dict[str, Renderer]:
    return {kinds.TARGET_REMINDER: render_reminder}


async def reminders_job(context: TakasContext) -> None:
    """Daily: queue the monthly reminders due (at most one per pupil in 30 days)."""
    if await reminders.queue_all(context.db):
        context.bot_data.sender.wake()


def schedule(application: Any) -> None:
    if application.job_queue is not None:
        application.job_queue.run_daily(reminders_job, REMINDER_TIME, name="target-reminders",
                                        job_kwargs={"max_instances": 1, "coalesce": True})
