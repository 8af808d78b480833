"""Feed sync end to end: real feeds over HTTP on 127.0.0.1 into SQLite."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage.catalog_tables import Feed, Opportunity
from bot.storage.db import Database
from catalog.fetch import FetchLimits
from catalog.service import Catalog
from catalog.sync import FeedReport, shrink_refusal
from tests.conftest import SHARED
from tests.feedserver import FeedServer, make_feeds, serve_directory

FAST = FetchLimits(total_timeout=5, connect_timeout=2, retries=1, backoff=0.01)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    feeds = FeedServer()
    await feeds.start()
    yield feeds
    await feeds.stop()


def feeds_toml(path: Path, feeds: dict[str, str]) -> Path:
    path.write_text("".join(f'[[feed]]\nname = "{n}"\nurl = "{u}"\n\n' for n, u in feeds.items()))
    return path


async def opened(db: Database, feeds_file: Path) -> Catalog:
    catalog = Catalog(db, feeds_file, limits=FAST)
    await catalog.open()
    await catalog.register_file_feeds()
    return catalog


async def active(db: Database) -> list[Opportunity]:
    async with db.transaction() as session:
        return list((await session.scalars(
            select(Opportunity).where(Opportunity.withdrawn_at.is_(None)))).all())


def jsonld(*items: tuple[str, str]) -> str:
    return json.dumps([{"@type": "Event", "@id": i, "name": t, "inLanguage": "lt",
                        "startDate": "2027-01-15T18:00:00+02:00"} for i, t in items])


async def test_dev_catalog_syncs_whole_then_writes_nothing_then_withdraws_one(
    db: Database, server: FeedServer, tmp_path: Path
) -> None:
    out = tmp_path / "devfeeds"
    make_feeds(str(SHARED / "eval" / "dev" / "catalog.json"), str(out), "--base-url", server.url)
    assert serve_directory(server, out) > 4
    catalog = await opened(db, out / "feeds.toml")
    try:
        reports = await catalog.sync()
        assert [r.line() for r in reports if not r.ok] == []
        expected = json.loads((SHARED / "eval" / "dev" / "catalog.json").read_text())
        stored = {o.url: o for o in await active(db)}
        async with db.transaction() as session:
            formats = {f.id: f.format for f in (await session.scalars(select(Feed))).all()}
        assert len(stored) == len(expected) == 400
        for item in expected:
            row = stored[item["url"]]
            assert row.title == item["title"]
            assert row.language == item["lang"]
            assert row.city == item["city"]
            assert row.start_at == datetime.fromisoformat(item["start"])
            if formats[row.feed_id] in ("jsonld", "csv"):  # RSS and iCal do not carry the kind
                assert row.kind == item["type"]

        again = await catalog.sync()
        assert all(r.status in ("not_modified", "unchanged") for r in again)
        assert not any(r.added or r.changed or r.withdrawn for r in again)
        assert server.not_modified == len(again)

        # Remove one item from one JSON-LD feed that has several.
        feed_file = next(p for p in sorted(out.glob("*.jsonld"))
                         if len(json.loads(p.read_text()).get("itemListElement", [])) >= 3)
        document = json.loads(feed_file.read_text())
        removed = document["itemListElement"].pop(0)
        server.set(f"/{feed_file.name}", json.dumps(document), "application/ld+json")
        third = await catalog.sync()
        changed = [r for r in third if r.withdrawn]
        assert len(changed) == 1
        assert changed[0].withdrawn == 1
        assert len(await active(db)) == 399
        gone_url = removed.get("item", removed).get("url")
        assert gone_url not in {o.url for o in await active(db)}
    finally:
        await catalog.close()


async def test_a_broken_feed_changes_nothing_and_spares_the_others(
    db: Database, server: FeedServer, tmp_path: Path
) -> None:
    good = server.set("/good.jsonld", jsonld(("g1", "Keramika"), ("g2", "Audimas")),
                      "application/ld+json")
    bad = server.set("/bad.jsonld", jsonld(("b1", "Šokiai"), ("b2", "Dainos")),
                     "application/ld+json")
    catalog = await opened(db, feeds_toml(tmp_path / "f.toml", {"good": good, "bad": bad}))
    try:
        assert all(r.ok for r in await catalog.sync())
        server.set("/bad.jsonld", '[{"@type": "Event", "name": "oops"', "application/ld+json")
        server.set("/good.jsonld",
                   jsonld(("g1", "Keramika"), ("g2", "Audimas"), ("g3", "Siuvimas")),
                   "application/ld+json")
        reports = {r.name: r for r in await catalog.sync()}
        assert not reports["bad"].ok
        assert reports["bad"].error
        assert reports["good"].added == 1
        titles = {o.title for o in await active(db)}
        assert titles == {"Keramika", "Audimas", "Siuvimas", "Šokiai", "Dainos"}
    finally:
        await catalog.close()


async def test_a_feed_that_collapses_is_not_applied(
    db: Database, server: FeedServer, tmp_path: Path
) -> None:
    url = server.set("/f.jsonld", jsonld(*((f"i{n}", f"Kursas {n}") for n in range(10))),
                     "application/ld+json")
    catalog = await opened(db, feeds_toml(tmp_path / "f.toml", {"f": url}))
    try:
        await catalog.sync()
        server.set("/f.jsonld", jsonld(("i1", "Kursas 1"), ("i2", "Kursas 2")),
                   "application/ld+json")
        [report] = await catalog.sync()
        assert report.status == "refused"
        assert "shrank from 10 to 2" in (report.error or "")
        assert len(await active(db)) == 10
        server.set("/f.jsonld", "[]", "application/ld+json")
        [report] = await catalog.sync()
        assert report.status == "refused"
        assert len(await active(db)) == 10
    finally:
        await catalog.close()


def test_shrink_rule() -> None:
    assert shrink_refusal(0, 0) is None
    assert shrink_refusal(10, 5) is None
    assert shrink_refusal(10, 4) is not None
    assert shrink_refusal(1, 0) is not None


async def test_items_without_title_are_skipped_and_counted(
    db: Database, server: FeedServer, tmp_path: Path
) -> None:
    body = json.dumps([{"@type": "Event", "@id": "a", "name": "Tapyba"},
                       {"@type": "Event", "@id": "b"}, {"@type": "Event", "name": "be id"}])
    url = server.set("/f.jsonld", body, "application/ld+json", etag=False)
    catalog = await opened(db, feeds_toml(tmp_path / "f.toml", {"f": url}))
    heard: list[list[FeedReport]] = []

    async def listener(reports: list[FeedReport]) -> None:
        heard.append(reports)

    catalog.listeners.append(listener)
    try:
        [report] = await catalog.sync()
        assert (report.total, report.added, report.skipped) == (1, 1, 2)
        assert len(heard) == 1
        assert heard[0][0].added_ids == [o.id for o in await active(db)]
        # Same body again without an ETag: recognised by its digest, nothing parsed or written.
        [report] = await catalog.sync()
        assert report.status == "unchanged"
        assert len(heard) == 1
    finally:
        await catalog.close()


async def test_changed_item_is_updated_in_place(
    db: Database, server: FeedServer, tmp_path: Path
) -> None:
    url = server.set("/f.jsonld", jsonld(("a", "Fotografija"), ("b", "Video")),
                     "application/ld+json")
    catalog = await opened(db, feeds_toml(tmp_path / "f.toml", {"f": url}))
    try:
        await catalog.sync()
        before = {o.source_id: o for o in await active(db)}
        server.set("/f.jsonld", jsonld(("a", "Fotografija pradedantiesiems"), ("b", "Video")),
                   "application/ld+json")
        [report] = await catalog.sync()
        assert (report.added, report.changed, report.withdrawn) == (0, 1, 0)
        after = {o.source_id: o for o in await active(db)}
        assert after["a"].id == before["a"].id
        assert after["a"].title == "Fotografija pradedantiesiems"
        assert after["b"].updated_at == before["b"].updated_at
    finally:
        await catalog.close()








async def test_demo_feeds_sync_cleanly(db: Database) -> None:
    catalog = Catalog(db, None, limits=FAST)
    await catalog.open()
    try:
        await catalog.register_file_feeds()
        reports = await catalog.sync()
        assert [r.line() for r in reports if not r.ok] == []
        rows = await active(db)
        assert len(rows) >= 80
        assert {o.language for o in rows} >= {"lt", "lv", "en", "ru", "de"}
        assert {o.kind for o in rows} == {"course", "event", "volunteering"}
        async with db.transaction() as session:
            feeds = await session.scalar(select(func.count()).select_from(Opportunity))
        assert feeds == len(rows)
    finally:
        await catalog.close()
