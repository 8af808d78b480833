"""Groups and supergroups: the bot speaks only when called, and never about a person.

What counts as calling the bot in a group (decided here, used by the middleware first):
- `/command@ThisBot`, and a plain `/command` only when it is one of our commands (another
  bot in the group may have commands of its own; `/command@OtherBot` is never ours);
- a message that mentions @ThisBot, or that replies to one of the bot's messages.
Anything else in a group is not read: arbitrary group text is never a search.

When called, `/start` and `/help` get a short introduction, a mention or a reply is a catalog
search (public data only, no personal buttons), and every other command, being personal
(hours, exports, /mydata, organizer tools...), gets a note with a button to continue in a
private chat, never the data itself. Added to a group, the bot greets it once.
"""

from __future__ import annotations

from telegram import (
    Bot,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import TakasContext
from bot.i18n import _
from bot.text import esc, shorten
from catalog.search.intents import Intent, detect
from handlers import deep_links as links
from handlers import smalltalk

GROUP_CHATS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
INTRODUCED = frozenset({"start", "help"})  # answered in the group itself


def known_commands(context: TakasContext) -> frozenset[str]:
    """The names of every command the application handles (read once from its handlers)."""
    known: frozenset[str] | None = context.bot_data.extras.get("commands")
    if known is None:
        names: set[str] = set()
        for handlers in context.application.handlers.values():
            for handler in handlers:
                if isinstance(handler, CommandHandler):
                    names |= handler.commands
        known = context.bot_data.extras["commands"] = frozenset(names)
    return known


def _command(message: Message) -> tuple[str, str | None] | None:
    """(name, @target or None) of the command that starts the message, if any."""
    entities = message.entities or ()
    first = next((e for e in entities if e.type == MessageEntity.BOT_COMMAND), None)
    if first is None or first.offset != 0:
        return None
    name, _sep, target = message.parse_entity(first)[1:].partition("@")
    return name.lower(), target or None


def _mentions_bot(message: Message, bot: Bot) -> bool:
    for entity, value in message.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and value[1:].lower() == bot.username.lower():
            return True
        if entity.user is not None and entity.user.id == bot.id:
            return True
    return False


def _replies_to_bot(message: Message, bot: Bot) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


def for_us(update: Update, context: TakasContext) -> bool:
    """Whether the bot should read this update at all (False: ignore it silently)."""
    if update.channel_post or update.edited_channel_post:
        return False
    if update.edited_message and update.edited_message.chat.type in GROUP_CHATS:
        return False  # an edit in a group is not a new question
    message = update.message
    if message is None or message.chat.type not in GROUP_CHATS:
        return True
    command = _command(message)
    if command is not None:
        name, target = command
        if target is not None:
            return target.lower() == context.bot.username.lower()
        return name in known_commands(context)
    return _mentions_bot(message, context.bot) or _replies_to_bot(message, context.bot)


def private_chat_button(context: TakasContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Open a private chat"),
                                                        url=links.from_group(context.bot))]])


def introduction(context: TakasContext) -> str:
    return _(
        "Hello, everyone! I am <b>Takas</b>: I find courses, workshops, lectures and "
        "volunteering in the Baltics.\n"
        "\n"
        "In this group I answer only when you call me: write {mention} and what you are "
        "looking for, or reply to one of my messages. Personal things (your hours, "
        "certificates and data) stay in a private chat with me."
    ).format(mention=f"@{esc(context.bot.username)}")


async def _introduce(message: Message, context: TakasContext) -> None:
    await message.reply_text(introduction(context),
                             reply_markup=private_chat_button(context))


async def in_group(update: Update, context: TakasContext) -> None:
    """Every group message the middleware let through (it was addressed to the bot)."""
    message = update.effective_message
    if message is None:
        raise ApplicationHandlerStop
    command = _command(message)
    if command is not None:
        name = command[0]
        if name in INTRODUCED:
            await _introduce(message, context)
        elif name in known_commands(context):
            await message.reply_text(
                _("This is personal, so I answer it only in a private chat with me: open "
                  "it and send {command} there.").format(command=f"/{esc(name)}"),
                reply_markup=private_chat_button(context))
        else:
            await message.reply_text(
                _("I don't know the command {command}. /help lists what I can do.").format(
                    command=f"<code>/{esc(shorten(name, 64))}</code>"))
        raise ApplicationHandlerStop
    text = _without_mentions(message, context.bot)
    intent = detect(text)
    if not text or intent in (Intent.GREETING, Intent.HELP):
        await _introduce(message, context)
    elif intent is not None:  # thanks, goodbye
        await message.reply_text(smalltalk.reply_text(intent))
    else:
        from handlers import search  # search imports views; keep this module light

        await search.group_search(message, context, text, private_chat_button(context))
    raise ApplicationHandlerStop


def _without_mentions(message: Message, bot: Bot) -> str:
    """The message's text with '@ThisBot' taken out (what is left is the query)."""
    text = message.text or message.caption or ""
    return " ".join(w for w in text.split() if w.lower() != f"@{bot.username.lower()}").strip()


async def added_to_group(update: Update, context: TakasContext) -> None:
    """my_chat_member: greet a group once, when the bot becomes a member of it."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in GROUP_CHATS:
        return
    was_in = change.old_chat_member.status in (ChatMemberStatus.MEMBER,
                                               ChatMemberStatus.ADMINISTRATOR)
    is_in = change.new_chat_member.status in (ChatMemberStatus.MEMBER,
                                              ChatMemberStatus.ADMINISTRATOR)
    if is_in and not was_in:
        await context.bot.send_message(change.chat.id, introduction(context),
                                       reply_markup=private_chat_button(context))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    MessageHandler(filters.ChatType.GROUPS, in_group),
    ChatMemberHandler(added_to_group, ChatMemberHandler.MY_CHAT_MEMBER),
]
