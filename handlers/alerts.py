"""Alerts and alert digests as the follower reads them, rendered when the outbox sends them
(bot/delivery/kinds.py), in the follower's language of that moment; and the half-hourly
job that queues the digests due. What is matched, recorded and queued, and when, is
bot/usecases/alerts.py.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import TakasApplication, TakasContext
from bot.delivery.kinds import Notice, Part, Renderer
from bot.i18n import _, ngettext
from bot.text import esc
from bot.usecases import alerts
from catalog.search.index import SearchDoc
from catalog.sync import FeedReport
from handlers import callback_data as cb
from handlers import views

log = logging.getLogger(__name__)
DIGEST_ITEMS = 10


def alert_message(doc: SearchDoc, label: str, follow_id: int) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join([_("🔔 New for «{label}»:").format(label=esc(label)), "",
                      views.card(0, doc).replace("<b>0. ", "<b>", 1)])
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("Details"), callback_data=views.details(doc.id))],
        [InlineKeyboardButton(_("Stop these alerts"),
                              callback_data=cb.Unfollow(follow=follow_id).pack())]])
    return text, markup


def digest_message(docs: list[SearchDoc]) -> tuple[str, InlineKeyboardMarkup]:
    shown = docs[:DIGEST_ITEMS]
    lines = [ngettext("🔔 <b>{count} new opportunity</b> for what you follow",
                      "🔔 <b>{count} new opportunities</b> for what you follow",
                      len(docs)).format(count=len(docs))]
    for number, doc in enumerate(shown, start=1):
        lines += ["", views.card(number, doc)]
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(str(n), callback_data=views.details(d.id))
         for n, d in enumerate(shown, start=1)],
        [InlineKeyboardButton(_("What I follow"), callback_data=cb.FollowList().pack())]])
    return "\n".join(lines), markup


def renderers(application: TakasApplication) -> dict[str, Renderer]:
    """The renderers of alerts and digests: the opportunities as the search index of this
    application knows them when the message is sent."""

    async def render_alert(notice: Notice) -> list[Part]:
        found = await alerts.alert_views(notice.db, notice.chat_id, notice.ref)
        for view in found:  # one alert per row
            doc = application.bot_data.search.by_id(view.opportunity_id)
            if doc is None or view.label is None or view.follow_id is None:
                return []  # withdrawn from the catalog, or unfollowed meanwhile
            text, markup = alert_message(doc, view.label, view.follow_id)
            return [Part(text=text, reply_markup=markup)]
        return []

    async def render_digest(notice: Notice) -> list[Part]:
        search = application.bot_data.search
        items = [doc for view in await alerts.alert_views(notice.db, notice.chat_id, notice.ref)
                 if (doc := search.by_id(view.opportunity_id)) is not None]
        if not items:
            return []
        text, markup = digest_message(items)
        return [Part(text=text, reply_markup=markup)]

    return {alerts.ALERT: render_alert, alerts.DIGEST: render_digest}


async def on_synced(application: TakasApplication, reports: list[FeedReport]) -> None:
    """The catalog listener: match new opportunities, queue what is due."""
    new_ids = {oid for report in reports for oid in report.added_ids}
    if not new_ids:
        return
    data = application.bot_data
    done = await alerts.alert_new(data.db, data.search.index, new_ids)
    if done.immediate:
        data.sender.wake()
    log.info("alerts: %d new opportunities, %d alerts (%d immediate)", len(new_ids),
             done.alerts, done.immediate)


async def digest_job(context: TakasContext) -> None:
    """Runs every half hour: queue the daily and weekly digests that are due."""
    if await alerts.queue_digests(context.db):
        context.bot_data.sender.wake()
