"""/start and /help: what Takas is, and what it can do."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import hours
from bot.i18n import _
from bot.services import orgs
from bot.text import esc, is_row_id, shorten
from bot.usecases import checkins as joining
from handlers import playlists, schools, webapp
from handlers.commands import ORGANIZER_COMMANDS, described


async def start(update: Update, context: TakasContext) -> None:
    """Greet the user and say how to begin; or follow a deep link (t.me/<bot>?start=...)."""
    user = update.effective_user
    message = update.effective_message
    if message is None or user is None:
        return
    if context.args and await deep_link(message, context, user.id, context.args[0]):
        return
    name = esc(shorten(user.first_name, 64))
    text = _(
        "Hello, {name}! I am <b>Takas</b>, your guide to lifelong learning in the Baltics.\n"
        "\n"
        "I find courses, workshops, lectures and volunteering from libraries, schools, "
        "municipalities and NGOs. Just write what you are looking for, in your own words — "
        "for example <i>{example}</i>.\n"
        "\n"
        "/help shows everything I can do; /language changes my language."
    ).format(name=name, example=esc(_("English course in Vilnius")))
    rows = webapp.open_rows(context, message.chat, map_page=True, profile=True)
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def deep_link(message: Message, context: TakasContext, user_id: int,
                    payload: str) -> bool:
    """org_<token>: become an organizer; ci_<code>: check in; pl_<id>: a learning
    playlist; cl_<token>, rp_<code>: join a class, claim a roster record. True when
    handled."""
    if await schools.deep_link(message, context, user_id, payload):
        return True
    if payload.startswith("pl_") and is_row_id(payload[3:]):
        await playlists.show_playlist(message, context, user_id, int(payload[3:]))
        return True
    if not payload.startswith(("org_", "ci_")):
        return False
    if payload.startswith("org_"):
        name = await joining.accept_invite(context.db, payload[4:], user_id)
        text = _("Welcome! You are now an organizer of {name}. You will get the "
                 "hours to verify here; /pending lists them, /checkin opens a "
                 "check-in code for an event.").format(name=f"<b>{esc(name)}</b>")
    else:
        checked = await joining.check_in(context.db, payload[3:], user_id)
        text = (_("Checked in: {hours} for «{activity}», verified.") if checked.new else
                _("You are already checked in: {hours} for «{activity}»."))
        text = text.format(hours=esc(hours(checked.minutes / 60)),
                           activity=esc(checked.activity))
    await message.reply_text(text)
    return True


async def help_command(update: Update, context: TakasContext) -> None:
    """List the commands with their descriptions in the user's language."""
    message = update.effective_message
    if message is None:
        return
    lines = [_("<b>What I can do</b>"), ""]
    lines += [f"/{name} — {esc(description)}" for name, description in described()]
    user = update.effective_user
    if user is not None:
        async with context.db.transaction() as session:
            organizes = bool(await orgs.organisations_of(session, user.id))
        if organizes or user.id in context.settings.admin_ids:
            lines += ["", _("<b>For organizers</b>")]
            lines += [f"/{name} — {esc(description)}"
                      for name, description in described(ORGANIZER_COMMANDS)]
    lines += [
        "",
        _("🔎 Write what you are looking for: a topic, a town, and words such as "
          "<i>online</i>, <i>free</i> or <i>this weekend</i>. Typos are fine."),
        _("📍 Share your location to see what is nearest to you."),
        _("💬 In any chat, type {mention} and a few words to share an opportunity.").format(
            mention=f"@{esc(context.bot.username)}"),
    ]
    await message.reply_text("\n".join(lines))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
]
