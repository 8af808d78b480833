"""The playlist editor and the learner's side as use cases over a real database: a new
playlist asks for its organisation (when there are several) and then for typed answers
(title, description, own activity, catalog words); every change shows the editor as that
transaction left it, a double tap shows nothing twice; a check-in code for an own activity
opens once and counts for it; learners see, join and page through what they joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import orgs
from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from bot.storage.models import Membership, User
from bot.usecases import checkins
from bot.usecases import playlists as usecase
from catalog.search.service import SearchService
from tests.unit.refusing import refused

ORGANIZER, LEARNER, OTHER_ORGANIZER = 7401, 7402, 7403
SOON = datetime.now(UTC) + timedelta(days=5)


@pytest.fixture
async def world(db: Database) -> Database:
    """Rūta organizes Utena and Molėtai; Jonas organizes Kaunas; Ona learns. The catalog
    holds two courses (41 and 42; stored, as playlist items refer to them)."""
    async with db.transaction() as session:
        feed = Feed(name="demo", url="file:demo.jsonld")
        session.add(feed)
        await session.flush()
        for number, title, city in ((41, "Keramikos kursai", "Utena"),
                                    (42, "Gitaros pamokos", "Kaunas")):
            session.add(Opportunity(id=number, feed_id=feed.id, source_id=str(number),
                                    kind="course", title=title, city=city, language="lt",
                                    start_at=SOON, content_hash="h"))
        session.add_all([User(id=uid, first_name=str(uid))
                         for uid in (ORGANIZER, LEARNER, OTHER_ORGANIZER)])
        for name, organizer in (("Utenos biblioteka", ORGANIZER), ("Molėtų centras", ORGANIZER),
                                ("Kauno centras", OTHER_ORGANIZER)):
            organisation = await orgs.create_organisation(session, name, actor_id=0,
                                                          is_admin=True)
            session.add(Membership(organisation_id=organisation.id, user_id=organizer))
    return db


@pytest.fixture
async def catalog(world: Database) -> SearchService:
    """The search over the world's catalog."""
    search = SearchService(world)
    await search.refresh()
    return search


async def typed(db: Database, search: SearchService, text: str,
                update_id: int) -> usecase.Typed:
    found = await usecase.take_text(db, search, ORGANIZER, text, update_id, "en")
    assert found is not None
    return found


async def draft(db: Database, catalog: SearchService) -> int:
    """A playlist of Utena, titled and described in Lithuanian: its id."""
    new = await usecase.new_playlist(db, ORGANIZER, None, "lt")
    assert new.question is None  # two organisations: which one first
    utena = next(c.id for c in new.choices if c.name == "Utenos biblioteka")
    chosen = await usecase.new_playlist(db, ORGANIZER, utena, "lt")
    assert chosen.question == usecase.Question("title", "lt", None)
    described = (await typed(db, catalog, "Keramikos pradmenys", 1)).question
    assert described is not None
    assert (described.awaiting, described.language) == ("description", "lt")
    assert described.playlist_id is not None
    editor = (await typed(db, catalog, "Molis ir žiedimas.", 2)).editor
    assert editor is not None
    assert (editor.playlist.title("de"), editor.playlist.description("lt")) == (
        "Keramikos pradmenys", "Molis ir žiedimas.")
    assert (editor.organisation, editor.items, editor.playlist.published) == (
        "Utenos biblioteka", (), False)
    return described.playlist_id


async def test_a_playlist_is_built_from_typed_answers_and_catalog_offers(
        world: Database, catalog: SearchService) -> None:
    pid = await draft(world, catalog)
    assert await usecase.take_text(world, catalog, ORGANIZER, "late", 3, "en") is None
    await usecase.ask(world, ORGANIZER, pid, "search", "en")
    offers = await typed(world, catalog, "keramika", 4)
    assert (offers.playlist_id, offers.query) == (pid, "keramika")
    assert [(o.id, o.title, o.city) for o in offers.offers] == [(41, "Keramikos kursai", "Utena")]
    added = await usecase.add_opportunity(world, catalog, ORGANIZER, pid, 41, "en")
    assert added is not None
    assert [(i.position, i.title, i.opportunity_id) for i in added.items] == [
        (1, "Keramikos kursai", 41)]
    assert await usecase.add_opportunity(world, catalog, ORGANIZER, pid, 41, "en") is None
    await refused("opportunity_unknown",
                  usecase.add_opportunity(world, catalog, ORGANIZER, pid, 99, "en"))
    await usecase.ask(world, ORGANIZER, pid, "activity", "en")
    own = (await typed(world, catalog, "Talka bibliotekoje", 5)).editor
    assert own is not None
    assert [i.title for i in own.items] == ["Keramikos kursai", "Talka bibliotekoje"]
    # Someone else's editor, buttons and answers stay closed.
    await refused("not_your_org", usecase.editor(world, OTHER_ORGANIZER, pid, "en"))
    await refused("not_your_org", usecase.ask(world, OTHER_ORGANIZER, pid, "title", "de"))
    await refused("not_your_org", usecase.add_opportunity(
        world, catalog, OTHER_ORGANIZER, pid, 42, "en"))


async def test_changes_show_the_editor_and_a_repeat_shows_nothing(
        world: Database, catalog: SearchService) -> None:
    pid = await draft(world, catalog)
    await usecase.ask(world, ORGANIZER, pid, "activity", "en")
    first = (await typed(world, catalog, "Pirmas", 3)).editor
    await usecase.ask(world, ORGANIZER, pid, "activity", "en")
    second = (await typed(world, catalog, "Antras", 4)).editor
    assert first is not None
    assert second is not None
    one, two = second.items
    optional = await usecase.set_required(world, ORGANIZER, two.id, False, "en")
    assert optional is not None
    assert [i.required for i in optional.items] == [True, False]
    assert await usecase.set_required(world, ORGANIZER, two.id, False, "en") is None
    assert await usecase.move_up(world, ORGANIZER, one.id, "en") is None  # first already
    moved = await usecase.move_up(world, ORGANIZER, two.id, "en")
    assert moved is not None
    assert [i.title for i in moved.items] == ["Antras", "Pirmas"]
    await refused("not_your_org", usecase.remove(world, OTHER_ORGANIZER, one.id, "en"))
    removed = await usecase.remove(world, ORGANIZER, one.id, "en")
    assert removed is not None
    assert [(i.position, i.title) for i in removed.items] == [(1, "Antras")]
    assert await usecase.remove(world, ORGANIZER, one.id, "en") is None  # a double tap
    published = await usecase.publish(world, ORGANIZER, pid, True, "en")
    assert published is not None
    assert published.playlist.published
    assert await usecase.publish(world, ORGANIZER, pid, True, "en") is None
    assert [p.id for p in await usecase.mine(world, ORGANIZER)] == [pid]
    await refused("not_your_org", usecase.mine(world, LEARNER))


async def test_a_checkin_code_for_an_own_activity_opens_once_and_counts(
        world: Database, catalog: SearchService) -> None:
    pid = await draft(world, catalog)
    await usecase.add_opportunity(world, catalog, ORGANIZER, pid, 41, "en")
    await usecase.ask(world, ORGANIZER, pid, "activity", "en")
    await typed(world, catalog, "Talka", 3)
    [own] = await usecase.own_activities(world, ORGANIZER, pid)
    assert (own.title, own.opportunity_id) == ("Talka", None)
    assert (await usecase.item(world, ORGANIZER, own.id)).playlist_id == pid
    await refused("hours_range", usecase.open_checkin(world, ORGANIZER, own.id, 90))
    await refused("not_your_org", usecase.open_checkin(world, OTHER_ORGANIZER, own.id, 60))
    code = await usecase.open_checkin(world, ORGANIZER, own.id, 120)
    again = await usecase.open_checkin(world, ORGANIZER, own.id, 120)
    assert again == code
    assert (code.title, code.minutes, code.organisation) == ("Talka", 120, "Utenos biblioteka")
    await usecase.publish(world, ORGANIZER, pid, True, "en")
    assert await usecase.join(world, LEARNER, pid) is not None
    await checkins.check_in(world, code.code, LEARNER)  # verified at once: it counts
    page = await usecase.learner_page(world, LEARNER, pid)
    assert [(item.title, done) for item, done in page.progress.steps] == [
        ("Keramikos kursai", False), ("Talka", True)]
    assert (page.progress.required_done, page.progress.required_total) == (1, 2)


async def test_learners_see_published_playlists_join_once_and_page(
        world: Database, catalog: SearchService) -> None:
    pid = await draft(world, catalog)
    await refused("playlist_unknown", usecase.learner_page(world, LEARNER, pid))  # a draft
    await refused("playlist_unknown", usecase.join(world, LEARNER, pid))
    assert (await usecase.learner_page(world, ORGANIZER, pid)).playlist.id == pid
    await refused("playlist_empty", usecase.publish(world, ORGANIZER, pid, True, "en"))
    await usecase.add_opportunity(world, catalog, ORGANIZER, pid, 41, "en")
    await usecase.publish(world, ORGANIZER, pid, True, "en")
    seen = await usecase.learner_page(world, LEARNER, pid)
    assert (seen.member, seen.organisation, seen.progress.complete) == (
        False, "Utenos biblioteka", False)
    joined = await usecase.join(world, LEARNER, pid)
    assert joined is not None
    assert joined.member
    assert await usecase.join(world, LEARNER, pid) is None  # a double tap
    mine = await usecase.joined(world, LEARNER, 0, 8)
    assert mine.total == 1
    [(playlist, state)] = mine.shown
    assert (playlist.id, state.done, len(state.steps)) == (pid, 0, 1)
    assert (await usecase.joined(world, LEARNER, 1, 8)).shown == ()
    assert (await usecase.joined(world, OTHER_ORGANIZER, 0, 8)).total == 0
    await usecase.close(world, ORGANIZER)
