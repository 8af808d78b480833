"""Organizer commands typed by a learner: one sentence a learner understands.

/pending, /broadcast, /checkin, /badge, /playlist, /org invite, /org target, /classes,
/attendance, /targets and /report are
tools of an organisation's organizers. Someone who organizes nothing (and is not an
administrator) hears what the command is for and how to become an organizer, instead of a
refusal about "that organisation" they never named. Organizers and administrators pass on
to the command's own handler, which checks the rest.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, filters

from bot.context import TakasContext
from bot.i18n import _
from bot.usecases import people

# /verify is not here: anyone may check a certificate's code.
GATED = ("pending", "broadcast", "checkin", "badge", "playlist", "org", "classes", "attendance",
         "targets", "report")
# /org alone lists organisations (and how to ask for one); only these need an organizer.
ORG_TOOLS = frozenset({"invite", "target"})


def for_organizers() -> str:
    return _("This command is for organizers of an organisation on Takas. To become one, "
             "ask your organisation for an invitation link. /help shows what you can do.")


async def gate(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.id in context.settings.admin_ids:
        return
    command = (message.text or "").split(maxsplit=1)[0].split("@")[0].lstrip("/").lower()
    if command == "org" and not (context.args and context.args[0].lower() in ORG_TOOLS):
        return
    if await people.organizes(context.db, user.id):
        return
    await message.reply_text(for_organizers())
    raise ApplicationHandlerStop


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler(GATED, gate, filters=filters.ChatType.PRIVATE),
]
