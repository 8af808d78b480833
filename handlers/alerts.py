"""Alerts: after every sync, new opportunities go to the people who follow something they
match, in each person's language, as a message now or in a daily/weekly digest, and never
during quiet hours. Messages go through the outbox (bot.delivery), so pacing, retries and
crash safety are the delivery engine's.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, tuple_, update
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import TakasApplication, TakasContext
from bot.i18n import _, ngettext
from bot.services import follows as rules
from bot.storage import outbox
from bot.storage.models import Alert, Follow, User, utcnow
from bot.text import esc
from catalog.search.index import SearchDoc
from catalog.sync import FeedReport
from handlers import callback_data as cb
from handlers import views

log = logging.getLogger(__name__)
DIGEST_ITEMS = 10


def alert_message(doc: SearchDoc, follow: Follow) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join([_("🔔 New for «{label}»:").format(label=esc(follow.label)), "",
                      views.card(0, doc).replace("<b>0. ", "<b>", 1)])
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("Details"), callback_data=views.details(doc.id))],
        [InlineKeyboardButton(_("Stop these alerts"),
                              callback_data=cb.Unfollow(follow=follow.id).pack())]])
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


async def on_synced(application: TakasApplication, reports: list[FeedReport]) -> None:
    """The catalog listener: match new opportunities, queue what is due."""
    new_ids = {oid for report in reports for oid in report.added_ids}
    if not new_ids:
        return
    data = application.bot_data
    async with data.db.transaction() as session:
        everything = list((await session.scalars(select(Follow))).all())
    if not everything:
        return
    found = await data.search.in_thread(rules.matches, everything, new_ids)
    now = utcnow()
    async with data.db.transaction() as session:
        fresh = await rules.record_alerts(session, found, now)
    immediate = [a for a in fresh if a.frequency == "immediate"]
    await queue_immediate(application, immediate, now)
    log.info("alerts: %d new opportunities, %d alerts (%d immediate)", len(new_ids),
             len(fresh), len(immediate))


async def queue_immediate(application: TakasApplication, alerts: list[Alert],
                          now: datetime) -> None:
    if not alerts:
        return
    data = application.bot_data
    not_before = rules.quiet_until(now) or now
    async with data.db.transaction() as session:
        follows = {f.id: f for f in (await session.scalars(select(Follow).where(
            Follow.id.in_({a.follow_id for a in alerts if a.follow_id})))).all()}
        users = {u.id: u for u in (await session.scalars(select(User).where(
            User.id.in_({a.user_id for a in alerts})))).all()}
        for alert in alerts:
            doc, follow = (data.search.by_id(alert.opportunity_id),
                           follows.get(alert.follow_id or 0))
            user = users.get(alert.user_id)
            if doc is None or follow is None or user is None:
                continue
            with data.i18n.use(data.i18n.resolve(user.language, user.telegram_language)):
                text, markup = alert_message(doc, follow)
            await outbox.enqueue(session, dedupe_key=f"alert:{user.id}:{doc.id}",
                                 chat_id=user.id, kind="alert", text=text,
                                 reply_markup=markup.to_dict(), not_before=not_before)
        # Exactly these (user, opportunity) pairs: a separate IN on users and on
        # opportunities would also mark someone's digest alert for another opportunity.
        pairs = [(a.user_id, a.opportunity_id) for a in alerts]
        await session.execute(update(Alert).where(
            tuple_(Alert.user_id, Alert.opportunity_id).in_(pairs),
            Alert.queued_at.is_(None)).values(queued_at=now))


async def digest_job(context: TakasContext) -> None:
    """Runs every half hour: queue the daily and weekly digests that are due."""
    data = context.bot_data
    now = utcnow()
    async with data.db.transaction() as session:
        due = await rules.due_digests(session, now)
        for user_id, alerts in due.items():
            user = await session.get(User, user_id)
            items = [doc for a in alerts if (doc := data.search.by_id(a.opportunity_id))]
            if user is not None and items:
                with data.i18n.use(data.i18n.resolve(user.language, user.telegram_language)):
                    text, markup = digest_message(items)
                await outbox.enqueue(
                    session, dedupe_key=f"digest:{user_id}:{now.date().isoformat()}",
                    chat_id=user_id, kind="digest", text=text, reply_markup=markup.to_dict())
            await session.execute(update(Alert).where(
                Alert.id.in_([a.id for a in alerts])).values(queued_at=now))
