"""Small talk in a private chat: "labas", "thanks", "what can you do?" are answered, not
searched.

`catalog.search.intents.detect` decides; a greeting or a help request gets a short answer
with example searches as buttons (stored queries, `ss:<id>` like "did you mean", so pressing
one runs that search), a thanks or a goodbye a short reply. Never "nothing found".
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import TakasContext
from bot.i18n import N_, _, current_language
from bot.usecases import search as usecase
from catalog.search.intents import Intent, detect
from handlers import callback_data as cb

# TRANSLATORS: example searches offered as buttons after a greeting: short, in the words
# people type, and each must find something in the bundled demo catalog (tests check it).
EXAMPLES = (N_("ceramics for beginners"), N_("volunteering with animals"), N_("museum night"))


def examples() -> list[str]:
    """The example searches in the current language."""
    return [_(example) for example in EXAMPLES]


def reply_text(intent: Intent) -> str:
    """The answer to a small-talk message, in the current language."""
    if intent is Intent.GREETING:
        return _("Hello! Tell me in your own words what you would like to learn or do, and "
                 "I will find courses, events and volunteering for you. For example:")
    if intent is Intent.HELP:
        return _("I am <b>Takas</b>: I find courses, workshops, lectures and volunteering "
                 "from libraries, schools, municipalities and NGOs in the Baltics, and pupils "
                 "log their volunteering hours with me. Write what you are looking for in "
                 "your own words, or try one of these. /help lists all my commands.")
    if intent is Intent.THANKS:
        return _("You are welcome! Write to me whenever you are looking for something new.")
    return _("Goodbye! Come back whenever you want to learn something new.")


async def answer(message: Message, context: TakasContext, user_id: int, text: str) -> bool:
    """Answer `text` if it is small talk; False when it is a search (nothing was sent)."""
    intent = detect(text)
    if intent is None:
        return False
    markup = None
    if intent in (Intent.GREETING, Intent.HELP):
        stored = await usecase.examples(context.db, user_id, examples(), current_language())
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            f"🔎 {example}", callback_data=cb.Suggestion(query=query_id).pack())]
            for query_id, example in stored])
    await message.reply_text(reply_text(intent), reply_markup=markup)
    return True
