"""Rendering search results, details and inline articles: HTML that Telegram accepts.

Every interpolated value is escaped; every message stays below Telegram's limits (titles and
descriptions are shortened; callback data carries only ids).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import distance, hours, price, span
from bot.i18n import _, current_language, ngettext
from bot.language_names import in_language
from bot.text import esc, shorten
from catalog.search.engine import SearchResult
from catalog.search.index import SearchDoc
from handlers import callback_data as cb

PAGE = 5
Playlists = Sequence[tuple[int, str]]  # learning playlists shown with results: (id, title)
KIND_ICONS = {"course": "🎓", "event": "📅", "volunteering": "🤝"}


def place(doc: SearchDoc) -> str:
    if doc.online:
        return _("online")
    return doc.city or ""


def card(number: int, doc: SearchDoc, *, km: float | None = None) -> str:
    """One result: title, provider and place, dates, hours, price."""
    icon = KIND_ICONS.get(doc.kind, "•")
    lines = [f"{icon} <b>{number}. {esc(shorten(doc.title, 150))}</b>"]
    where = " · ".join(p for p in (shorten(doc.provider or "", 80), place(doc)) if p)
    if km is not None:
        where = f"{where} · {distance(km)}" if where else distance(km)
    if where:
        lines.append(esc(where))
    facts = [fact for fact in (
        span(doc.start, doc.end, doc.timezone),
        hours(doc.hours) if doc.hours else None,
        price(doc.price, doc.currency),
    ) if fact]
    if facts:
        lines.append(esc(" · ".join(facts)))
    return "\n".join(lines)


def results_text(query: str, result: SearchResult, page: int, *, emptied_by: str | None,
                 place_names: list[str], playlists: Playlists = ()) -> str:
    hits = result.hits or result.relaxed
    total = len(hits)
    first = page * PAGE
    shown = hits[first : first + PAGE]
    head = ngettext("<b>{count} result</b> for «{query}»", "<b>{count} results</b> for «{query}»",
                    total).format(count=total, query=esc(shorten(query, 80)))
    lines = []
    if emptied_by:
        lines.append(emptied_message(emptied_by, place_names))
        lines.append("")
    lines.append(head)
    if total > PAGE:
        lines.append(_("Showing {first}–{last}").format(first=first + 1,
                                                         last=first + len(shown)))
    for offset, hit in enumerate(shown):
        lines.append("")
        lines.append(card(first + offset + 1, hit.doc))
    return "\n".join(lines) + playlists_text(playlists)


def playlists_text(playlists: Playlists) -> str:
    """Learning playlists shown with results: a heading and their titles."""
    if not playlists:
        return ""
    return "\n\n" + "\n".join([_("<b>Learning playlists</b>")] + [
        f"📚 {esc(shorten(title, 100))}" for _id, title in playlists])


def playlist_rows(playlists: Playlists) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton("📚 " + shorten(title, 40),
                                  callback_data=cb.PlaylistOpen(playlist=pid).pack())]
            for pid, title in playlists]


def emptied_message(name: str, place_names: list[str]) -> str:
    messages = {
        # TRANSLATORS: {place} is one or more town names in the nominative, comma-separated.
        "place": lambda: _("{place}: nothing matches there. Here are the nearest matches "
                           "elsewhere.").format(place=esc(", ".join(place_names))),
        "online": lambda: _("Nothing matches online; here are matches on site."),
        "free": lambda: _("Nothing free matches; here are matches with a fee."),
        "kind": lambda: _("Nothing of that kind matches; here are other kinds of activity."),
        "date": lambda: _("Nothing matches on those dates; here are matches on other dates."),
        "weekday": lambda: _("Nothing matches on those days of the week; here are matches "
                             "on other days."),
        "time": lambda: _("Nothing matches at that time of day; here are matches at other "
                          "times."),
        "price": lambda: _("Nothing matches within that price; here are matches that cost "
                           "more."),
        "level": lambda: _("Nothing matches at that level; here are matches at other "
                           "levels."),
        "audience": lambda: _("Nothing matches for that audience; here are matches for "
                              "everyone else."),
        "language": lambda: _("Nothing is taught in that language; here are matches in "
                              "other languages."),
        "in_person": lambda: _("Nothing matches in person; here are matches online."),
    }
    return messages[name]()


def paging_rows(data: Callable[[int], str], page: int, *,
                more: bool) -> list[list[InlineKeyboardButton]]:
    """« Back and More » for page `page` of a list (`data(page)`: the button's data); no
    row at all when there is only one page."""
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton(_("« Back"), callback_data=data(page - 1)))
    if more:
        paging.append(InlineKeyboardButton(_("More »"), callback_data=data(page + 1)))
    return [paging] if paging else []


def results_keyboard(query_id: int, result: SearchResult, page: int, *,
                     only_language: bool, playlists: Playlists = ()) -> InlineKeyboardMarkup:
    hits = result.hits or result.relaxed
    first = page * PAGE
    shown = hits[first : first + PAGE]
    rows = [[InlineKeyboardButton(str(first + i + 1),
                                  callback_data=cb.Details(opportunity=hit.doc.id,
                                                           query=query_id, page=page).pack())
             for i, hit in enumerate(shown)]]
    rows += paging_rows(lambda to: cb.SearchPage(query=query_id, page=to).pack(), page,
                        more=first + PAGE < len(hits))
    rows += playlist_rows(playlists)
    rows.append([InlineKeyboardButton("🔔 " + _("Notify me about new ones"),
                                      callback_data=cb.NotifyMe(query=query_id).pack())])
    # TRANSLATORS: {in_language} is e.g. "in English" (lt "Tik lietuviškai").
    scope = (_("All languages") if only_language
             else _("Only {in_language}").format(in_language=in_language(current_language())))
    rows.append([InlineKeyboardButton("🌐 " + scope,
                                      callback_data=cb.SearchScope(
                                          query=query_id,
                                          only_language=not only_language).pack())])
    return InlineKeyboardMarkup(rows)


def nothing_text(query: str, suggestions: list[str]) -> str:
    text = _("Nothing found for «{query}».").format(query=esc(shorten(query, 80)))
    if suggestions:
        text += "\n" + _("Did you mean:")
    else:
        text += "\n" + _("Try other words, a nearby town, or fewer details.")
    return text


def details_text(doc: SearchDoc, *, withdrawn: bool = False) -> str:
    lines = [card(0, doc).replace("<b>0. ", "<b>", 1)]
    if withdrawn:
        lines.append(_("<i>The organiser no longer lists this opportunity.</i>"))
    if doc.description:
        lines.append("")
        lines.append(esc(shorten(doc.description, 2500)))
    if doc.url:
        lines.append("")
        lines.append(f'<a href="{esc(doc.url)}">{esc(more_label())}</a>')
    return "\n".join(lines)


def more_label() -> str:
    return _("More and registration")


def details_keyboard(doc: SearchDoc, query_id: int | None, page: int) -> InlineKeyboardMarkup:
    rows = []
    if doc.start is not None:
        rows.append([InlineKeyboardButton("🗓 " + _("Add to calendar"),
                                          callback_data=cb.Calendar(opportunity=doc.id).pack())])
    if doc.url:
        rows.append([InlineKeyboardButton("🔗 " + _("Open the page"), url=doc.url)])
    if query_id is not None:
        rows.append([InlineKeyboardButton(_("« Back to results"),
                                          callback_data=cb.SearchPage(query=query_id,
                                                                      page=page).pack())])
    return InlineKeyboardMarkup(rows)


def details(opportunity_id: int) -> str:
    """The data of a Details button outside a stored search's results."""
    return cb.Details(opportunity=opportunity_id, query=0, page=0).pack()


def numbered_details(found: list[tuple[float, SearchDoc]]) -> InlineKeyboardMarkup:
    """Detail buttons for a list that is not a stored query (e.g. nearest results)."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(str(number), callback_data=details(doc.id))
        for number, (_km, doc) in enumerate(found, start=1)
    ]])
