"""/feeds for admins: a summary with the failing feeds, every feed with its last sync, sync
now, add or remove a feed. With 85 feeds, one line each would bury the one that fails, so
`/feeds` and a sync report show counts and the failures only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import TakasContext
from bot.formatting import ago
from bot.i18n import _, ngettext
from bot.text import esc, shorten, split_message
from bot.usecases import feeds as usecase
from bot.usecases.feeds import FeedAdminError, Problem
from handlers import callback_data as cb


def usage() -> str:
    return _(
        "<b>Feeds</b>\n"
        "/feeds — a summary and the feeds that fail\n"
        "/feeds all — every feed with its last sync\n"
        "/feeds sync [name] — sync all feeds, or one, now\n"
        "/feeds add name URL [format] — add a public feed (jsonld, rss, ics, csv)\n"
        "/feeds remove name — remove a feed added in chat"
    )


async def _refuse_non_admin(update: Update, context: TakasContext) -> bool:
    user = update.effective_user
    if user is not None and user.id in context.settings.admin_ids:
        return False
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer(_("Only administrators can manage feeds."),
                                           show_alert=True)
    elif message is not None:
        await message.reply_text(_("Only administrators can manage feeds."))
    return True


async def feeds(update: Update, context: TakasContext) -> None:
    message = update.effective_message
    if message is None or await _refuse_non_admin(update, context):
        return
    args = context.args or []
    action = args[0].lower() if args else "summary"
    if action == "sync":
        await _sync(message, context, args[1:])
    elif action == "add" and len(args) in (3, 4):
        await _add(message, context, args[1], args[2], args[3] if len(args) == 4 else None)
    elif action == "remove" and len(args) == 2:
        await _remove(message, context, args[1])
    elif action == "summary":
        await _summary(message, context)
    elif action in ("all", "list") and len(args) == 1:
        await _list(message, context)
    else:
        await message.reply_text(usage())


async def sync_pressed(update: Update, context: TakasContext) -> None:
    query = update.callback_query
    if query is None or await _refuse_non_admin(update, context):
        return
    await query.answer(_("Syncing…"))
    if isinstance(query.message, Message):
        await _sync(query.message, context, [])


def _sync_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Sync all now"),
                                                       callback_data=cb.FeedsSync().pack())]])


async def _summary(message: Message, context: TakasContext) -> None:
    seen = await usecase.overview(context.db)
    if not seen.feeds:
        await message.reply_text(usage())
        return
    lines = [ngettext("<b>{count} feed</b>", "<b>{count} feeds</b>", seen.feeds).format(
        count=seen.feeds) + " · " + ngettext("{count} item", "{count} items", seen.items).format(
        count=seen.items)]
    if seen.last_success is not None:
        lines.append(_("last success {when}").format(when=esc(ago(seen.last_success))))
    if seen.never_synced:
        lines.append(ngettext("{count} feed not synced yet", "{count} feeds not synced yet",
                              seen.never_synced).format(count=seen.never_synced))
    lines.append("")
    if seen.failing:
        lines.append(ngettext("<b>{count} feed failed</b> at its last sync:",
                              "<b>{count} feeds failed</b> at their last sync:",
                              len(seen.failing)).format(count=len(seen.failing)))
        lines += [_failure(name, error) for name, error in seen.failing]
        lines.append("")
    else:
        lines.append(_("No feed is failing."))
    lines.append(_("/feeds all lists every feed."))
    await _reply_parts(message, "\n".join(lines), _sync_keyboard())


async def _reply_parts(message: Message, text: str,
                       keyboard: InlineKeyboardMarkup | None = None) -> None:
    """`text` in as many messages as it takes; the keyboard under the last one."""
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_text(part,
                                 reply_markup=keyboard if last else None)


def _failure(name: str, error: str) -> str:
    return _("{name}: failed — {error}").format(name=f"<b>{esc(name)}</b>",
                                                error=esc(shorten(error, 300)))


async def _list(message: Message, context: TakasContext) -> None:
    rows = await usecase.enabled(context.db)
    if not rows:
        await message.reply_text(usage())
        return
    lines = [ngettext("<b>{count} feed</b>", "<b>{count} feeds</b>", len(rows)).format(
        count=len(rows))]
    for feed in rows:
        lines.append("")
        lines.append(_("{name}: {items}").format(
            name=f"<b>{esc(feed.name)}</b>",
            items=ngettext("{count} item", "{count} items", feed.items).format(
                count=feed.items)))
        if feed.last_success:
            # TRANSLATORS: {when} is a relative time from Babel, e.g. "5 minutes ago".
            lines.append(_("last success {when}").format(when=esc(ago(feed.last_success))))
        else:
            lines.append(_("not synced yet"))
        if feed.last_error:
            lines.append(_("last error: {error}").format(error=esc(shorten(feed.last_error, 300))))
    await _reply_parts(message, "\n".join(lines), _sync_keyboard())


async def _sync(message: Message, context: TakasContext, names: list[str]) -> None:
    progress = await message.reply_text(_("Syncing the feeds, this can take a minute…"))
    summary = await usecase.sync(context.catalog, names)
    if summary is None:
        await progress.edit_text(_("No such feed. /feeds lists them."))
        return
    lines = [
        _("Sync finished: {ok} of {total} feeds synced.").format(
            ok=summary.synced, total=summary.feeds),
        _("Feeds updated: {updated}, unchanged: {unchanged}.").format(
            updated=summary.updated, unchanged=summary.unchanged),
        _("Items added: {added}, changed: {changed}, withdrawn: {withdrawn}.").format(
            added=summary.added, changed=summary.changed, withdrawn=summary.withdrawn),
    ]
    if summary.failures:
        lines.append("")
        lines += [_failure(report.name, report.error or "") for report in summary.failures]
    parts = split_message("\n".join(lines))
    await progress.edit_text(parts[0])
    for part in parts[1:]:
        await message.reply_text(part)


PROBLEMS = {
    Problem.BAD_NAME: lambda: _("A feed name is 1–100 letters, digits, dots, dashes or "
                                "underscores."),
    Problem.BAD_URL: lambda: _("That address cannot be added: only public http(s) addresses "
                               "are allowed."),
    Problem.BAD_FORMAT: lambda: _("Unknown format. Use jsonld, rss, ics or csv, or leave it out."),
    Problem.NAME_TAKEN: lambda: _("A feed with that name already exists."),
    Problem.NOT_FOUND: lambda: _("No such feed. /feeds lists them."),
    Problem.FROM_FILE: lambda: _("That feed comes from the operator's feeds file; remove it "
                                 "there."),
}


async def _add(message: Message, context: TakasContext, name: str, url: str,
               fmt: str | None) -> None:
    user_id = message.from_user.id if message.from_user else 0
    try:
        await usecase.add(context.db, name, url, fmt, user_id)
    except FeedAdminError as exc:
        await message.reply_text(PROBLEMS[exc.problem]())
        return
    await message.reply_text(_("Feed {name} added.").format(name=f"<b>{esc(name)}</b>"))
    await _sync(message, context, [name])


async def _remove(message: Message, context: TakasContext, name: str) -> None:
    try:
        withdrawn = await usecase.remove(context.db, name)
    except FeedAdminError as exc:
        await message.reply_text(PROBLEMS[exc.problem]())
        return
    await message.reply_text(
        ngettext("Feed {name} removed; {count} item withdrawn from search.",
                 "Feed {name} removed; {count} items withdrawn from search.", withdrawn)
        .format(name=f"<b>{esc(name)}</b>", count=withdrawn),
    )


HANDLERS: list[BaseHandler[Update, TakasContext, None]] = [
    CommandHandler("feeds", feeds),
    CallbackQueryHandler(sync_pressed, pattern=cb.FeedsSync.pattern),
]
