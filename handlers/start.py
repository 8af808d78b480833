"""/start and /help: what Takas is, and what it can do."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import hours
from bot.i18n import _
from bot.text import esc, shorten
from bot.usecases import checkins as joining
from bot.usecases import people
from handlers import deep_links as links
from handlers import playlists, schools, webapp
from handlers.commands import ORGANIZER_COMMANDS, described


async def start(update: Update, context: TakasContext) -> None:
    """Greet the user and say how to begin (a deep link of a known kind has a handler of
    its own, before this one: see HANDLERS)."""
    user = update.effective_user
    message = update.effective_message
    if message is None or user is None:
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


async def invite_opened(update: Update, context: TakasContext) -> None:
    """t.me/<bot>?start=org_<token>: become an organizer of the inviting organisation."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    name = await joining.accept_invite(context.db, links.INVITE.value(context), user.id)
    await message.reply_text(_(
        "Welcome! You are now an organizer of {name}. You will get the hours to verify "
        "here; /pending lists them, /checkin opens a check-in code for an event.").format(
        name=f"<b>{esc(name)}</b>"))


async def check_in_opened(update: Update, context: TakasContext) -> None:
    """t.me/<bot>?start=ci_<code>: check in at an event, with its hours verified at once."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    checked = await joining.check_in(context.db, links.CHECK_IN.value(context), user.id)
    text = (_("Checked in: {hours} for «{activity}», verified.") if checked.new else
            _("You are already checked in: {hours} for «{activity}»."))
    await message.reply_text(text.format(hours=esc(hours(checked.minutes / 60)),
                                         activity=esc(checked.activity)))


async def playlist_opened(update: Update, context: TakasContext) -> None:
    """t.me/<bot>?start=pl_<id>: a learning playlist."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await playlists.show_playlist(message, context, user.id,
                                  int(links.PLAYLIST.value(context)))


async def help_command(update: Update, context: TakasContext) -> None:
    """List the commands with their descriptions in the user's language."""
    message = update.effective_message
    if message is None:
        return
    lines = [_("<b>What I can do</b>"), ""]
    lines += [f"/{name} — {esc(description)}" for name, description in described()]
    user = update.effective_user
    if user is not None and (user.id in context.settings.admin_ids
            or await people.organizes(context.db, user.id)):
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
    # Deep links, one handler per kind (handlers/deep_links.py), before the plain /start.
    CommandHandler("start", invite_opened, filters=links.INVITE.filter),
    CommandHandler("start", check_in_opened, filters=links.CHECK_IN.filter),
    CommandHandler("start", playlist_opened, filters=links.PLAYLIST.filter),
    CommandHandler("start", schools.class_link_opened, filters=links.CLASS.filter),
    CommandHandler("start", schools.claim_link_opened, filters=links.CLAIM.filter),
    CommandHandler("start", start),
    CommandHandler("help", help_command),
]
