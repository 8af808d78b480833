"""Following, as the use cases decide it over a real database: typed words follow a town,
else an organisation on Takas, else a catalog provider, else a search; following again
changes nothing; a stored search is followed only by its owner; the list, its frequency
and unfollowing touch only one's own follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.errors import Refusal
from bot.services.follows import MAX_FOLLOWS
from bot.storage.db import Database
from bot.storage.models import Organisation, User
from bot.usecases import follow as usecase
from catalog import queries
from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService

ONA, JONAS = 7101, 7102
SOON = datetime.now(UTC) + timedelta(days=3)


def catalog() -> SearchService:
    found = SearchService(Database("sqlite+aiosqlite://"))
    found.index = build_index([
        SearchDoc(1, "feed", "1", "Keramikos dirbtuvės", city="Utena", start=SOON,
                  language="lt", kind="course", provider="Utenos biblioteka"),
        SearchDoc(2, "feed", "2", "Robotika", city="Kaunas", start=SOON, language="lt",
                  kind="course", provider="Kauno Menų Centras")])
    return found


async def people(db: Database) -> None:
    async with db.transaction() as session:
        session.add_all([User(id=ONA, first_name="Ona"), User(id=JONAS, first_name="Jonas"),
                         Organisation(name="Kauno menų centras")])


async def test_typed_words_follow_a_town_an_organisation_a_provider_or_a_search(
        db: Database) -> None:
    await people(db)
    search = catalog()
    town = await usecase.follow_words(db, search, ONA, "Utena")
    assert (town.follow.kind, town.follow.label, town.created) == ("town", "Utena", True)
    # An organisation on Takas wins over the feed's spelling of the same provider.
    org = await usecase.follow_words(db, search, ONA, "  kauno MENŲ centras ")
    assert (org.follow.kind, org.follow.label) == ("provider", "Kauno menų centras")
    provider = await usecase.follow_words(db, search, ONA, "utenos biblioteka")
    assert (provider.follow.kind, provider.follow.label) == ("provider", "Utenos biblioteka")
    words = await usecase.follow_words(db, search, ONA, "keramika vaikams")
    assert (words.follow.kind, words.follow.label) == ("search", "keramika vaikams")
    again = await usecase.follow_words(db, search, ONA, "keramika vaikams")
    assert (again.created, again.follow.id) == (False, words.follow.id)
    listed = await usecase.following(db, ONA)
    assert [f.kind for f in listed] == ["town", "provider", "provider", "search"]
    assert {f.frequency for f in listed} == {"immediate"}
    assert await usecase.following(db, JONAS) == ()


async def test_a_stored_search_is_followed_by_its_owner_only(db: Database) -> None:
    await people(db)
    async with db.transaction() as session:
        stored = await queries.remember(session, ONA, "gitara", "lt")
    assert await usecase.follow_search(db, JONAS, stored) is None
    assert await usecase.follow_search(db, ONA, stored + 1) is None
    followed = await usecase.follow_search(db, ONA, stored)
    assert followed is not None
    assert (followed.follow.kind, followed.follow.label, followed.created) == (
        "search", "gitara", True)


async def test_frequency_and_unfollowing_touch_only_ones_own_follows(db: Database) -> None:
    await people(db)
    mine = (await usecase.follow_words(db, catalog(), ONA, "Utena")).follow
    forged = await usecase.set_frequency(db, JONAS, mine.id, "daily")
    assert (forged.done, forged.follows) == (False, ())
    assert not (await usecase.set_frequency(db, ONA, mine.id, "hourly")).done
    changed = await usecase.set_frequency(db, ONA, mine.id, "weekly")
    assert changed.done
    assert [f.frequency for f in changed.follows] == ["weekly"]
    assert not (await usecase.unfollow(db, JONAS, mine.id)).done
    gone = await usecase.unfollow(db, ONA, mine.id)
    assert (gone.done, gone.follows) == (True, ())
    assert not (await usecase.unfollow(db, ONA, mine.id)).done


async def test_following_too_many_things_is_refused(db: Database) -> None:
    await people(db)
    search = catalog()
    for number in range(MAX_FOLLOWS):
        await usecase.follow_words(db, search, ONA, f"paieška {number}")
    with pytest.raises(Refusal) as refused:
        await usecase.follow_words(db, search, ONA, "dar viena")
    assert refused.value.code == "follows_full"
