"""Schools in chat: classes, their links, pupils added by name, moving up, targets per
grade; and for pupils, joining a class by its link and claiming a roster record.

    /classes                     your school's classes this school year (a button each);
                                 a teacher of several schools chooses one first (a
                                 button each), and "Another school" switches
    /classes new 8B              a class, with a link for its pupils
    /classes add 8B NAME         a pupil not on Telegram, with a one-time claim code
    /targets [GRADE HOURS|-]     yearly targets per grade (- removes one)
    /claim CODE                  a pupil takes over the record a teacher made for them
    t.me/<bot>?start=cl_<token>  join a class (after confirming full name, grade, class)
    t.me/<bot>?start=rp_<code>   the claim code as a link (both: handlers/deep_links.py)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import hours_words
from bot.i18n import _
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.schools import clean_full_name
from bot.text import esc, is_id
from bot.usecases import schools as usecase
from handlers import deep_links as links
from handlers import waiting
from handlers.callback_data import CallbackData

JOIN_FLOW = "class_join"
T = TypeVar("T")
Command = Callable[[Update, TakasContext], Coroutine[Any, Any, None]]


class SchoolChoose(CallbackData, prefix="scs"):
    """Act in this organisation (a teacher of several)."""

    organisation: int


class SchoolSwitch(CallbackData, prefix="sco"):
    """Show the organisations to choose from again."""


class ClassCard(CallbackData, prefix="scc"):
    school_class: int


class ClassPromote(CallbackData, prefix="scp"):
    school_class: int


class ClassPromoteYes(CallbackData, prefix="scy"):
    school_class: int


class JoinClass(CallbackData, prefix="scj"):
    pass


class JoinCancel(CallbackData, prefix="scx"):
    pass


def class_link(context: TakasContext, token: str) -> str:
    return links.CLASS.url(context.bot, token)


def claim_link(context: TakasContext, code: str) -> str:
    return links.CLAIM.url(context.bot, code)


def year_text(year: int) -> str:
    return f"{year}/{year + 1}"


def usage() -> str:
    return _("<b>Classes</b>\n"
             "/classes new 8B — a class, with a link for its pupils\n"
             "/classes add 8B NAME — a pupil who is not on Telegram; they get a one-time "
             "code\n"
             "/targets — yearly targets per grade\n"
             "/attendance HOURS ACTIVITY — record who took part\n"
             "/report — the report for the e-diary (CSV and PDF)")


def picks_school(command: Command) -> Command:
    """A school command that asks a teacher of several schools which one first: the
    refusal "choose_school" becomes a button per school (the choice is kept)."""

    @wraps(command)
    async def run(update: Update, context: TakasContext) -> None:
        try:
            await command(update, context)
        except Refusal as refusal:
            if refusal.code != "choose_school" or update.effective_message is None:
                raise
            choices = [usecase.SchoolChoice(i, name, False)
                       for i, name in refusal.params["choices"]]
            await update.effective_message.reply_text(
                _("You organize for several organisations. In which school do you work now? "
                  "I will remember it; /classes switches."),
                reply_markup=choice_keyboard(choices))

    return run


def choice_keyboard(choices: list[usecase.SchoolChoice]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        ("✔ " if c.chosen else "") + c.name[:60],
        callback_data=SchoolChoose(organisation=c.id).pack())] for c in choices])


@picks_school
async def classes_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    if len(args) >= 2 and args[0].lower() == "new":
        created = await usecase.create_class(context.db, user.id, " ".join(args[1:]))
        await message.reply_text(card_text(context, created),
                                 reply_markup=card_keyboard(created))
        return
    if len(args) >= 3 and args[0].lower() == "add":
        added = await usecase.add_pupil(context.db, user.id, args[1], " ".join(args[2:]))
        await message.reply_text(_(
            "{name} is now on the list of class {school_class}. Give them this one-time "
            "code: <code>{code}</code>. Once on Telegram, they open {link} (or send "
            "/claim {code}) and take over their record and hours.").format(
            name=f"<b>{esc(added.full_name)}</b>", school_class=esc(added.class_name),
            code=esc(added.claim_code), link=esc(claim_link(context, added.claim_code))))
        return
    school = await usecase.overview(context.db, user.id)
    await message.reply_text(overview_text(school), reply_markup=overview_keyboard(school))


def overview_text(school: usecase.SchoolView) -> str:
    lines = [_("<b>{school}</b>, school year {year}").format(
        school=esc(school.name), year=year_text(school.year))]
    if not school.classes:
        lines.append(_("No classes yet."))
    return "\n".join([*lines, "", usage()])


def overview_keyboard(school: usecase.SchoolView) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(
        _("Class {name} · pupils: {count}").format(name=c.name, count=len(c.pupils)),
        callback_data=ClassCard(school_class=c.id).pack())] for c in school.classes]
    if school.switchable:
        rows.append([InlineKeyboardButton(_("🔁 Another school"),
                                          callback_data=SchoolSwitch().pack())])
    return InlineKeyboardMarkup(rows) if rows else None


async def _press(update: Update, act: Callable[[int], Awaitable[T]]
                 ) -> tuple[CallbackQuery, T] | None:
    """A button's work for its presser (a refusal rises to the central answer), then
    the press is answered; None when the update is not a press."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    result = await act(user.id)
    await query.answer()
    return query, result


async def on_choose(update: Update, context: TakasContext) -> None:
    """A school chosen: remembered, and its overview in place of the question."""
    chosen = SchoolChoose.of(update).organisation
    pressed = await _press(update, lambda uid: usecase.choose_school(context.db, uid, chosen))
    if pressed is not None:
        query, school = pressed
        await query.edit_message_text(overview_text(school),
                                      reply_markup=overview_keyboard(school))


async def on_switch(update: Update, context: TakasContext) -> None:
    """"Another school": the organisations to choose from, the current one ticked."""
    pressed = await _press(update, lambda uid: usecase.school_choices(context.db, uid))
    if pressed is not None and isinstance(pressed[0].message, Message):
        await pressed[0].message.reply_text(_("In which school do you work now?"),
                                            reply_markup=choice_keyboard(pressed[1]))


def card_text(context: TakasContext, view: usecase.ClassView) -> str:
    lines = [_("<b>Class {name}</b> of {school}, school year {year}").format(
        name=esc(view.name), school=esc(view.school), year=year_text(view.year)),
        _("Link for its pupils: {link}").format(link=esc(class_link(context, view.token))),
        ""]
    if not view.pupils:
        lines.append(_("No pupils yet."))
    for number, pupil in enumerate(view.pupils, 1):
        line = f"{number}. {esc(pupil.full_name)}"
        if pupil.claim_code:
            line += " — " + _("not on Telegram, code {code}").format(
                code=f"<code>{esc(pupil.claim_code)}</code>")
        lines.append(line)
    return "\n".join(lines)[:4000]


def card_keyboard(view: usecase.ClassView) -> InlineKeyboardMarkup | None:
    if view.promoted:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        _("⬆ Move up to the next school year"),
        callback_data=ClassPromote(school_class=view.id).pack())]])


async def on_class_card(update: Update, context: TakasContext) -> None:
    class_id = ClassCard.of(update).school_class
    pressed = await _press(update, lambda uid: usecase.class_card(context.db, uid, class_id))
    if pressed is not None and isinstance(pressed[0].message, Message):
        view = pressed[1]
        await pressed[0].message.reply_text(card_text(context, view),
                                            reply_markup=card_keyboard(view))


async def on_promote(update: Update, context: TakasContext) -> None:
    """Ask once: every pupil of the class moves to the next grade and school year."""
    class_id = ClassPromote.of(update).school_class
    pressed = await _press(update, lambda uid: usecase.class_card(context.db, uid, class_id))
    if pressed is None:
        return
    query, view = pressed
    await query.edit_message_text(
        _("Move class {name} (pupils: {count}) up to grade {grade} of school year {year}?")
        .format(name=esc(view.name), count=len(view.pupils), grade=view.grade + 1,
                year=year_text(view.year + 1)),
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(
            _("✔ Yes, move up"), callback_data=ClassPromoteYes(school_class=class_id).pack())
        ]]))


async def on_promote_yes(update: Update, context: TakasContext) -> None:
    class_id = ClassPromoteYes.of(update).school_class
    pressed = await _press(update, lambda uid: usecase.promote(context.db, uid, class_id))
    if pressed is None:
        return
    query, moved = pressed
    assert moved is not None  # grade 12 is refused by the service
    await query.edit_message_text(_(
        "Done: class {name} of school year {year}, pupils: {count}. Its new link: {link}")
        .format(name=esc(moved.name), year=year_text(moved.year), count=len(moved.pupils),
                link=esc(class_link(context, moved.token))))


@picks_school
async def targets_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    if len(args) == 2 and is_id(args[0]):
        minutes = None if args[1] == "-" else parse_minutes(args[1])
        if args[1] != "-" and minutes is None:
            raise Refusal("target_range")
        await usecase.set_target(context.db, user.id, int(args[0]), minutes)
    elif args:
        await message.reply_text(_("Write /targets GRADE HOURS, for example /targets 8 "
                                   "10, or /targets 8 - to remove a grade's target."))
        return
    school = await usecase.overview(context.db, user.id)
    lines = [_("<b>Yearly targets of {school}</b>").format(school=esc(school.name))]
    lines += [_("Grade {grade}: {hours}").format(grade=grade, hours=esc(hours_words(minutes)))
              for grade, minutes in school.targets]
    if not school.targets:
        lines.append(_("No targets: no grade has one."))
    lines.append(_("/targets GRADE HOURS changes one; /targets GRADE - removes it."))
    await message.reply_text("\n".join(lines))


async def claim_link_opened(update: Update, context: TakasContext) -> None:
    """t.me/<bot>?start=rp_<code>: take over a roster record (handlers/start.py routes it)."""
    message, user = update.effective_message, update.effective_user
    if message is not None and user is not None:
        await claim(message, context, user.id, links.CLAIM.value(context))


async def class_link_opened(update: Update, context: TakasContext) -> None:
    """t.me/<bot>?start=cl_<token>: ask to join the class (handlers/start.py routes it)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    token = links.CLASS.value(context)
    invited = await usecase.invitation(context.db, token, user.id)
    heading = _("Class {name} (grade {grade}) of {school}, school year {year}.").format(
        name=esc(invited.class_name), grade=invited.grade, school=esc(invited.school),
        year=year_text(invited.year))
    if invited.full_name:
        await waiting.expect(context, JOIN_FLOW, token=token, name=invited.full_name)
        await message.reply_text(
            heading + "\n" + _("Join it as {name}? If that is not your full name, write it.")
            .format(name=f"<b>{esc(invited.full_name)}</b>"), reply_markup=join_keyboard())
        return
    await waiting.expect(context, JOIN_FLOW, token=token)
    await message.reply_text(heading + "\n" + _(
        "To join, write your full name (first name and surname) as your teacher knows it."))


def join_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✔ Join"), callback_data=JoinClass().pack()),
        InlineKeyboardButton(_("✖ Cancel"), callback_data=JoinCancel().pack())]])


async def on_join_name(update: Update, context: TakasContext, state: dict[str, Any]) -> bool:
    """The typed full name: confirm it together with the class."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    token = str(state.get("token", ""))
    invited = await usecase.invitation(context.db, token, user.id)
    name = clean_full_name(message.text)
    await waiting.expect(context, JOIN_FLOW, token=token, name=name)
    await message.reply_text(_(
        "Join class {school_class} (grade {grade}) of {school} as {name}?").format(
        school_class=esc(invited.class_name), grade=invited.grade,
        school=esc(invited.school), name=f"<b>{esc(name)}</b>"), reply_markup=join_keyboard())
    return True


async def on_join(update: Update, context: TakasContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    expecting = await waiting.current(context)
    if expecting is None or expecting.flow != JOIN_FLOW or "name" not in expecting.state:
        await query.answer(_("This button is not valid any more."), show_alert=True)
        return
    joined = await usecase.join(context.db, str(expecting.state.get("token", "")),
                                user.id, str(expecting.state["name"]))
    await waiting.clear(context, JOIN_FLOW)
    await query.answer()
    await query.edit_message_text(_(
        "Welcome to class {school_class} of {school}, {name}! Your hours count toward your "
        "grade's yearly target: /hours shows your progress.").format(
        school_class=esc(joined.class_name), school=esc(joined.school),
        name=esc(joined.full_name)))


async def on_join_cancel(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None:
        return
    await waiting.clear(context, JOIN_FLOW)
    await query.answer()
    await query.edit_message_text(_("Cancelled."))


async def claim(message: Message, context: TakasContext, user_id: int, code: str) -> None:
    claimed = await usecase.claim(context.db, code, user_id)
    place = (_("class {school_class} of {school}").format(
        school_class=esc(claimed.class_name), school=esc(claimed.school))
        if claimed.class_name else esc(claimed.school))
    await message.reply_text(_(
        "Welcome, {name}! This is now your record in {place}, with the hours your teacher "
        "recorded: /hours shows them.").format(name=f"<b>{esc(claimed.full_name)}</b>",
                                               place=place))


async def claim_command(update: Update, context: TakasContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text(_("Write /claim and the code your class teacher gave you, "
                                   "for example /claim P-AB12-CD34."))
        return
    await claim(message, context, user.id, "".join(context.args))


waiting.register(JOIN_FLOW, on_join_name)

HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("classes", classes_command),
    CommandHandler("targets", targets_command),
    CommandHandler("claim", claim_command),
    CallbackQueryHandler(on_choose, pattern=SchoolChoose.pattern),
    CallbackQueryHandler(on_switch, pattern=SchoolSwitch.pattern),
    CallbackQueryHandler(on_class_card, pattern=ClassCard.pattern),
    CallbackQueryHandler(on_promote, pattern=ClassPromote.pattern),
    CallbackQueryHandler(on_promote_yes, pattern=ClassPromoteYes.pattern),
    CallbackQueryHandler(on_join, pattern=JoinClass.pattern),
    CallbackQueryHandler(on_join_cancel, pattern=JoinCancel.pattern),
]
