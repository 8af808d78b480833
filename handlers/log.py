"""/log: log volunteering hours in a few taps, or in one message.

    /log                       guided: activity -> organisation -> day -> hours -> note -> confirm
    /log 2.5 Talka parke 2026-11-18    the shortcut (the day is optional: today; also
    /log 2 Talka vakar                 'vakar', 'gestern', 'gruodžio 5 d.': bot.services.dates)

The draft lives in the database (bot.services.drafts), so a restart loses nothing; Cancel
and Back work at every step, and each answer is checked where it is given (a future day is
refused at the day step, not at Confirm); Confirm carries the draft's nonce, so a double
tap or a redelivered update finds the entry already stored instead of making a second one.

Callback data: lg:r:<entry> (a recent activity), lg:p:<item> (an activity of a learning
playlist the pupil joined), lg:s:<opportunity> (the catalog entry the
typed words describe), lg:t (keep the typed words), lg:o:<org>, lg:op:<page> (organisations
page), lg:d:<days ago>, lg:h:<minutes>, lg:n (no note), lg:c:<nonce> (confirm),
lg:x (cancel), lg:k (keep the draft: resume), lg:b:<step> (back from that step),
lg:e:<a|o|d|h|n> (edit that answer from the confirmation).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import TakasContext
from bot.formatting import date_text, hours
from bot.i18n import _, current_language
from bot.services import drafts
from bot.services import playlists as playlist_rules
from bot.services.dates import parse_day, split_trailing_day
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.hours import DAY_MINUTES, NewEntry, check_day, log_entry, today
from bot.services.orgs import list_organisations
from bot.storage.catalog_tables import Opportunity
from bot.storage.models import HourEntry
from bot.text import esc, is_id, shorten
from handlers import waiting
from handlers.buttons import expired
from handlers.refusals import explain
from handlers.verification import notify_organizers

ORGS_PER_PAGE = 8
CANDIDATES = 3
QUICK_MINUTES = (60, 120, 180, 240)
# What each step's Back undoes, and what each Edit on the confirmation asks again: the
# draft fields cleared, so `drafts.next_step` lands on that step (bot.services.drafts).
BACK_TO = {"pick": "a", "organisation": "a", "day": "o", "hours": "d", "note": "h",
           "confirm": "n"}
CLEARS = {"a": ("activity", "candidates", "opportunity_id", "playlist_item_id"),
          "o": ("organisation_id",), "d": ("day",), "h": ("minutes",),
          "n": ("note_done", "note", "photo")}


def cancel_row(step: str | None = None) -> list[InlineKeyboardButton]:
    """Cancel, with « Back to the previous question on every step after the first."""
    row = [InlineKeyboardButton(_("✖ Cancel"), callback_data="lg:x")]
    if step in BACK_TO:
        row.insert(0, InlineKeyboardButton(_("« Back"), callback_data=f"lg:b:{step}"))
    return row


def edit_rows() -> list[list[InlineKeyboardButton]]:
    """One Edit button per answer on the confirmation."""
    labels = {"a": _("✏ Activity"), "o": _("✏ Organisation"), "d": _("✏ Day"),
              "h": _("✏ Hours"), "n": _("✏ Note or photo")}
    buttons = [InlineKeyboardButton(label, callback_data=f"lg:e:{field}")
               for field, label in labels.items()]
    return [buttons[:3], buttons[3:]]


def day_problem(text: str) -> tuple[date | None, str | None]:
    """The day typed at the day step, or what is wrong with it (unreadable, future, too
    long ago), in the user's language."""
    chosen = parse_day(text, today())
    if chosen is None:
        return None, _("That is not a date I can read. Write it like {example}, or "
                       "«yesterday».").format(example=esc(date_text(today())))
    try:
        check_day(chosen)
    except Refusal as refusal:
        return None, explain(refusal)
    return chosen, None


async def ask(message: Message, context: TakasContext, user_id: int,
              data: dict[str, Any], *, edit: bool = False) -> None:
    """Ask the question of the draft's current step (a draft waits for typed answers)."""
    await waiting.expect(context, "log")
    step = data["step"]
    rows: list[list[InlineKeyboardButton]] = []
    if step == "activity":
        text = _("<b>Log hours</b>\nWhat did you do? Write it in a few words, or pick a "
                 "recent activity.")
        async with context.db.transaction() as session:
            recent = await drafts.recent_activities(session, user_id)
            todo = await playlist_rules.open_items(session, user_id)
        # Activities of the learner's playlists that do not count yet come first: hours
        # logged for them count toward the playlist once verified.
        rows = [[InlineKeyboardButton("📚 " + shorten(item.title, 40),
                                      callback_data=f"lg:p:{item.id}")]
                for item, _playlist in todo]
        rows += [[InlineKeyboardButton(shorten(e.activity, 40), callback_data=f"lg:r:{e.id}")]
                 for e in recent]
    elif step == "pick":
        text = _("Is it one of these? Linking the catalog entry tells the organizers exactly "
                 "what you did.")
        rows = [[InlineKeyboardButton(shorten(label, 60), callback_data=f"lg:s:{oid}")]
                for oid, label in data["candidates"]]
        rows.append([InlineKeyboardButton(_("✍ Keep my words"), callback_data="lg:t")])
    elif step == "organisation":
        text = _("Which organisation should verify it?")
        async with context.db.transaction() as session:
            organisations = await list_organisations(session)
        page = int(data.get("org_page", 0))
        shown = organisations[page * ORGS_PER_PAGE:(page + 1) * ORGS_PER_PAGE]
        rows = [[InlineKeyboardButton(shorten(o.name, 50), callback_data=f"lg:o:{o.id}")]
                for o in shown]
        paging = []
        if page > 0:
            paging.append(InlineKeyboardButton("«", callback_data=f"lg:op:{page - 1}"))
        if (page + 1) * ORGS_PER_PAGE < len(organisations):
            paging.append(InlineKeyboardButton("»", callback_data=f"lg:op:{page + 1}"))
        if paging:
            rows.append(paging)
        if not organisations:
            text = _("No organisation can verify hours yet. Ask your school or organizer to "
                     "join Takas.")
    elif step == "day":
        text = _("Which day? Pick one or write a date such as {example}.").format(
            example=esc((today() - timedelta(days=2)).isoformat()))
        rows = [[InlineKeyboardButton(_("Today"), callback_data="lg:d:0"),
                 InlineKeyboardButton(_("Yesterday"), callback_data="lg:d:1")]]
    elif step == "hours":
        text = _("How many hours? Pick one or write it, e.g. 2,5 or 1h30.")
        rows = [[InlineKeyboardButton(hours(m / 60), callback_data=f"lg:h:{m}")
                 for m in QUICK_MINUTES]]
    elif step == "note":
        text = _("Add a note or a photo as evidence, or skip.")
        rows = [[InlineKeyboardButton(_("Skip"), callback_data="lg:n")]]
    else:
        text = await summary(context, data)
        rows = [[InlineKeyboardButton(_("✔ Confirm"), callback_data=f"lg:c:{data['nonce']}")],
                *edit_rows()]
    rows.append(cancel_row(step))
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def summary(context: TakasContext, data: dict[str, Any]) -> str:
    async with context.db.transaction() as session:
        organisation = await drafts.organisation_name(session, data.get("organisation_id"))
    lines = [_("<b>Please check and confirm</b>"),
             _("Activity: {activity}").format(activity=esc(data["activity"])),
             _("Organisation: {organisation}").format(organisation=esc(organisation or "?")),
             _("Day: {day}").format(day=esc(date_text(date.fromisoformat(data["day"])))),
             _("Hours: {hours}").format(hours=esc(hours(data["minutes"] / 60)))]
    if data.get("note"):
        lines.append(_("Note: {note}").format(note=esc(shorten(data["note"], 300))))
    if data.get("photo"):
        lines.append(_("Photo attached"))
    return "\n".join(lines)


async def start_log(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if context.args:
        await shortcut(message, context, user.id, context.args, update.update_id)
        return
    async with context.db.transaction() as session:
        existing = await drafts.get(session, user.id)
        if existing is None:
            data = await drafts.save(session, user.id, {})
    if existing is not None:
        await message.reply_text(
            _("You have an unfinished entry. Continue it or start again?"),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(_("Continue"), callback_data="lg:k"),
                InlineKeyboardButton(_("Start again"), callback_data="lg:new")]]))
        return
    await ask(message, context, user.id, data)


async def shortcut(message: Message, context: TakasContext, user_id: int, args: list[str],
                   update_id: int) -> None:
    minutes = parse_minutes(args[0])
    words, day = split_trailing_day(args[1:], today())
    if minutes is None or not words:
        await message.reply_text(_("Write it as /log HOURS ACTIVITY [DATE], for example "
                                   "/log 2,5 Reading to children 2026-11-18 — or just /log."))
        return
    try:  # hours and day are checked now, not after the organisation is chosen
        if minutes > DAY_MINUTES:
            raise Refusal("hours_range")
        if day is not None:
            check_day(day)
    except Refusal as refusal:
        await message.reply_text(explain(refusal), parse_mode=ParseMode.HTML)
        return
    async with context.db.transaction() as session:
        organisation_id = await drafts.last_organisation(session, user_id)
        data = await drafts.save(session, user_id, {
            "activity": " ".join(words), "minutes": minutes, "note_done": True,
            "day": (day or today()).isoformat(), "nonce": f"u{update_id}",
            "organisation_id": organisation_id,
        })
    await ask(message, context, user_id, data)


async def on_text(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """A text or photo while a draft waits for a typed answer; otherwise not ours."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    async with context.db.transaction() as session:
        data = await drafts.get(session, user.id)
    if data is None or data["step"] not in ("activity", "day", "hours", "note"):
        return False  # not logging: let the search (or whatever is next) have the message
    text = (message.text or message.caption or "").strip()
    step = data["step"]
    problem = None
    if step == "activity" and text:
        if len(text) > 300:
            problem = explain(Refusal("activity_long", limit=300))
        data["activity"] = text
        data["candidates"] = catalog_candidates(context, text)
    elif step == "day":
        chosen, problem = day_problem(text)
        if chosen is not None:
            data["day"] = chosen.isoformat()
    elif step == "hours":
        minutes = parse_minutes(text)
        if minutes is None or minutes > DAY_MINUTES:
            problem = explain(Refusal("hours_range"))
        else:
            data["minutes"] = minutes
    elif step == "note":
        if message.photo:
            data["photo"] = message.photo[-1].file_id
        data["note"] = text[:1000] or None
        data["note_done"] = True
    if problem:
        await message.reply_text(problem, parse_mode=ParseMode.HTML)
        return True
    async with context.db.transaction() as session:
        data = await drafts.save(session, user.id, data)
    await ask(message, context, user.id, data)
    return True  # handled: not a search


async def on_button(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    parts = (query.data or "").split(":")
    action, value = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if action == "c":
        await confirm(update, context, value)
        return
    async with context.db.transaction() as session:
        data = await drafts.get(session, user.id)
        if action == "x":
            await drafts.drop(session, user.id)
        elif action == "new":
            await drafts.drop(session, user.id)
            data = await drafts.save(session, user.id, {})
        elif data is not None:
            data = await apply_choice(session, user.id, data, action, value)
            if data is not None:
                data = await drafts.save(session, user.id, data)
    if action == "x":
        await waiting.clear(context, "log")
        await query.answer()
        await query.message.edit_text(_("Cancelled. Nothing was logged."))
        return
    if data is None:
        await query.answer(_("This entry is no longer open; start again with /log."),
                           show_alert=True)
        return
    await query.answer()
    await ask(query.message, context, user.id, data, edit=True)


def catalog_candidates(context: TakasContext, text: str) -> list[list[Any]]:
    """Up to three catalog opportunities matching what the pupil typed: [[id, label]]."""
    result = context.bot_data.search.search(text, language=current_language())
    return [[hit.doc.id, " · ".join(p for p in (hit.doc.title, hit.doc.city) if p)]
            for hit in result.hits[:CANDIDATES]]


async def apply_choice(session: Any, user_id: int, data: dict[str, Any], action: str,
                       value: str) -> dict[str, Any] | None:
    if action == "s" and is_id(value):
        if int(value) not in [oid for oid, _label in data.get("candidates", [])]:
            return None
        opportunity = await session.get(Opportunity, int(value))
        if opportunity is None:
            return None
        data.update(activity=opportunity.title[:300], opportunity_id=opportunity.id,
                    candidates=[])
        data["organisation_id"] = await drafts.organisation_for_provider(
            session, opportunity.provider) or data.get("organisation_id")
    elif action == "t":
        data["candidates"] = []
    elif action == "p" and is_id(value):
        found = await playlist_rules.item_for_log(session, int(value), user_id)
        if found is None:
            return None
        item, playlist = found
        data.update(activity=item.title, playlist_item_id=item.id, candidates=[],
                    opportunity_id=item.opportunity_id,
                    organisation_id=playlist.organisation_id)
    elif action == "r" and is_id(value):
        entry = await session.get(HourEntry, int(value))
        if entry is None or entry.user_id != user_id:
            return None
        data.update(activity=entry.activity, organisation_id=entry.organisation_id)
    elif action == "o" and is_id(value):
        data["organisation_id"] = int(value)
    elif action == "op" and is_id(value):
        data["org_page"] = int(value)
    elif action == "d" and value in ("0", "1"):
        data["day"] = (today() - timedelta(days=int(value))).isoformat()
    elif action == "h" and is_id(value) and 0 < int(value) <= 24 * 60:
        data["minutes"] = int(value)
    elif action == "n":
        data["note_done"] = True
    elif action == "b" and BACK_TO.get(value) and data.get("step") == value:
        _clear(data, BACK_TO[value])
    elif action == "e" and value in CLEARS and data.get("step") == "confirm":
        _clear(data, value)
    return data


def _clear(data: dict[str, Any], field: str) -> None:
    """Forget one answer, so the flow asks for it again (see `CLEARS`)."""
    for key in CLEARS[field]:
        data.pop(key, None)
    if field == "o":
        data.pop("org_page", None)


async def confirm(update: Update, context: TakasContext, nonce: str) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        await expired(update)
        return
    key = f"log:{user.id}:{nonce}"
    try:
        async with context.db.transaction() as session:
            data = await drafts.get(session, user.id)
            if data is None or data.get("nonce") != nonce or data["step"] != "confirm":
                entry, new = await already_logged(session, key)
            else:
                entry, new = await log_entry(session, NewEntry(
                    user_id=user.id, organisation_id=int(data["organisation_id"]),
                    activity=data["activity"], day=date.fromisoformat(data["day"]),
                    minutes=int(data["minutes"]), key=key, note=data.get("note"),
                    photo_file_id=data.get("photo"),
                    opportunity_id=data.get("opportunity_id"),
                    playlist_item_id=data.get("playlist_item_id")))
                await drafts.drop(session, user.id)
    except Refusal as refusal:
        await query.answer()
        await query.message.reply_text(explain(refusal), parse_mode=ParseMode.HTML)
        return
    if entry is None:
        await query.answer(_("This entry is no longer open; start again with /log."),
                           show_alert=True)
        return
    await waiting.clear(context, "log")
    await query.answer()
    if not new:
        return  # a double tap: the first one already answered
    await query.message.edit_text(
        _("Logged: {hours} on {day}. The organizers will verify it; I will tell you when "
          "they do. /hours shows your progress.").format(
            hours=esc(hours(entry.minutes / 60)), day=esc(date_text(entry.day))),
        parse_mode=ParseMode.HTML)
    await notify_organizers(context, entry.id)


async def already_logged(session: Any, key: str) -> tuple[HourEntry | None, bool]:
    from sqlalchemy import select

    found = (await session.scalars(
        select(HourEntry).where(HourEntry.idempotency_key == key))).first()
    return found, False


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("log", start_log),
    CallbackQueryHandler(on_button, pattern=r"^lg:"),
]
# A typed answer to a draft's question is not a search: the waiting dispatcher brings it.
waiting.register("log", on_text)
