"""Telegram adapters, one module per user flow, registered in order.

Order matters: the middleware runs first (group -100) for every update (it ignores group
messages not addressed to the bot and drops floods); group chats are handled, and stopped,
at -50; within group 0 the first matching handler wins, so specific commands come before the
fallback, which must stay last because it accepts any private message.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import TakasApplication
from catalog.sync import FeedReport
from handlers import (
    alerts,
    attendance,
    badges,
    broadcast,
    certificates,
    errors,
    fallback,
    feeds,
    follow,
    groups,
    inline,
    language,
    learners,
    location,
    log,
    middleware,
    organisations,
    pending,
    playlists,
    pupil,
    reminders,
    reports,
    schools,
    search,
    start,
    verification,
    waiting,
)
from handlers.commands import described

FLOWS = (start, language, feeds, search, location, inline, log, verification, pending,
         organisations, pupil, certificates, follow, broadcast, badges, playlists, schools,
         attendance, reports)
MIDDLEWARE_GROUP = -100
GROUP_CHATS_GROUP = -50
FLOW_ANSWERS_GROUP = -10
LEARNER_GATE_GROUP = -5


# Modules that render what the outbox sends to other people (bot/delivery/kinds.py):
# each has `renderers(application)`, the renderer of each kind it owns.
NOTICES = (alerts, verification, pending, attendance, reminders, broadcast)


def register(application: TakasApplication) -> None:
    for module in NOTICES:
        for kind, renderer in module.renderers(application).items():
            application.bot_data.kinds.register(kind, renderer)
    application.add_handler(TypeHandler(Update, middleware.prepare), group=MIDDLEWARE_GROUP)
    # Group chats are answered by their own module, which stops the update there: no flow
    # below (searches, personal commands) ever runs for a group message.
    application.add_handlers(groups.HANDLERS, group=GROUP_CHATS_GROUP)
    # A typed message goes first to the flow that waits for it (handlers/waiting.py); when
    # none waits, or the flow steps aside, the later groups run as usual.
    application.add_handler(waiting.HANDLER, group=FLOW_ANSWERS_GROUP)
    # Organizer commands typed by a learner get a learner's answer before the command runs.
    application.add_handlers(learners.HANDLERS, group=LEARNER_GATE_GROUP)
    for flow in FLOWS:
        application.add_handlers(flow.HANDLERS)
    application.add_handler(search.TEXT_HANDLER)  # after commands: any other text is a search
    application.add_handlers(fallback.HANDLERS)  # last: catches what nothing else took
    application.add_error_handler(errors.on_error)

    async def alert_followers(reports: list[FeedReport]) -> None:
        await alerts.on_synced(application, reports)

    # Registered after the search index's listener: alerts match against the fresh index.
    application.bot_data.catalog.listeners.append(alert_followers)


def schedule(application: TakasApplication) -> None:
    """The handlers' scheduled jobs, in the one process that runs background work."""
    verification.schedule_digest(application)
    pending.schedule(application)
    broadcast.schedule(application)
    reminders.schedule(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(alerts.digest_job, interval=30 * 60, first=60,
                                            name="alert-digests")


__all__ = ["described", "register", "schedule"]
