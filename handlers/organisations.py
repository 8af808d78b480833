"""Organisations in chat: /org (admins create them; organizers invite co-organizers) and
/checkin (an organizer opens a check-in code for an event).

    /org                      your organisations (admins: all)
    /org new NAME             admins: create an organisation
    /org invite NAME|ID       an invitation link (single use, 7 days); add 'many' for a
                              link several people can use
    /checkin HOURS TITLE      a check-in link for an event happening now (open 12 hours)
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import hours, hours_words, when
from bot.i18n import _
from bot.services.durations import parse_minutes
from bot.text import esc
from bot.usecases import checkins
from bot.usecases import organisations as usecase
from bot.usecases.checkins import CheckinCode
from handlers import deep_links as links

# The last word of /org invite that makes a link several people can use.
MANY = ("many", "daug", "daudz", "много", "viele")


def org_usage() -> str:
    return _("<b>Organisations</b>\n"
             "/org — your organisations\n"
             "/org new NAME — create one (administrators)\n"
             "/org invite NAME — a link that makes someone an organizer (add <i>many</i> for "
             "a link several people can use)\n"
             "/org target NAME HOURS — the yearly target for pupils who log hours with it\n"
             "/checkin HOURS TITLE — a check-in link for an event happening now")


async def org_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    is_admin = user.id in context.settings.admin_ids
    if args and args[0].lower() == "new" and len(args) > 1:
        created = await usecase.create(context.db, user.id, " ".join(args[1:]),
                                       is_admin=is_admin)
        text = _("Organisation {name} created. /org invite {id} makes an invitation "
                 "link for its organizers.").format(name=f"<b>{esc(created.name)}</b>",
                                                    id=created.id)
    elif args and args[0].lower() == "invite" and len(args) > 1:
        many = args[-1].lower() in MANY
        invited = await usecase.invite(context.db, user.id,
                                       " ".join(args[1:-1] if many else args[1:]),
                                       is_admin=is_admin, many=many)
        text = _("Send this link to the new organizer of {name} (valid 7 days, "
                 "{uses}):\n{link}").format(
            name=f"<b>{esc(invited.organisation)}</b>",
            uses=_("for several people") if many else _("for one person"),
            link=esc(links.INVITE.url(context.bot, invited.token)))
    elif args and args[0].lower() == "target" and len(args) > 2:
        minutes = parse_minutes(args[-1])
        name = await usecase.set_target(context.db, user.id, " ".join(args[1:-1]), minutes,
                                        is_admin=is_admin)
        text = _("Yearly target of {name}: {hours}. Pupils who log hours with it see "
                 "their progress toward it in /hours.").format(
            name=f"<b>{esc(name)}</b>", hours=esc(hours_words(minutes or 0)))
    elif not args:
        mine = await usecase.mine(context.db, user.id, is_admin=is_admin)
        text = "\n".join([_("<b>Your organisations</b>")] +
                         [f"{o.id}. {esc(o.name)}" for o in mine]) if mine else org_usage()
    else:
        text = org_usage()
    await message.reply_text(text)


def checkin_text(context: TakasContext, code: CheckinCode) -> str:
    """The organizer's open check-in code, with its link (also from a playlist's editor)."""
    return _("Check-in for «{title}» ({hours}, {organisation}) is open until {until}. Pupils "
             "who open this link get the hours verified at once:\n{link}").format(
        title=esc(code.title), hours=esc(hours(code.minutes / 60)),
        organisation=esc(code.organisation), until=esc(when(code.ends_at, "Europe/Vilnius")),
        link=esc(links.CHECK_IN.url(context.bot, code.code)))


async def checkin_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    minutes = parse_minutes(args[0]) if args else None
    if minutes is None or len(args) < 2:
        await message.reply_text(_("Write it as /checkin HOURS TITLE, for example /checkin 3 "
                                   "Tree planting in the park."))
        return
    code = await checkins.open_checkin(context.db, user.id, " ".join(args[1:]), minutes)
    await message.reply_text(checkin_text(context, code))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("org", org_command),
    CommandHandler("checkin", checkin_command),
]
