"""The search service answers what handlers ask of the catalog, over one snapshot, so no
handler reaches into the index: look-up by id, nearest, providers and their towns, towns
named by a text; a refresh swaps every answer at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.db import Database
from catalog.search.build import build_index
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
SOON = NOW + timedelta(days=3)


def doc(number: int, title: str, **extra: object) -> SearchDoc:
    values: dict[str, object] = {"start": SOON, "language": "lt", "kind": "course"}
    values.update(extra)
    return SearchDoc(number, "feed", str(number), title, **values)


CATALOG = [
    doc(1, "Anglų kalbos kursai", city="Vilnius", provider="Vilniaus biblioteka"),
    doc(2, "Keramikos dirbtuvės", city="Utena", provider="Utenos biblioteka"),
    doc(3, "Robotikos būrelis", city="Kaunas", provider="Utenos biblioteka"),
    doc(4, "Nuotolinis kursas", online=True, provider="Utenos Biblioteka"),
    doc(5, "Praėjęs renginys", city="Utena", start=NOW - timedelta(days=9),
        end=NOW - timedelta(days=8)),
]


def service() -> SearchService:
    found = SearchService(Database("sqlite+aiosqlite://"))
    found.index = build_index(CATALOG)
    return found


def test_by_id_and_a_refresh_swaps_the_answers() -> None:
    catalog = service()
    assert catalog.by_id(2) is not None
    assert catalog.by_id(2).title == "Keramikos dirbtuvės"
    assert catalog.by_id(99) is None
    assert catalog.by_id(None) is None
    catalog.index = build_index(CATALOG[:1])
    assert catalog.by_id(2) is None
    assert catalog.by_id(1) is not None


def test_nearest_leaves_out_online_and_past_ones() -> None:
    near = service().nearest(55.50, 25.60, NOW, limit=5)  # in Utena
    assert [d.id for _km, d in near] == [2, 1, 3]
    assert near[0][0] < 10


def test_providers_their_opportunities_and_towns() -> None:
    catalog = service()
    assert set(catalog.providers().values()) >= {"Vilniaus biblioteka", "Utenos biblioteka"}
    assert [d.id for d in catalog.offered_by("UTENOS biblioteka")] == [2, 3, 4]
    assert [name for _place, name in catalog.towns_of("Utenos biblioteka")] == [
        "Utena", "Kaunas"]


def test_a_whole_text_naming_a_town() -> None:
    catalog = service()
    found = catalog.town("Utena")
    assert found is not None
    assert found[1] == "Utena"
    assert catalog.town("kursai Utenoje ir dar kai kas") is None


def test_search_over_the_current_snapshot() -> None:
    catalog = service()
    assert [h.doc.id for h in catalog.search("keramika", now=NOW).hits] == [2]


async def test_matching_playlists_by_their_words(db: Database) -> None:
    from bot.services.orgs import create_organisation
    from bot.services.users import SeenUser, touch_user
    from bot.storage.playlist_tables import Playlist

    async with db.transaction() as session:
        await touch_user(session, SeenUser(5, "Ona", None, "lt"), is_admin=True)
        org = await create_organisation(session, "Utenos biblioteka", actor_id=5,
                                        is_admin=True)
        session.add(Playlist(organisation_id=org.id, created_by=5, language="lt",
                             titles={"lt": "Keramikos kelias"}, descriptions={},
                             published=True))
    catalog = SearchService(db)
    catalog.index = build_index(CATALOG)
    result = catalog.search("keramikos", now=NOW)
    async with db.transaction() as session:
        found = await catalog.matching_playlists(session, "keramikos", result)
    assert [m.titles for m in found] == [{"lt": "Keramikos kelias"}]


async def test_a_long_running_process_freezes_each_snapshot_and_frees_the_last(
        db: Database) -> None:
    """`freeze_snapshots` (webhook, polling, worker, web): the collector no longer walks
    the index, and a replaced snapshot is freed even when something left it in a
    reference cycle (a frozen cycle would otherwise stay for the life of the process)."""
    import gc
    import weakref

    catalog = SearchService(db)
    try:
        catalog.freeze_snapshots()
        await catalog.refresh()  # as a transport starts: the first snapshot is frozen
        old = catalog.index
        holder: dict[str, object] = {"index": old}
        old.__dict__["held_by"] = holder  # a cycle: index -> holder -> index
        gone = weakref.ref(old)
        del old, holder
        assert gc.get_freeze_count() > 0
        assert gone() is not None  # still the current snapshot
        await catalog.refresh()  # from the (empty) database: the old one is replaced
        assert gone() is None
        assert gc.get_freeze_count() > 0  # the new one is frozen in its turn
        assert catalog.index.size == 0
    finally:
        gc.unfreeze()
