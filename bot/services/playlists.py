"""Learning playlists: organizers build them, learners join them and see their progress.

Rules (each refusal is a `Refusal` the handlers translate):
- only organizers of the playlist's organisation edit it; a playlist holds at most
  `MAX_ITEMS` items, numbered 1, 2, ... without gaps;
- learners see and join published playlists (members keep seeing one that is unpublished);
  joining twice is one membership;
- an item counts for a learner when an approved hour entry of theirs is tied to it: logged
  for the item (`playlist_item_id`, also set by a check-in code opened for the item) or for
  the same catalog opportunity;
- a playlist is complete when its required items all count (when none is required: all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.errors import Refusal
from bot.services.orgs import is_organizer, organisations_of
from bot.storage.models import EntryStatus, HourEntry, utcnow
from bot.storage.playlist_tables import Playlist, PlaylistEdit, PlaylistItem, PlaylistMember

MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_ITEMS = 20
TYPED = ("title", "description", "activity", "search")


def localized(texts: dict[str, str], language: str, fallback: str) -> str:
    """The text in `language`, else in the playlist's own language, else any."""
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def _clean(text: str, limit: int, code: str, *, lines: bool = False) -> str:
    text = text.strip() if lines else " ".join(text.split())
    if not text:
        raise Refusal("activity_empty")
    if len(text) > limit:
        raise Refusal(code, limit=limit)
    return text


# --- organizers -------------------------------------------------------------------------

async def editable(session: AsyncSession, playlist_id: int, user_id: int) -> Playlist:
    """The playlist, if `user_id` organizes its organisation."""
    playlist = await session.get(Playlist, playlist_id)
    if playlist is None:
        raise Refusal("playlist_unknown")
    if not await is_organizer(session, user_id, playlist.organisation_id):
        raise Refusal("not_your_org")
    return playlist


async def editable_item(session: AsyncSession, item_id: int,
                        user_id: int) -> tuple[PlaylistItem, Playlist]:
    """The item and its playlist, if `user_id` organizes the playlist's organisation."""
    item = await session.get(PlaylistItem, item_id)
    if item is None:
        raise Refusal("playlist_unknown")
    return item, await editable(session, item.playlist_id, user_id)


async def of_organizer(session: AsyncSession, user_id: int) -> list[Playlist]:
    """Playlists of every organisation `user_id` organizes, newest first."""
    mine = [o.id for o in await organisations_of(session, user_id)]
    if not mine:
        raise Refusal("not_your_org")
    return list((await session.scalars(
        select(Playlist).where(Playlist.organisation_id.in_(mine))
        .order_by(Playlist.id.desc()))).all())


async def edit_state(session: AsyncSession, user_id: int) -> PlaylistEdit | None:
    return await session.get(PlaylistEdit, user_id)


async def expect(session: AsyncSession, user_id: int, *, organisation_id: int,
                 playlist_id: int | None, awaiting: str, language: str) -> PlaylistEdit:
    """Make the organizer's next typed message the playlist's `awaiting` text."""
    if not await is_organizer(session, user_id, organisation_id):
        raise Refusal("not_your_org")
    state = await session.get(PlaylistEdit, user_id)
    if state is None:
        state = PlaylistEdit(user_id=user_id, data={})
        session.add(state)
    state.organisation_id, state.playlist_id = organisation_id, playlist_id
    state.awaiting, state.language, state.updated_at = awaiting, language, utcnow()
    await session.flush()
    return state


async def stop_editing(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(PlaylistEdit).where(PlaylistEdit.user_id == user_id))


async def take_text(session: AsyncSession, user_id: int, text: str,
                    update_id: int) -> tuple[PlaylistEdit, Playlist | None] | None:
    """Apply a typed message to what the editor waits for. None: nothing waits (or this
    update was applied already: a redelivered update changes nothing twice)."""
    state = await session.get(PlaylistEdit, user_id)
    if state is None or state.awaiting not in TYPED or state.data.get("update") == update_id:
        return None
    state.data = {**state.data, "update": update_id}
    playlist = (await editable(session, state.playlist_id, user_id)
                if state.playlist_id is not None else None)
    if state.awaiting == "title":
        title = _clean(text, MAX_TITLE, "title_long")
        if playlist is None:
            if not await is_organizer(session, user_id, state.organisation_id):
                raise Refusal("not_your_org")
            playlist = Playlist(organisation_id=state.organisation_id, created_by=user_id,
                                language=state.language, titles={}, descriptions={})
            session.add(playlist)
            await session.flush()
            state.playlist_id = playlist.id
            audit.record(session, "playlist.created", actor_id=user_id,
                         organisation_id=playlist.organisation_id, playlist_id=playlist.id)
        playlist.titles = {**playlist.titles, state.language: title}
        state.awaiting = "description"
    elif playlist is None:
        raise Refusal("playlist_unknown")
    elif state.awaiting == "description":
        playlist.descriptions = {**playlist.descriptions,
                                 state.language: _clean(text, MAX_DESCRIPTION,
                                                        "description_long", lines=True)}
        state.awaiting = ""
    elif state.awaiting == "activity":
        await add_item(session, playlist.id, user_id, title=text)
        state.awaiting = ""
    else:  # search: the handler searches the catalog with these words
        state.data = {**state.data, "query": text}
    if playlist is not None:
        playlist.updated_at = utcnow()
    state.updated_at = utcnow()
    await session.flush()
    return state, playlist


async def add_item(session: AsyncSession, playlist_id: int, user_id: int, *, title: str,
                   opportunity_id: int | None = None,
                   required: bool = True) -> tuple[PlaylistItem, bool]:
    """Append a catalog opportunity or an own activity; (the item, whether it is new):
    adding the same one again (a double tap, a redelivered update) finds it there."""
    await editable(session, playlist_id, user_id)
    title = _clean(title, 300, "activity_long")
    same = (PlaylistItem.opportunity_id == opportunity_id if opportunity_id is not None else
            (PlaylistItem.opportunity_id.is_(None)) & (PlaylistItem.title == title))
    existing = (await session.scalars(select(PlaylistItem).where(
        PlaylistItem.playlist_id == playlist_id, same))).first()
    if existing is not None:
        return existing, False
    count = await session.scalar(select(func.count()).where(
        PlaylistItem.playlist_id == playlist_id)) or 0
    if count >= MAX_ITEMS:
        raise Refusal("playlist_full", limit=MAX_ITEMS)
    item = PlaylistItem(playlist_id=playlist_id, position=count + 1, required=required,
                        opportunity_id=opportunity_id, title=title)
    try:
        async with session.begin_nested():  # a concurrent twin may take the position first
            session.add(item)
    except IntegrityError:
        raise Refusal("playlist_busy") from None
    return item, True


async def set_required(session: AsyncSession, item_id: int, user_id: int,
                       required: bool) -> bool:
    """Mark the item required or optional; False when it already was."""
    item, _playlist = await editable_item(session, item_id, user_id)
    changed = item.required != required
    item.required = required
    return changed


async def move_up(session: AsyncSession, item_id: int, user_id: int) -> bool:
    """Swap the item with the one before it; False for the first item."""
    item, _playlist = await editable_item(session, item_id, user_id)
    before = (await session.scalars(select(PlaylistItem).where(
        PlaylistItem.playlist_id == item.playlist_id,
        PlaylistItem.position == item.position - 1))).first()
    if before is None:
        return False
    position = item.position
    # Through a free position, so (playlist, position) stays unique at every step.
    item.position = 0
    await session.flush()
    before.position = position
    await session.flush()
    item.position = position - 1
    await session.flush()
    return True


async def remove_item(session: AsyncSession, item_id: int, user_id: int) -> None:
    """Remove the item; the ones after it move up a place."""
    item, _playlist = await editable_item(session, item_id, user_id)
    playlist_id, position = item.playlist_id, item.position
    await session.delete(item)
    await session.flush()
    after = (await session.scalars(select(PlaylistItem).where(
        PlaylistItem.playlist_id == playlist_id, PlaylistItem.position > position)
        .order_by(PlaylistItem.position))).all()
    for follower in after:  # one by one, in order: each moves into a free place
        follower.position -= 1
        await session.flush()


async def set_published(session: AsyncSession, playlist_id: int, user_id: int,
                        published: bool) -> bool:
    """Publish or unpublish; False when it already was."""
    playlist = await editable(session, playlist_id, user_id)
    if published and not await items_of(session, playlist_id):
        raise Refusal("playlist_empty")
    if playlist.published == published:
        return False
    playlist.published, playlist.updated_at = published, utcnow()
    audit.record(session, "playlist.published" if published else "playlist.unpublished",
                 actor_id=user_id, organisation_id=playlist.organisation_id,
                 playlist_id=playlist_id)
    return True


async def items_of(session: AsyncSession, playlist_id: int) -> list[PlaylistItem]:
    return list((await session.scalars(select(PlaylistItem).where(
        PlaylistItem.playlist_id == playlist_id).order_by(PlaylistItem.position))).all())


# --- learners ---------------------------------------------------------------------------

async def is_member(session: AsyncSession, playlist_id: int, user_id: int) -> bool:
    return (await session.scalar(select(PlaylistMember.id).where(
        PlaylistMember.playlist_id == playlist_id, PlaylistMember.user_id == user_id))
        ) is not None


async def visible(session: AsyncSession, playlist_id: int, user_id: int) -> Playlist:
    """A published playlist, or one the user joined or organizes."""
    playlist = await session.get(Playlist, playlist_id)
    if playlist is None or not (
            playlist.published or await is_member(session, playlist_id, user_id)
            or await is_organizer(session, user_id, playlist.organisation_id)):
        raise Refusal("playlist_unknown")
    return playlist


async def join(session: AsyncSession, playlist_id: int, user_id: int) -> bool:
    """Join a published playlist; True when the user was not a member yet."""
    playlist = await session.get(Playlist, playlist_id)
    if playlist is None or not playlist.published:
        raise Refusal("playlist_unknown")
    if await is_member(session, playlist_id, user_id):
        return False
    try:
        async with session.begin_nested():  # two taps at once: the second one loses
            session.add(PlaylistMember(playlist_id=playlist_id, user_id=user_id))
    except IntegrityError:
        return False
    audit.record(session, "playlist.joined", actor_id=user_id,
                 organisation_id=playlist.organisation_id, playlist_id=playlist_id)
    return True


async def joined(session: AsyncSession, user_id: int) -> list[Playlist]:
    """The playlists the user joined, latest joined first."""
    return list((await session.scalars(
        select(Playlist).join(PlaylistMember, PlaylistMember.playlist_id == Playlist.id)
        .where(PlaylistMember.user_id == user_id)
        .order_by(PlaylistMember.joined_at.desc(), PlaylistMember.id.desc()))).all())


@dataclass(frozen=True)
class Progress:
    """A learner's items of one playlist, in order, each with whether it counts."""

    items: tuple[tuple[PlaylistItem, bool], ...]

    @property
    def required_total(self) -> int:
        return sum(1 for item, _done in self.items if item.required)

    @property
    def required_done(self) -> int:
        return sum(1 for item, done in self.items if item.required and done)

    @property
    def done(self) -> int:
        return sum(1 for _item, done in self.items if done)

    @property
    def complete(self) -> bool:
        goal = [done for item, done in self.items if item.required] or [
            done for _item, done in self.items]
        return bool(goal) and all(goal)


async def _counted(session: AsyncSession, user_id: int) -> tuple[set[int], set[int]]:
    """(playlist item ids, opportunity ids) of the user's approved hours."""
    rows = (await session.execute(select(HourEntry.playlist_item_id, HourEntry.opportunity_id)
                                  .where(HourEntry.user_id == user_id,
                                         HourEntry.status == EntryStatus.APPROVED.value,
                                         or_(HourEntry.playlist_item_id.is_not(None),
                                             HourEntry.opportunity_id.is_not(None))))).all()
    return ({item for item, _o in rows if item is not None},
            {opportunity for _i, opportunity in rows if opportunity is not None})


async def progress_of(session: AsyncSession, user_id: int,
                      playlist_ids: Iterable[int]) -> dict[int, Progress]:
    """Progress in each playlist, in two queries whatever their number."""
    wanted = list(set(playlist_ids))
    if not wanted:
        return {}
    rows = (await session.scalars(select(PlaylistItem).where(
        PlaylistItem.playlist_id.in_(wanted)).order_by(PlaylistItem.position))).all()
    items, opportunities = await _counted(session, user_id)
    by_playlist: dict[int, list[tuple[PlaylistItem, bool]]] = defaultdict(list)
    for item in rows:
        by_playlist[item.playlist_id].append((item, item.id in items or (
            item.opportunity_id is not None and item.opportunity_id in opportunities)))
    return {pid: Progress(tuple(by_playlist.get(pid, ()))) for pid in wanted}


async def progress(session: AsyncSession, playlist_id: int, user_id: int) -> Progress:
    return (await progress_of(session, user_id, [playlist_id]))[playlist_id]


async def completed_playlists(session: AsyncSession, user_id: int) -> list[int]:
    """Ids of the playlists the user joined and completed (see the module docstring), in
    three queries."""
    member_of = (await session.scalars(select(PlaylistMember.playlist_id).where(
        PlaylistMember.user_id == user_id))).all()
    found = await progress_of(session, user_id, member_of)
    return sorted(pid for pid, state in found.items() if state.complete)


async def open_items(session: AsyncSession, user_id: int,
                     limit: int = 4) -> list[tuple[PlaylistItem, Playlist]]:
    """Items of the user's playlists that do not count yet, for /log to suggest."""
    mine = await joined(session, user_id)
    found = await progress_of(session, user_id, [p.id for p in mine])
    todo = [(item, playlist) for playlist in mine
            for item, done in found[playlist.id].items if not done]
    return todo[:limit]


async def item_for_log(session: AsyncSession, item_id: int,
                       user_id: int) -> tuple[PlaylistItem, Playlist] | None:
    """The item and its playlist, if the user joined that playlist."""
    item = await session.get(PlaylistItem, item_id)
    if item is None or not await is_member(session, item.playlist_id, user_id):
        return None
    playlist = await session.get(Playlist, item.playlist_id)
    return (item, playlist) if playlist is not None else None
