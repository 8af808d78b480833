"""Playlist rules without Telegram: positions stay 1..n, what counts, when a playlist is
complete, how few queries completion takes, and which queries find a playlist."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.services import hours as hour_rules
from bot.services import orgs, playlists, privacy
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import Membership, User
from catalog.search import playlists as playlist_search

ORGANIZER, LEARNER, OTHER = 31, 32, 33


async def setup(db: Database) -> tuple[int, int]:
    """An organisation with its organizer and a playlist 'Keramikos pradmenys' (lt)."""
    async with db.transaction() as session:
        session.add_all([User(id=uid, first_name=str(uid)) for uid in (ORGANIZER, LEARNER,
                                                                        OTHER)])
        await session.flush()
        organisation = await orgs.create_organisation(session, "Biblioteka", actor_id=0,
                                                      is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
        await session.flush()
        await playlists.expect(session, ORGANIZER, organisation_id=organisation.id,
                               playlist_id=None, awaiting="title", language="lt")
        taken = await playlists.take_text(session, ORGANIZER, "Keramikos pradmenys", 1)
        assert taken is not None
        state, playlist = taken
        assert playlist is not None
        assert state.awaiting == "description"
        # The same update delivered again changes nothing.
        assert await playlists.take_text(session, ORGANIZER, "Keramikos pradmenys", 1) is None
        await playlists.take_text(session, ORGANIZER, "Molis, žiedimas ir glazūra.", 2)
        return organisation.id, playlist.id


async def titles(db: Database, playlist_id: int) -> list[tuple[int, str, bool]]:
    async with db.transaction() as session:
        return [(i.position, i.title, i.required)
                for i in await playlists.items_of(session, playlist_id)]


async def test_items_keep_their_order_through_moves_and_removals(db: Database) -> None:
    _org, pid = await setup(db)
    async with db.transaction() as session:
        ids = [(await playlists.add_item(session, pid, ORGANIZER, title=t))[0].id
               for t in ("A", "B", "C", "D")]
        again, new = await playlists.add_item(session, pid, ORGANIZER, title="B")
        assert (again.id, new) == (ids[1], False)
        assert not await playlists.move_up(session, ids[0], ORGANIZER)
        assert await playlists.move_up(session, ids[2], ORGANIZER)
        await playlists.remove_item(session, ids[1], ORGANIZER)
        assert await playlists.set_required(session, ids[3], ORGANIZER, False)
        assert not await playlists.set_required(session, ids[3], ORGANIZER, False)
    assert await titles(db, pid) == [(1, "A", True), (2, "C", True), (3, "D", False)]


async def test_only_its_organizers_edit_and_only_published_playlists_are_joined(
        db: Database) -> None:
    _org, pid = await setup(db)
    async with db.transaction() as session:
        for attempt in (playlists.add_item(session, pid, LEARNER, title="X"),
                        playlists.set_published(session, pid, LEARNER, True)):
            with pytest.raises(Refusal) as refused:
                await attempt
            assert refused.value.code == "not_your_org"
        with pytest.raises(Refusal) as empty:
            await playlists.set_published(session, pid, ORGANIZER, True)
        assert empty.value.code == "playlist_empty"
        with pytest.raises(Refusal) as hidden:
            await playlists.join(session, pid, LEARNER)
        assert hidden.value.code == "playlist_unknown"
        await playlists.add_item(session, pid, ORGANIZER, title="X")
        assert await playlists.set_published(session, pid, ORGANIZER, True)
        assert await playlists.join(session, pid, LEARNER)
        assert not await playlists.join(session, pid, LEARNER)


async def approve(db: Database, item_id: int | None, key: str, user: int = LEARNER) -> None:
    async with db.transaction() as session:
        entry, _new = await hour_rules.log_entry(session, hour_rules.NewEntry(
            user_id=user, organisation_id=1, activity="x", day=hour_rules.today(),
            minutes=30, key=key, playlist_item_id=item_id, approved_by=ORGANIZER))
        assert entry.status == "approved"


async def test_completion_counts_required_items_and_takes_three_queries(db: Database) -> None:
    _org, pid = await setup(db)
    async with db.transaction() as session:
        required = (await playlists.add_item(session, pid, ORGANIZER, title="R"))[0].id
        optional = (await playlists.add_item(session, pid, ORGANIZER, title="O",
                                             required=False))[0].id
        await playlists.set_published(session, pid, ORGANIZER, True)
        await playlists.join(session, pid, LEARNER)
    await approve(db, optional, "o")
    async with db.transaction() as session:
        state = await playlists.progress(session, pid, LEARNER)
        assert (state.required_done, state.required_total, state.done, state.complete) == (
            0, 1, 1, False)
        assert await playlists.completed_playlists(session, LEARNER) == []
    await approve(db, required, "r")
    await approve(db, required, "someone else", user=OTHER)  # not a member: not complete
    statements: list[Any] = []

    def count(*args: Any) -> None:
        statements.append(args)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.transaction() as session:
            statements.clear()
            assert await playlists.completed_playlists(session, LEARNER) == [pid]
            queries = len(statements)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert queries <= 3
    async with db.transaction() as session:
        assert await playlists.completed_playlists(session, OTHER) == []
        assert (await privacy.personal_data(session, LEARNER))["playlists"][0]["title"] == (
            "Keramikos pradmenys")


def test_a_playlist_without_required_items_needs_them_all() -> None:
    from bot.storage.playlist_tables import PlaylistItem

    optional = [PlaylistItem(id=n, position=n, required=False, title=str(n)) for n in (1, 2)]
    assert not playlists.Progress(((optional[0], True), (optional[1], False))).complete
    assert playlists.Progress(((optional[0], True), (optional[1], True))).complete
    assert not playlists.Progress(()).complete


@pytest.mark.parametrize(("query", "found"), [
    ("keramikos pradmenys", True),
    ("keramika", True),            # another form of the word
    ("keramikos pradmenis", True),  # a typo
    ("KERAMIKOS", True),
    ("zieDimas", True),             # in the description, any case
    ("fotografija", False),
    ("kursai", False),
])
async def test_search_finds_published_playlists_by_their_words(db: Database, query: str,
                                                                found: bool) -> None:
    _org, pid = await setup(db)
    async with db.transaction() as session:
        await playlists.add_item(session, pid, ORGANIZER, title="X")
        await playlists.set_published(session, pid, ORGANIZER, True)
        matched = await playlist_search.matching(session, query, [])
    assert ([p.id for p in matched] == [pid]) is found


def test_localized_falls_back_to_the_playlist_language_then_any() -> None:
    texts = {"lt": "Kelias", "de": "Weg"}
    assert playlists.localized(texts, "de", "lt") == "Weg"
    assert playlists.localized(texts, "ru", "lt") == "Kelias"
    assert playlists.localized({"de": "Weg"}, "ru", "lt") == "Weg"
    assert playlists.localized({}, "ru", "lt") == ""
