"""Following: "notify me" under search results, /follow a town, an organisation or a search,
/following to list, change how often, or stop.

Callback data: nf:<query> (follow a stored search), uf:<follow> (stop), ff:<follow>:<freq>
(how often), fl:list (show the list).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.i18n import _
from bot.services.errors import Refusal
from bot.services.follows import FREQUENCIES
from bot.text import esc
from bot.usecases import follow as usecase
from bot.usecases.follow import Followed, FollowView
from handlers import callback_data as cb
from handlers.buttons import expired
from handlers.refusals import explain

ICONS = {"search": "🔎", "provider": "🏛", "town": "📍"}


def frequency_name(frequency: str) -> str:
    return {"immediate": _("right away"), "daily": _("daily digest"),
            "weekly": _("weekly digest")}.get(frequency, frequency)


def next_frequency(frequency: str) -> str:
    order = FREQUENCIES
    return order[(order.index(frequency) + 1) % len(order)] if frequency in order else order[0]


def follow_usage() -> str:
    return _("<b>Follow</b>: I tell you when new opportunities appear.\n"
             "/follow Utena — a town\n"
             "/follow Kauno apskrities viešoji biblioteka — an organisation\n"
             "/follow english course online — a search\n"
             "Or press 🔔 under search results. /following lists what you follow.")


async def follow_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text = " ".join(context.args or []).strip()
    if not text:
        await message.reply_text(follow_usage())
        return
    followed = await usecase.follow_words(context.db, context.bot_data.search, user.id, text)
    await message.reply_text(followed_text(followed))


def followed_text(followed: Followed) -> str:
    text = (_("Done: I will tell you about new opportunities for {label} ({frequency}). "
              "/following changes how often.") if followed.created else
            _("You already follow {label}. /following lists what you follow."))
    item = followed.follow
    return text.format(label=f"{ICONS[item.kind]} <b>{esc(item.label)}</b>",
                       frequency=esc(frequency_name(item.frequency)))


async def notify_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    try:
        followed = await usecase.follow_search(context.db, query.from_user.id,
                                               cb.NotifyMe.of(update).query)
    except Refusal as refusal:  # in the chat, under the results (not an alert)
        await query.answer()
        await query.message.reply_text(explain(refusal))
        return
    if followed is None:
        await query.answer(_("This button has expired; send your search again."),
                           show_alert=True)
        return
    await query.answer()
    await query.message.reply_text(followed_text(followed))


def listing(items: tuple[FollowView, ...]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not items:
        return follow_usage(), None
    lines = [_("<b>What you follow</b>")]
    rows = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {ICONS.get(item.kind, '•')} {esc(item.label)} — "
                     f"{esc(frequency_name(item.frequency))}")
        following = next_frequency(item.frequency)
        rows.append([
            InlineKeyboardButton(_("{number}: {frequency}").format(
                number=number, frequency=frequency_name(following)),
                callback_data=cb.FollowFrequency(follow=item.id, frequency=following).pack()),
            InlineKeyboardButton(_("✖ {number}").format(number=number),
                                 callback_data=cb.Unfollow(follow=item.id).pack())])
    lines.append("")
    lines.append(_("Press a number to change how often, ✖ to stop following. Nothing is sent "
                   "between 21:00 and 08:00."))
    return "\n".join(lines), InlineKeyboardMarkup(rows[:50])


async def following_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text, markup = listing(await usecase.following(context.db, user.id))
    await message.reply_text(text, reply_markup=markup)


async def list_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    await query.answer()
    text, markup = listing(await usecase.following(context.db, query.from_user.id))
    await query.message.reply_text(text, reply_markup=markup)


async def unfollow_pressed(update: Update, context: TakasContext) -> None:
    """✖ under a follow: stop following it."""
    await _changed(update, context, cb.Unfollow.of(update).follow, None)


async def frequency_pressed(update: Update, context: TakasContext) -> None:
    """A number under a follow: change how often it is heard of."""
    data = cb.FollowFrequency.of(update)
    await _changed(update, context, data.follow, data.frequency)


async def _changed(update: Update, context: TakasContext, follow_id: int,
                   frequency: str | None) -> None:
    """Stop following (`frequency` None) or change how often, then show the list."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await expired(update)
        return
    changed = (await usecase.unfollow(context.db, query.from_user.id, follow_id)
               if frequency is None else
               await usecase.set_frequency(context.db, query.from_user.id, follow_id, frequency))
    await query.answer(_("Done.") if changed.done else _("This button has expired."))
    if _is_listing(query.message):  # pressed in /following: show the list as it is now
        text, markup = listing(changed.follows)
        await query.message.edit_text(text, reply_markup=markup)


def _is_listing(message: Message) -> bool:
    markup = message.reply_markup
    return markup is not None and any(
        cb.FollowFrequency.pattern.match(button.callback_data)
        for row in markup.inline_keyboard for button in row if isinstance(
            button.callback_data, str))


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("follow", follow_command),
    CommandHandler("following", following_command),
    CallbackQueryHandler(notify_pressed, pattern=cb.NotifyMe.pattern),
    CallbackQueryHandler(list_pressed, pattern=cb.FollowList.pattern),
    CallbackQueryHandler(unfollow_pressed, pattern=cb.Unfollow.pattern),
    CallbackQueryHandler(frequency_pressed, pattern=cb.FollowFrequency.pattern),
]
