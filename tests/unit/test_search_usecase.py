"""Search as the use cases do it: a typed search is stored (its buttons refer to it) with
the playlists to show, in one transaction; a stored query runs again only for its owner and
remembers a new scope; "did you mean" suggestions become the user's queries; details and
calendar files read the catalog row, withdrawn or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from bot.storage.catalog_tables import Feed, Opportunity, SearchQuery
from bot.storage.db import Database
from bot.usecases import search as usecase
from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService

ONA, JONAS = 7401, 7402
SOON = datetime.now(UTC) + timedelta(days=3)


def catalog(db: Database) -> SearchService:
    found = SearchService(db)
    found.index = build_index([
        SearchDoc(1, "feed", "1", "Keramikos dirbtuvės", city="Utena", start=SOON,
                  language="lt", kind="course", provider="Utenos biblioteka"),
        SearchDoc(2, "feed", "2", "Robotika vaikams", city="Kaunas", start=SOON,
                  language="lt", kind="course", provider="Kauno Menų Centras")])
    return found


def transactions(db: Database) -> list[str]:
    begun: list[str] = []
    event.listen(db.engine.sync_engine, "begin", lambda connection: begun.append("begin"))
    return begun


async def test_a_typed_search_is_stored_in_one_transaction(db: Database) -> None:
    search = catalog(db)
    begun = transactions(db)
    shown = await usecase.search(db, search, ONA, "keramika", "lt")
    assert len(begun) == 1
    assert shown.found.any
    assert [hit.doc.id for hit in shown.found.result.hits] == [1]
    assert (shown.text, shown.only_language, shown.playlists, shown.suggestions) == (
        "keramika", False, (), ())
    async with db.transaction() as session:
        stored = (await session.scalars(select(SearchQuery))).one()
    assert (stored.id, stored.user_id, stored.text) == (shown.query, ONA, "keramika")


async def test_a_stored_query_runs_again_for_its_owner_only(db: Database) -> None:
    search = catalog(db)
    shown = await usecase.search(db, search, ONA, "keramika", "lt")
    assert await usecase.again(db, search, JONAS, shown.query, "lt") is None
    scoped = await usecase.again(db, search, ONA, shown.query, "lt", only_language=True)
    assert scoped is not None
    assert (scoped.query, scoped.only_language) == (shown.query, True)
    again = await usecase.again(db, search, ONA, shown.query, "lt")  # a page: scope kept
    assert again is not None
    assert again.only_language


async def test_nothing_found_stores_the_suggestions_as_the_users_queries(
        db: Database) -> None:
    search = catalog(db)
    shown = await usecase.search(db, search, ONA, "rabotiks", "lt")
    assert not shown.found.any
    assert [text for _id, text in shown.suggestions] == ["robotika"]
    [(query_id, _text)] = shown.suggestions
    suggested = await usecase.again(db, search, ONA, query_id, "lt")
    assert suggested is not None
    assert [hit.doc.id for hit in suggested.found.result.hits] == [2]
    assert await usecase.again(db, search, JONAS, query_id, "lt") is None


async def test_examples_are_stored_as_the_users_queries(db: Database) -> None:
    stored = await usecase.examples(db, ONA, ["keramika", "robotika"], "lt")
    assert [text for _id, text in stored] == ["keramika", "robotika"]
    search = catalog(db)
    ran = await usecase.again(db, search, ONA, stored[1][0], "lt")
    assert ran is not None
    assert [hit.doc.id for hit in ran.found.result.hits] == [2]


async def test_details_and_calendar_read_the_catalog_row(db: Database) -> None:
    async with db.transaction() as session:
        feed = Feed(name="utena", url="https://feeds.example.org/utena.xml")
        session.add(feed)
        await session.flush()
        dated = Opportunity(feed_id=feed.id, source_id="1", kind="course", title="Keramika",
                            start_at=SOON, content_hash="a")
        undated = Opportunity(feed_id=feed.id, source_id="2", kind="course",
                              title="Robotika", content_hash="b",
                              withdrawn_at=datetime.now(UTC))
        session.add_all([dated, undated])
        await session.flush()
        ids = dated.id, undated.id
    shown = await usecase.search(db, catalog(db), ONA, "keramika", "lt")
    mine = await usecase.details(db, ids[0], shown.query, ONA)
    assert mine is not None
    assert (mine.doc.title, mine.withdrawn, mine.query) == ("Keramika", False, shown.query)
    theirs = await usecase.details(db, ids[1], shown.query, JONAS)
    assert theirs is not None
    assert (theirs.withdrawn, theirs.query) == (True, None)  # no way back to Ona's results
    assert await usecase.details(db, 10**6, 0, ONA) is None
    calendar = await usecase.calendar(db, ids[0])
    assert calendar is not None
    assert calendar.start == SOON
    assert await usecase.calendar(db, ids[1]) is None  # no start: nothing to put in one
