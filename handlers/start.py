"""/start and /help: what Takas is, and what it can do."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from bot.context import TakasContext
from bot.i18n import _
from bot.text import esc, shorten
from handlers.commands import described


async def start(update: Update, context: TakasContext) -> None:
    """Greet the user and say how to begin."""
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
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: TakasContext) -> None:
    """List the commands with their descriptions in the user's language."""
    message = update.effective_message
    if message is None:
        return
    lines = [_("<b>What I can do</b>"), ""]
    lines += [f"/{name} — {esc(description)}" for name, description in described()]
    lines += [
        "",
        _("🔎 Write what you are looking for: a topic, a town, and words such as "
          "<i>online</i>, <i>free</i> or <i>this weekend</i>. Typos are fine."),
        _("📍 Share your location to see what is nearest to you."),
        _("💬 In any chat, type {mention} and a few words to share an opportunity.").format(
            mention=f"@{esc(context.bot.username)}"),
    ]
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
]
