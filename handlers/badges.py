"""Open Badges in chat: organizers define, award and revoke badges with /badge; learners
list theirs with /badges and get any of them again as a PNG file.

    /badge                      the organisation's badges (a button opens each)
    /badge new NAME; DESCRIPTION; CRITERIA; RULE
                                RULE: hours (e.g. 20: earned at 20 approved hours in a
                                school year), #N (learning playlist N completed) or nothing
                                (awarded by hand)
    /badges                     your badges, each with a button that sends it again

Callback data: Bg:<badge> open, Bc:<badge>:<colour>, Be:<badge>:<emblem> design,
Bd:<badge> (de)activate, Bw:<badge>:<page> learners to award, Ba:<badge>:<user> award,
Br:<badge> awards to revoke, Bv:<award> ask, BY:<award> revoke, Bs:<award> send again,
BP:<page> a page of /badges.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.badges.image import COLOUR_SIGNS, EMBLEM_SIGNS
from bot.context import TakasContext
from bot.formatting import date_text, hours
from bot.i18n import _
from bot.services import badges as rules
from bot.services import orgs
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.hours import LOCAL
from bot.storage.models import Badge, BadgeRule
from bot.text import esc, is_id, shorten
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


def rule_text(badge: Badge) -> str:
    if badge.rule == BadgeRule.HOURS.value:
        return _("earned at {hours} approved in a school year").format(
            hours=esc(hours((badge.hours_minutes or 0) / 60)))
    if badge.rule == BadgeRule.PLAYLIST.value:
        return _("earned by completing learning playlist #{number}").format(
            number=badge.playlist_id)
    return _("awarded by hand")


def badge_card(badge: Badge) -> str:
    lines = [f"{COLOUR_SIGNS.get(badge.colour, '')}{EMBLEM_SIGNS.get(badge.emblem, '')} "
             f"<b>{esc(badge.name)}</b>",
             esc(badge.description),
             _("Criteria: {criteria}").format(criteria=esc(badge.criteria)),
             _("Rule: {rule}").format(rule=rule_text(badge))]
    if not badge.active:
        lines.append(_("<i>Not awarded any more.</i>"))
    return "\n".join(lines)


def badge_keyboard(badge: Badge) -> InlineKeyboardMarkup:
    colours = [InlineKeyboardButton(sign, callback_data=f"Bc:{badge.id}:{name}")
               for name, sign in COLOUR_SIGNS.items()]
    emblems = [InlineKeyboardButton(sign, callback_data=f"Be:{badge.id}:{name}")
               for name, sign in EMBLEM_SIGNS.items()]
    return InlineKeyboardMarkup([
        colours, emblems,
        [InlineKeyboardButton(_("🏅 Award"), callback_data=f"Bw:{badge.id}:0"),
         InlineKeyboardButton(_("Revoke…"), callback_data=f"Br:{badge.id}")],
        [InlineKeyboardButton(_("Stop awarding") if badge.active else _("Award again"),
                              callback_data=f"Bd:{badge.id}")],
    ])


def parse_rule(text: str) -> tuple[BadgeRule, int | None, int | None]:
    """(rule, hours threshold in minutes, playlist id) from the RULE part of /badge new."""
    text = text.strip()
    playlist = re.fullmatch(r"#\s*(\d{1,9})", text)
    if playlist:
        return BadgeRule.PLAYLIST, None, int(playlist.group(1))
    minutes = parse_minutes(text) if text else None
    if minutes:
        return BadgeRule.HOURS, minutes, None
    return BadgeRule.MANUAL, None, None


async def badge_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    async with context.db.transaction() as session:
        mine = await orgs.organisations_of(session, user.id)
        if not mine:
            raise Refusal("not_your_org")
        organisation = mine[0]
        if args and args[0].lower() == "new":
            parts = [part.strip() for part in " ".join(args[1:]).split(";")]
            if len(parts) < 3:
                await message.reply_text(badge_usage())
                return
            rule, minutes, playlist = parse_rule(parts[3] if len(parts) > 3 else "")
            badge = await rules.create_badge(
                session, organisation.id, actor_id=user.id, name=parts[0],
                description=parts[1], criteria=parts[2], rule=rule,
                hours_minutes=minutes, playlist_id=playlist)
            text = _("Badge created for {organisation}:").format(
                organisation=esc(organisation.name)) + "\n\n" + badge_card(badge)
            await message.reply_text(text,
                                     reply_markup=badge_keyboard(badge))
            return
        defined = await rules.badges_of(session, organisation.id)
    lines = [badge_usage(), ""]
    if not defined:
        lines.append(_("{organisation} has no badges yet.").format(
            organisation=esc(organisation.name)))
    for badge in defined:
        lines.append(f"• <b>{esc(badge.name)}</b>: {rule_text(badge)}"
                     + ("" if badge.active else " " + _("(not awarded any more)")))
    buttons = [[InlineKeyboardButton(f"🏅 {shorten(badge.name, 30)}",
                                     callback_data=f"Bg:{badge.id}")] for badge in defined[:30]]
    await message.reply_text("\n".join(lines),
                             reply_markup=InlineKeyboardMarkup(buttons) if buttons else None)


def _parts(update: Update, count: int) -> list[str] | None:
    data = update.callback_query.data if update.callback_query else None
    parts = (data or "").split(":")[1:]
    if len(parts) != count or not is_id(parts[0]):
        return None
    return parts


async def _show_card(query_message: Message | None, badge: Badge) -> None:
    if query_message is not None:
        await query_message.edit_text(badge_card(badge),
                                      reply_markup=badge_keyboard(badge))


async def design_pressed(update: Update, context: TakasContext) -> None:
    """Bg: open a badge; bc/Be: change colour or emblem; Bd: stop or resume awarding."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    kind = query.data[:2]
    parts = _parts(update, 1 if kind in ("Bg", "Bd") else 2)
    if parts is None:
        await query.answer(_("This button is not valid."), show_alert=True)
        return
    badge_id = int(parts[0])
    async with context.db.transaction() as session:
        if kind == "Bg":
            badge = await rules.organizer_badge(session, badge_id, query.from_user.id)
        elif kind == "Bc":
            badge = await rules.change_badge(session, badge_id, actor_id=query.from_user.id,
                                             colour=parts[1])
        elif kind == "Be":
            badge = await rules.change_badge(session, badge_id, actor_id=query.from_user.id,
                                             emblem=parts[1])
        else:
            current = await session.get(Badge, badge_id)
            badge = await rules.change_badge(
                session, badge_id, actor_id=query.from_user.id,
                active=not current.active if current else None)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if kind == "Bg" and message is not None:
        await message.reply_text(badge_card(badge),
                                 reply_markup=badge_keyboard(badge))
    else:
        await _show_card(message, badge)


async def learners_pressed(update: Update, context: TakasContext) -> None:
    """Bw:<badge>:<page>: the organisation's learners, a button each, to award by hand."""
    query = update.callback_query
    parts = _parts(update, 2)
    if query is None or parts is None or not is_id(parts[1]):
        await expired(update)
        return
    badge_id, page = int(parts[0]), int(parts[1])
    async with context.db.transaction() as session:
        badge = await rules.organizer_badge(session, badge_id, query.from_user.id)
        learners = await rules.learners_of(session, badge.organisation_id)
    await query.answer()
    shown = learners[page * LEARNERS_PAGE:(page + 1) * LEARNERS_PAGE]
    rows = [[InlineKeyboardButton(shorten(learner.first_name or str(learner.id), 30),
                                  callback_data=f"Ba:{badge_id}:{learner.id}")]
            for learner in shown]
    if len(learners) > (page + 1) * LEARNERS_PAGE:
        rows.append([InlineKeyboardButton(_("More »"), callback_data=f"Bw:{badge_id}:{page + 1}")])
    text = (_("Who gets «{name}»?").format(name=esc(badge.name)) if shown
            else _("Nobody has approved hours with your organisation yet."))
    if isinstance(query.message, Message):
        await query.message.reply_text(text,
                                       reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def award_pressed(update: Update, context: TakasContext) -> None:
    """Ba:<badge>:<user>: award by hand (once; a second press changes nothing)."""
    query = update.callback_query
    parts = _parts(update, 2)
    if query is None or parts is None or not is_id(parts[1]):
        await expired(update)
        return
    async with context.db.transaction() as session:
        award, created = await rules.award_by_hand(session, int(parts[0]), int(parts[1]),
                                                   actor_id=query.from_user.id)
        found = await rules.view(session, award.id)
    await query.answer(_("Awarded: it is on its way.") if created
                       else _("They already have this badge."), show_alert=not created)
    if created and found is not None and isinstance(query.message, Message):
        await query.message.reply_text(
            _("🏅 «{name}» awarded.").format(name=esc(found.badge.name)))


async def revocable_pressed(update: Update, context: TakasContext) -> None:
    """Br:<badge>: the badge's awards in force, a button each."""
    query = update.callback_query
    parts = _parts(update, 1)
    if query is None or parts is None:
        await expired(update)
        return
    async with context.db.transaction() as session:
        badge = await rules.organizer_badge(session, int(parts[0]), query.from_user.id)
        given = [(award, name) for award, of, name
                 in await rules.awards_given(session, badge.organisation_id)
                 if of.id == badge.id]
    await query.answer()
    rows = [[InlineKeyboardButton(
        f"{shorten(name, 24)}, {date_text(award.issued_at.astimezone(LOCAL).date())}",
        callback_data=f"Bv:{award.id}")] for award, name in given[:20]]
    text = (_("Whose «{name}» do you revoke?").format(name=esc(badge.name)) if rows
            else _("Nobody holds «{name}» now.").format(name=esc(badge.name)))
    if isinstance(query.message, Message):
        await query.message.reply_text(text,
                                       reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def revoke_pressed(update: Update, context: TakasContext) -> None:
    """Bv:<award> asks to confirm; BY:<award> revokes."""
    query = update.callback_query
    parts = _parts(update, 1)
    if query is None or parts is None or query.data is None:
        await expired(update)
        return
    award_id, confirmed = int(parts[0]), query.data.startswith("BY:")
    async with context.db.transaction() as session:
        found = await rules.view(session, award_id)
        if found is None:
            raise Refusal("award_unknown")
        if confirmed:
            await rules.revoke(session, award_id, actor_id=query.from_user.id,
                               reason="revoked by an organizer")
        else:  # the right to revoke is checked before asking
            await rules.organizer_badge(session, found.badge.id, query.from_user.id)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if confirmed:
        await query.message.edit_text(_("Revoked: the badge no longer verifies."))
        return
    await query.message.reply_text(
        _("Revoke «{name}»? Anyone who checks it will see that it was revoked.").format(
            name=esc(found.badge.name)),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(_("Yes, revoke"), callback_data=f"BY:{award_id}"),
            InlineKeyboardButton(_("Cancel"), callback_data=f"Bg:{found.badge.id}")]]))


def badges_page(views: list[rules.AwardView], page: int) -> tuple[str, InlineKeyboardMarkup]:
    shown = views[page * PAGE:(page + 1) * PAGE]
    lines = [_("<b>Your badges</b>")]
    for item in shown:
        line = _("🏅 <b>{name}</b>, {organisation}, {day}").format(
            name=esc(item.badge.name), organisation=esc(item.organisation),
            day=esc(date_text(item.award.issued_at.astimezone(LOCAL).date())))
        if item.award.minutes:
            line += ", " + esc(hours(item.award.minutes / 60))
        lines.append(line)
    lines.append(_("A button sends the badge again as a file."))
    rows = [[InlineKeyboardButton(_("Send «{name}»").format(name=shorten(item.badge.name, 24)),
                                  callback_data=f"Bs:{item.award.id}")] for item in shown]
    rows += paging_rows(lambda to: cb.BadgesPage(page=to).pack(), page,
                        more=len(views) > (page + 1) * PAGE)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def badges_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    async with context.db.transaction() as session:
        views = await rules.awards_of(session, user.id)
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
    async with context.db.transaction() as session:
        views = await rules.awards_of(session, query.from_user.id)
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
    """Bs:<award>: the learner's own badge again, as a PNG document."""
    query = update.callback_query
    parts = _parts(update, 1)
    if query is None or parts is None:
        await expired(update)
        return
    document = await context.bot_data.badges.render(int(parts[0]), for_user=query.from_user.id,
                                                   resent=True)
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
    CallbackQueryHandler(design_pressed, pattern=r"^B[gcde]:"),
    CallbackQueryHandler(learners_pressed, pattern=r"^Bw:"),
    CallbackQueryHandler(award_pressed, pattern=r"^Ba:"),
    CallbackQueryHandler(revocable_pressed, pattern=r"^Br:"),
    CallbackQueryHandler(revoke_pressed, pattern=r"^B[vY]:"),
    CallbackQueryHandler(badges_page_pressed, pattern=cb.BadgesPage.pattern),
    CallbackQueryHandler(resend_pressed, pattern=r"^Bs:"),
]
