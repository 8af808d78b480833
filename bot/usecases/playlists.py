"""Learning playlists: the organizer's editor (/playlist and its buttons, the typed title,
description, own activity or catalog search) and the learner's side (open, join,
/playlists with progress).

Each function is one unit of work over bot/services/playlists.py and returns frozen views;
a rule's no is a `Refusal`. What the editor shows after a change (the `Editor`) is read in
the transaction that made the change. A check-in code for a playlist's own activity is
opened here (bot/services/checkins.py), so the playlists service does not call the
check-ins service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import checkins, orgs
from bot.services import playlists as rules
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.playlist_tables import Playlist, PlaylistItem
from bot.usecases.checkins import CheckinCode, code_view
from catalog.search.service import SearchService

CHECKIN_MINUTES = (60, 120, 180, 240)  # what a playlist activity's check-in may be worth
OFFERS = 5  # catalog opportunities offered for the words an organizer typed


@dataclass(frozen=True)
class PlaylistView:
    id: int
    organisation_id: int
    titles: Mapping[str, str]  # by language
    descriptions: Mapping[str, str]
    language: str  # the one it was first written in
    published: bool

    def title(self, language: str) -> str:
        """In `language` when written in it, else in its own language."""
        return rules.localized(dict(self.titles), language, self.language)

    def description(self, language: str) -> str:
        return rules.localized(dict(self.descriptions), language, self.language)


@dataclass(frozen=True)
class ItemView:
    id: int
    playlist_id: int
    position: int  # 1, 2, ... without gaps
    title: str
    required: bool
    opportunity_id: int | None  # None: the organisation's own activity


@dataclass(frozen=True)
class Editor:
    playlist: PlaylistView
    organisation: str | None
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class Question:
    """The editor waits for typed text: a title, description, own activity or search."""

    awaiting: str
    language: str  # the language the title or description is written in
    playlist_id: int | None  # None: a title that creates the playlist


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class NewPlaylist:
    """A new playlist: for which organisation (several to choose from), or its title."""

    choices: tuple[Choice, ...]
    question: Question | None


@dataclass(frozen=True)
class Offer:
    id: int
    title: str
    city: str | None


@dataclass(frozen=True)
class Typed:
    """What the editor does with a typed answer: ask the next question, show the catalog's
    matches for the search words, or show the editor again."""

    question: Question | None = None
    query: str = ""
    offers: tuple[Offer, ...] = ()
    playlist_id: int = 0
    editor: Editor | None = None


@dataclass(frozen=True)
class ProgressView:
    """A learner's activities of one playlist, in order, each with whether it counts."""

    steps: tuple[tuple[ItemView, bool], ...]
    required_total: int
    required_done: int
    done: int
    complete: bool


@dataclass(frozen=True)
class LearnerPage:
    playlist: PlaylistView
    organisation: str | None
    progress: ProgressView
    member: bool


@dataclass(frozen=True)
class Joined:
    """A page of the playlists a learner joined (`total` in all)."""

    total: int
    shown: tuple[tuple[PlaylistView, ProgressView], ...]


def playlist_view(playlist: Playlist) -> PlaylistView:
    return PlaylistView(playlist.id, playlist.organisation_id,
                        MappingProxyType(dict(playlist.titles)),
                        MappingProxyType(dict(playlist.descriptions)), playlist.language,
                        playlist.published)


def item_view(item: PlaylistItem) -> ItemView:
    return ItemView(item.id, item.playlist_id, item.position, item.title, item.required,
                    item.opportunity_id)


def progress_view(state: rules.Progress) -> ProgressView:
    return ProgressView(tuple((item_view(item), done) for item, done in state.items),
                        state.required_total, state.required_done, state.done,
                        state.complete)


# --- organizers -------------------------------------------------------------------------

async def mine(db: Database, user_id: int) -> tuple[PlaylistView, ...]:
    """/playlist: the playlists of the organizer's organisations, newest first; nothing
    typed is awaited any more."""
    async with db.transaction() as session:
        found = await rules.of_organizer(session, user_id)
        await rules.stop_editing(session, user_id)
        return tuple(playlist_view(p) for p in found)


async def _ask(session: AsyncSession, user_id: int, organisation_id: int,
               playlist_id: int | None, awaiting: str, language: str) -> Question:
    if playlist_id is not None:
        organisation_id = (await rules.editable(session, playlist_id, user_id)).organisation_id
    await rules.expect(session, user_id, organisation_id=organisation_id,
                       playlist_id=playlist_id, awaiting=awaiting, language=language)
    return Question(awaiting, language, playlist_id)


async def new_playlist(db: Database, user_id: int, organisation_id: int | None,
                       language: str) -> NewPlaylist:
    """➕ New playlist: an organizer of several organisations chooses one first; then the
    editor waits for the title (in `language`)."""
    async with db.transaction() as session:
        found = await orgs.organisations_of(session, user_id)
        if organisation_id is None and len(found) > 1:
            return NewPlaylist(tuple(Choice(o.id, o.name) for o in found), None)
        chosen = organisation_id or (found[0].id if found else 0)
        return NewPlaylist((), await _ask(session, user_id, chosen, None, "title", language))


async def ask(db: Database, user_id: int, playlist_id: int, awaiting: str,
              language: str) -> Question:
    """The editor waits for the playlist's `awaiting` text (title, activity or search)."""
    async with db.transaction() as session:
        return await _ask(session, user_id, 0, playlist_id, awaiting, language)


async def _editor(session: AsyncSession, user_id: int, playlist_id: int,
                  language: str) -> Editor:
    playlist = await rules.editable(session, playlist_id, user_id)
    await rules.expect(session, user_id, organisation_id=playlist.organisation_id,
                       playlist_id=playlist.id, awaiting="", language=language)
    items = await rules.items_of(session, playlist_id)
    return Editor(playlist_view(playlist),
                  await orgs.name_of(session, playlist.organisation_id),
                  tuple(item_view(item) for item in items))


async def editor(db: Database, user_id: int, playlist_id: int, language: str) -> Editor:
    """The editor, with nothing typed awaited any more."""
    async with db.transaction() as session:
        return await _editor(session, user_id, playlist_id, language)


async def take_text(db: Database, search: SearchService, user_id: int, text: str,
                    update_id: int, language: str) -> Typed | None:
    """A typed answer to what the editor waits for; None when nothing waits (or this update
    was taken already): the text is then not the editor's."""
    async with db.transaction() as session:
        taken = await rules.take_text(session, user_id, text, update_id)
        if taken is None:
            return None
        state, _playlist = taken
        playlist_id = state.playlist_id
        if playlist_id is None:  # a title creates the playlist; the others need one
            raise Refusal("playlist_unknown")
        if state.awaiting == "description":
            return Typed(question=Question("description", state.language, playlist_id))
        if state.awaiting == "search":
            query = str(state.data.get("query", ""))
            result = search.search(query, language=language)
            return Typed(query=query, playlist_id=playlist_id, offers=tuple(
                Offer(hit.doc.id, hit.doc.title, hit.doc.city)
                for hit in (result.hits or result.relaxed)[:OFFERS]))
        return Typed(editor=await _editor(session, user_id, playlist_id, language))


async def add_opportunity(db: Database, search: SearchService, user_id: int,
                          playlist_id: int, opportunity_id: int,
                          language: str) -> Editor | None:
    """Add a catalog opportunity; the editor, or None when it was there already (a double
    tap: the first one showed it)."""
    doc = search.by_id(opportunity_id)
    async with db.transaction() as session:
        await rules.editable(session, playlist_id, user_id)
        if doc is None:
            raise Refusal("opportunity_unknown")
        _item, new = await rules.add_item(session, playlist_id, user_id, title=doc.title,
                                          opportunity_id=doc.id)
        return await _editor(session, user_id, playlist_id, language) if new else None


async def playlist(db: Database, user_id: int, playlist_id: int) -> PlaylistView:
    """The playlist, for its organizers (its languages, its link)."""
    async with db.transaction() as session:
        return playlist_view(await rules.editable(session, playlist_id, user_id))


async def own_activities(db: Database, user_id: int, playlist_id: int) -> tuple[ItemView, ...]:
    """The playlist's own activities (not from the catalog): what a check-in code is for."""
    async with db.transaction() as session:
        await rules.editable(session, playlist_id, user_id)
        return tuple(item_view(item) for item in await rules.items_of(session, playlist_id)
                     if item.opportunity_id is None)


async def item(db: Database, user_id: int, item_id: int) -> ItemView:
    async with db.transaction() as session:
        found, _playlist = await rules.editable_item(session, item_id, user_id)
        return item_view(found)


async def open_checkin(db: Database, user_id: int, item_id: int, minutes: int) -> CheckinCode:
    """A check-in code for one of the playlist's own activities (its hours count for it);
    pressing again while one is open gives that one."""
    if minutes not in CHECKIN_MINUTES:
        raise Refusal("hours_range")
    async with db.transaction() as session:
        found, owner = await rules.editable_item(session, item_id, user_id)
        code = await checkins.open_code(session, found.id, created_by=user_id, minutes=minutes)
        if code is None:
            code = await checkins.create_checkin(
                session, owner.organisation_id, actor_id=user_id, title=found.title,
                minutes=minutes, playlist_item_id=found.id)
        return await code_view(session, code)


async def _changed_item(db: Database, user_id: int, item_id: int, language: str,
                        change: str, required: bool = False) -> Editor | None:
    async with db.transaction() as session:
        found = await session.get(PlaylistItem, item_id)
        if found is None:  # removed already (a double tap on 🗑)
            return None
        playlist_id = found.playlist_id
        if change == "required":
            changed = await rules.set_required(session, item_id, user_id, required)
        elif change == "up":
            changed = await rules.move_up(session, item_id, user_id)
        else:
            await rules.remove_item(session, item_id, user_id)
            changed = True
        return await _editor(session, user_id, playlist_id, language) if changed else None


async def set_required(db: Database, user_id: int, item_id: int, required: bool,
                       language: str) -> Editor | None:
    """Mark an activity required or optional; the editor, None when nothing changed."""
    return await _changed_item(db, user_id, item_id, language, "required", required)


async def move_up(db: Database, user_id: int, item_id: int, language: str) -> Editor | None:
    """Move an activity up a place; None for the first one."""
    return await _changed_item(db, user_id, item_id, language, "up")


async def remove(db: Database, user_id: int, item_id: int, language: str) -> Editor | None:
    """Remove an activity; None when it is gone already."""
    return await _changed_item(db, user_id, item_id, language, "remove")


async def publish(db: Database, user_id: int, playlist_id: int, published: bool,
                  language: str) -> Editor | None:
    """Publish or unpublish; the editor, None when it already was."""
    async with db.transaction() as session:
        changed = await rules.set_published(session, playlist_id, user_id, published)
        return await _editor(session, user_id, playlist_id, language) if changed else None


async def close(db: Database, user_id: int) -> None:
    """✖ Close: nothing typed is awaited by the editor any more."""
    async with db.transaction() as session:
        await rules.stop_editing(session, user_id)


# --- learners ---------------------------------------------------------------------------

async def _page(session: AsyncSession, user_id: int, playlist_id: int) -> LearnerPage:
    found = await rules.visible(session, playlist_id, user_id)
    return LearnerPage(playlist_view(found), await orgs.name_of(session, found.organisation_id),
                       progress_view(await rules.progress(session, playlist_id, user_id)),
                       await rules.is_member(session, playlist_id, user_id))


async def learner_page(db: Database, user_id: int, playlist_id: int) -> LearnerPage:
    """A playlist as a learner sees it (published, or joined, or organized by them)."""
    async with db.transaction() as session:
        return await _page(session, user_id, playlist_id)


async def join(db: Database, user_id: int, playlist_id: int) -> LearnerPage | None:
    """Join a published playlist; the page as it is now, None when already a member."""
    async with db.transaction() as session:
        if not await rules.join(session, playlist_id, user_id):
            return None
        return await _page(session, user_id, playlist_id)


async def joined(db: Database, user_id: int, page: int, per_page: int) -> Joined:
    """/playlists: a page of the playlists the learner joined, latest first, with progress."""
    async with db.transaction() as session:
        found = await rules.joined(session, user_id)
        shown = found[page * per_page:(page + 1) * per_page]
        states = await rules.progress_of(session, user_id, [p.id for p in shown])
        return Joined(len(found), tuple((playlist_view(p), progress_view(states[p.id]))
                                        for p in shown))
