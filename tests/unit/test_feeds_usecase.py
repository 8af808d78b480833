"""/feeds as the use cases do it: a chat feed is added (public addresses only, names
unique), listed, counted in the overview and removed; a refused feed changes nothing.
No network: nothing here syncs."""

from __future__ import annotations

import pytest

from bot.storage.db import Database
from bot.usecases import feeds as usecase
from bot.usecases.feeds import FeedAdminError, Problem

ADMIN = 900


async def test_add_list_overview_remove(db: Database) -> None:
    await usecase.add(db, "utena", "https://feeds.example.org/utena.xml", "rss", ADMIN)
    await usecase.add(db, "kaunas", "https://feeds.example.org/kaunas.ics", None, ADMIN)
    listed = await usecase.enabled(db)
    assert [(f.name, f.items, f.last_success, f.last_error) for f in listed] == [
        ("kaunas", 0, None, None), ("utena", 0, None, None)]
    seen = await usecase.overview(db)
    assert (seen.feeds, seen.items, seen.never_synced, seen.failing) == (2, 0, 2, ())
    assert await usecase.remove(db, "utena") == 0  # no items to withdraw yet
    assert [f.name for f in await usecase.enabled(db)] == ["kaunas"]


@pytest.mark.parametrize(("name", "url", "fmt", "problem"), [
    ("bad name!", "https://feeds.example.org/a.xml", None, Problem.BAD_NAME),
    ("inside", "http://127.0.0.1/feed.xml", None, Problem.BAD_URL),
    ("odd", "https://feeds.example.org/a.xml", "pdf", Problem.BAD_FORMAT),
])
async def test_a_refused_feed_is_not_added(db: Database, name: str, url: str,
                                           fmt: str | None, problem: Problem) -> None:
    with pytest.raises(FeedAdminError) as refused:
        await usecase.add(db, name, url, fmt, ADMIN)
    assert refused.value.problem is problem
    assert await usecase.enabled(db) == ()


async def test_names_are_unique_and_only_known_feeds_are_removed(db: Database) -> None:
    await usecase.add(db, "utena", "https://feeds.example.org/utena.xml", None, ADMIN)
    with pytest.raises(FeedAdminError) as taken:
        await usecase.add(db, "utena", "https://feeds.example.org/other.xml", None, ADMIN)
    assert taken.value.problem is Problem.NAME_TAKEN
    with pytest.raises(FeedAdminError) as unknown:
        await usecase.remove(db, "vilnius")
    assert unknown.value.problem is Problem.NOT_FOUND
