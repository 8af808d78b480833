"""Open Badges in chat: organizers define, award and revoke badges with /badge; learners
list theirs with /badges and get any of them again as a PNG file.

    /badge                      the organisation's badges (a button opens each)
    /badge new NAME; DESCRIPTION; CRITERIA; RULE
                                RULE: hours (e.g. 20: earned at 20 approved hours in a
                                school year), #N (learning playlist N completed) or nothing
                                (awarded by hand)
    /badges                     your badges, each with a button that sends it again

Callback data (handlers/callback_data.py): bd:o:<badge> open, bd:c:<badge>:<colour> and
bd:e:<badge>:<emblem> design, bd:d:<badge> stop or resume awarding, bd:w:<badge>:<page>
learners to award, bd:a:<badge>:<user> award, bd:r:<badge> awards to revoke,
bd:v:<award> ask, bd:y:<award> revoke, bd:s:<award> send again, bd:p:<page> a page of
/badges.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.badges.image import COLOUR_SIGNS, EMBLEM_SIGNS
from bot.context import TakasContext
from bot.formatting import date_text, hours
from bot.i18n import _
from bot.text import esc, shorten
from bot.usecases import badges as usecase
from bot.usecases.badges import BadgeView, Earned
from handlers import callback_data as cb
from handlers.buttons import expired
from handlers.views import paging_rows

PAGE = 5  # badges per /badges page
LEARNERS_PAGE = 8


def badge_usage() -> str:
    return _("<b>Badges</b>\n"
             "/badge new NAME; DESCRIPTION; CRITERIA; RULE — define a badge. RULE is a "
             "number of hours (awarded automatically at that many approved hours in a "
             "school year), #N for learning playlist N, or nothing (you award it by hand).\n"
             "Open a badge below to change its look, award it or revoke it.")


def rule_text(badge: BadgeView) -> str:
    if badge.by_hours:
        return _("earned at {hours} approved in a school year").format(
            hours=esc(hours((badge.hours_minutes or 0) / 60)))
    if badge.by_playlist:
        return _("earned by completing learning playlist #{number}").format(
            number=badge.playlist_id)
    return _("awarded by hand")


def badge_card(badge: BadgeView) -> str:
    lines = [f"{COLOUR_SIGNS.get(badge.colour, '')}{EMBLEM_SIGNS.get(badge.emblem, '')} "
             f"<b>{esc(badge.name)}</b>",
             esc(badge.description),
             _("Criteria: {criteria}").format(criteria=esc(badge.criteria)),
             _("Rule: {rule}").format(rule=rule_text(badge))]
    if not badge.active:
        lines.append(_("<i>Not awarded any more.</i>"))
    return "\n".join(lines)


def badge_keyboard(badge: BadgeView) -> InlineKeyboardMarkup:
    colours = [InlineKeyboardButton(sign, callback_data=cb.BadgeColour(
        badge=badge.id, colour=name).pack()) for name, sign in COLOUR_SIGNS.items()]
    emblems = [InlineKeyboardButton(sign, callback_data=cb.BadgeEmblem(
        badge=badge.id, emblem=name).pack()) for name, sign in EMBLEM_SIGNS.items()]
    return InlineKeyboardMarkup([
        colours, emblems,
        [InlineKeyboardButton(_("🏅 Award"), callback_data=cb.BadgeLearners(
            badge=badge.id, page=0).pack()),
         InlineKeyboardButton(_("Revoke…"), callback_data=cb.BadgeHolders(
             badge=badge.id).pack())],
        [InlineKeyboardButton(_("Stop awarding") if badge.active else _("Award again"),
                              callback_data=cb.BadgeToggle(badge=badge.id).pack())],
    ])


async def badge_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    if args and args[0].lower() == "new":
        parts = [part.strip() for part in " ".join(args[1:]).split(";")]
        if len(parts) >= 3:
            created = await usecase.create(
                context.db, user.id, name=parts[0], description=parts[1], criteria=parts[2],
                rule=parts[3] if len(parts) > 3 else "")
            text = _("Badge created for {organisation}:").format(
                organisation=esc(created.organisation)) + "\n\n" + badge_card(created.badge)
            await message.reply_text(text, reply_markup=badge_keyboard(created.badge))
            return
    found = await usecase.overview(context.db, user.id)  # organizers only
    if args and args[0].lower() == "new":  # too few parts: how to write it
        await message.reply_text(badge_usage())
        return
    lines = [badge_usage(), ""]
    if not found.badges:
        lines.append(_("{organisation} has no badges yet.").format(
            organisation=esc(found.organisation)))
    for badge in found.badges:
        lines.append(f"• <b>{esc(badge.name)}</b>: {rule_text(badge)}"
                     + ("" if badge.active else " " + _("(not awarded any more)")))
    buttons = [[InlineKeyboardButton(f"🏅 {shorten(badge.name, 30)}",
                                     callback_data=cb.BadgeOpen(badge=badge.id).pack())]
               for badge in found.badges[:30]]
    await message.reply_text("\n".join(lines),
                             reply_markup=InlineKeyboardMarkup(buttons) if buttons else None)


def _message(update: Update) -> Message | None:
    query = update.callback_query
    return query.message if query is not None and isinstance(query.message, Message) else None


async def _show_card(update: Update, badge: BadgeView, *, new: bool = False) -> None:
    """The badge's card: a new message when opened, else the card pressed, changed."""
    query, message = update.callback_query, _message(update)
    if query is None:
        return
    await query.answer()
    if message is None:
        return
    if new:
        await message.reply_text(badge_card(badge), reply_markup=badge_keyboard(badge))
    else:
        await message.edit_text(badge_card(badge), reply_markup=badge_keyboard(badge))


async def open_pressed(update: Update, context: TakasContext) -> None:
    data = cb.BadgeOpen.of(update)
    badge = await usecase.open_badge(context.db, _user(update), data.badge)
    await _show_card(update, badge, new=True)


async def colour_pressed(update: Update, context: TakasContext) -> None:
    data = cb.BadgeColour.of(update)
    await _show_card(update, await usecase.restyle(context.db, _user(update), data.badge,
                                                   colour=data.colour))


async def emblem_pressed(update: Update, context: TakasContext) -> None:
    data = cb.BadgeEmblem.of(update)
    await _show_card(update, await usecase.restyle(context.db, _user(update), data.badge,
                                                   emblem=data.emblem))


async def toggle_pressed(update: Update, context: TakasContext) -> None:
    data = cb.BadgeToggle.of(update)
    await _show_card(update, await usecase.toggle(context.db, _user(update), data.badge))


def _user(update: Update) -> int:
    query = update.callback_query
    if query is None:
        raise ValueError("a button handler without a button press")
    return query.from_user.id


async def learners_pressed(update: Update, context: TakasContext) -> None:
    """The organisation's learners, a button each, to award the badge by hand."""
    data = cb.BadgeLearners.of(update)
    found = await usecase.learners(context.db, _user(update), data.badge)
    page = data.page
    shown = found.learners[page * LEARNERS_PAGE:(page + 1) * LEARNERS_PAGE]
    rows = [[InlineKeyboardButton(shorten(learner.name, 30), callback_data=cb.BadgeAward(
        badge=data.badge, learner=learner.id).pack())] for learner in shown]
    if len(found.learners) > (page + 1) * LEARNERS_PAGE:
        rows.append([InlineKeyboardButton(_("More »"), callback_data=cb.BadgeLearners(
            badge=data.badge, page=page + 1).pack())])
    await _answer_below(update, _("Who gets «{name}»?").format(name=esc(found.badge.name))
                        if shown else _("Nobody has approved hours with your organisation yet."),
                        rows)


async def _answer_below(update: Update, text: str, rows: list[list[InlineKeyboardButton]],
                        ) -> None:
    """Answer the press, then a new message below the one pressed."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    message = _message(update)
    if message is not None:
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def award_pressed(update: Update, context: TakasContext) -> None:
    """Award by hand (once; a second press changes nothing)."""
    query, data = update.callback_query, cb.BadgeAward.of(update)
    awarded = await usecase.award(context.db, _user(update), data.badge, data.learner)
    if query is not None:
        await query.answer(_("Awarded: it is on its way.") if awarded.created
                           else _("They already have this badge."),
                           show_alert=not awarded.created)
    message = _message(update)
    if awarded.created and message is not None:
        await message.reply_text(_("🏅 «{name}» awarded.").format(name=esc(awarded.badge)))


async def holders_pressed(update: Update, context: TakasContext) -> None:
    """The badge's awards in force, a button each."""
    data = cb.BadgeHolders.of(update)
    found = await usecase.holders(context.db, _user(update), data.badge)
    rows = [[InlineKeyboardButton(
        f"{shorten(held.learner, 24)}, {date_text(held.issued_on)}",
        callback_data=cb.BadgeRevokeAsk(award=held.award_id).pack())]
        for held in found.holders[:20]]
    name = esc(found.badge.name)
    await _answer_below(update, _("Whose «{name}» do you revoke?").format(name=name) if rows
                        else _("Nobody holds «{name}» now.").format(name=name), rows)


async def revoke_asked(update: Update, context: TakasContext) -> None:
    """Before revoking: are you sure?"""
    query, data = update.callback_query, cb.BadgeRevokeAsk.of(update)
    found = await usecase.ask_revoke(context.db, _user(update), data.award)
    if query is not None:
        await query.answer()
    message = _message(update)
    if message is None:
        return
    await message.reply_text(
        _("Revoke «{name}»? Anyone who checks it will see that it was revoked.").format(
            name=esc(found.badge)),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(_("Yes, revoke"),
                                 callback_data=cb.BadgeRevoke(award=found.award_id).pack()),
            InlineKeyboardButton(_("Cancel"),
                                 callback_data=cb.BadgeOpen(badge=found.badge_id).pack())]]))


async def revoke_pressed(update: Update, context: TakasContext) -> None:
    query, data = update.callback_query, cb.BadgeRevoke.of(update)
    await usecase.revoke(context.db, _user(update), data.award)
    if query is not None:
        await query.answer()
    message = _message(update)
    if message is not None:
        await message.edit_text(_("Revoked: the badge no longer verifies."))


def badges_page(views: tuple[Earned, ...], page: int) -> tuple[str, InlineKeyboardMarkup]:
    shown = views[page * PAGE:(page + 1) * PAGE]
    lines = [_("<b>Your badges</b>")]
    for item in shown:
        line = _("🏅 <b>{name}</b>, {organisation}, {day}").format(
            name=esc(item.badge), organisation=esc(item.organisation),
            day=esc(date_text(item.issued_on)))
        if item.minutes:
            line += ", " + esc(hours(item.minutes / 60))
        lines.append(line)
    lines.append(_("A button sends the badge again as a file."))
    rows = [[InlineKeyboardButton(_("Send «{name}»").format(name=shorten(item.badge, 24)),
                                  callback_data=cb.BadgeResend(award=item.award_id).pack())]
            for item in shown]
    rows += paging_rows(lambda to: cb.BadgesPage(page=to).pack(), page,
                        more=len(views) > (page + 1) * PAGE)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def badges_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    views = await usecase.earned(context.db, user.id)
    if not views:
        await message.reply_text(no_badges())
        return
    text, markup = badges_page(views, 0)
    await message.reply_text(text, reply_markup=markup)


def no_badges() -> str:
    return _("No badges yet. Organisations award them for verified hours and completed "
             "learning playlists.")


async def badges_page_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None:
        await expired(update)
        return
    views = await usecase.earned(context.db, query.from_user.id)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if not views:  # all revoked meanwhile (or forged): no empty keyboard, Telegram refuses it
        await query.message.edit_text(no_badges())
        return
    page = min(cb.BadgesPage.of(update).page, max(0, (len(views) - 1) // PAGE))
    text, markup = badges_page(views, page)
    await query.message.edit_text(text, reply_markup=markup)


async def resend_pressed(update: Update, context: TakasContext) -> None:
    """The learner's own badge again, as a PNG document."""
    query = update.callback_query
    if query is None:
        await expired(update)
        return
    document = await context.bot_data.badges.render(cb.BadgeResend.of(update).award,
                                                   for_user=query.from_user.id, resent=True)
    if document is None:
        await query.answer(_("This badge is no longer available."), show_alert=True)
        return
    await query.answer()
    await context.bot.send_document(query.from_user.id,
                                    InputFile(document.png, filename=document.filename),
                                    caption=document.caption)


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("badge", badge_command),
    CommandHandler("badges", badges_command),
    CallbackQueryHandler(open_pressed, pattern=cb.BadgeOpen.pattern),
    CallbackQueryHandler(colour_pressed, pattern=cb.BadgeColour.pattern),
    CallbackQueryHandler(emblem_pressed, pattern=cb.BadgeEmblem.pattern),
    CallbackQueryHandler(toggle_pressed, pattern=cb.BadgeToggle.pattern),
    CallbackQueryHandler(learners_pressed, pattern=cb.BadgeLearners.pattern),
    CallbackQueryHandler(award_pressed, pattern=cb.BadgeAward.pattern),
    CallbackQueryHandler(holders_pressed, pattern=cb.BadgeHolders.pattern),
    CallbackQueryHandler(revoke_asked, pattern=cb.BadgeRevokeAsk.pattern),
    CallbackQueryHandler(revoke_pressed, pattern=cb.BadgeRevoke.pattern),
    CallbackQueryHandler(badges_page_pressed, pattern=cb.BadgesPage.pattern),
    CallbackQueryHandler(resend_pressed, pattern=cb.BadgeResend.pattern),
]
