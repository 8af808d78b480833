"""/feeds in chat: admins list, sync, add and remove feeds; everyone else is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.i18n import I18n
from tests.fakes import FakeBotAPI

ADMIN = 900


@pytest.fixture
async def feeds_bot(make_settings, fake: FakeBotAPI, i18n: I18n, tmp_path: Path):
    local = tmp_path / "kaunas.jsonld"
    local.write_text(json.dumps([
        {"@type": "Course", "@id": "k1", "name": "Keramikos kursai", "inLanguage": "lt"},
        {"@type": "Event", "@id": "k2", "name": "Knygų klubas", "inLanguage": "lt"},
    ]))
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "kaunas"\nurl = "file:kaunas.jsonld"\n\n'
                     '[[feed]]\nname = "broken"\nurl = "file:missing.csv"\n')
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url,
                             admin_ids=str(ADMIN), feeds_file=str(feeds))
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        yield application


async def test_non_admin_is_refused(fake: FakeBotAPI, feeds_bot) -> None:
    fake.send_text(fake.user(1, language_code="en"), "/feeds")
    [reply] = await fake.wait_for_messages(1, 1)
    assert reply.text == "Only administrators can manage feeds."


async def test_admin_lists_and_syncs(fake: FakeBotAPI, feeds_bot) -> None:
    admin = fake.user(ADMIN, language_code="en")
    fake.send_text(admin, "/feeds")
    [listing] = await fake.wait_for_messages(ADMIN, 1)
    assert listing.text.startswith("2 feeds · 0 items")
    assert "2 feeds not synced yet" in listing.text
    fake.press_button(admin, listing, "feeds:sync")
    await fake.wait_idle()
    report = fake.messages(ADMIN)[-1]
    assert report.edited
    assert report.text.splitlines()[:3] == [
        "Sync finished: 1 of 2 feeds synced.",
        "Feeds updated: 1, unchanged: 0.",
        "Items added: 2, changed: 0, withdrawn: 0."]
    assert "broken: failed — file not found" in report.text
    assert "kaunas" not in report.text  # a feed that synced is counted, not listed
    fake.send_text(admin, "/feeds all")
    await fake.wait_idle()
    again = fake.messages(ADMIN)[-1]
    assert "kaunas: 2 items" in again.text
    assert "last error: file not found" in again.text
    assert fake.rejected == []


async def test_feeds_summary_names_only_the_failures(make_settings, fake: FakeBotAPI,
                                                     i18n: I18n, tmp_path: Path) -> None:
    """Thirty feeds, one broken: /feeds and a second sync stay a few lines long."""
    feeds = tmp_path / "feeds.toml"
    blocks = []
    for number in range(30):
        (tmp_path / f"f{number}.jsonld").write_text(json.dumps(
            [{"@type": "Course", "@id": f"c{number}", "name": f"Kursas {number}"}]))
        blocks.append(f'[[feed]]\nname = "feed{number:02}"\nurl = "file:f{number}.jsonld"\n')
    blocks.append('[[feed]]\nname = "broken"\nurl = "file:missing.csv"\n')
    feeds.write_text("\n".join(blocks))
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url,
                             admin_ids=str(ADMIN), feeds_file=str(feeds))
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        await application.bot_data.catalog.sync()
        admin = fake.user(ADMIN, language_code="en")
        fake.send_text(admin, "/feeds")
        [summary] = await fake.wait_for_messages(ADMIN, 1)
        assert summary.text.startswith("31 feeds · 30 items\nlast success ")
        assert "1 feed failed at its last sync:\nbroken: failed — file not found" in summary.text
        assert "feed07" not in summary.text
        assert len(summary.text.splitlines()) <= 8
        fake.send_text(admin, "/feeds sync")
        await fake.wait_idle()
        report = fake.messages(ADMIN)[-1]
        assert "Feeds updated: 0, unchanged: 30." in report.text
        assert "feed07" not in report.text
        assert len(report.text.splitlines()) <= 6
    assert fake.rejected == []


async def test_admin_cannot_add_a_private_address(fake: FakeBotAPI, feeds_bot) -> None:
    admin = fake.user(ADMIN, language_code="lt")
    fake.send_text(admin, "/feeds add vidinis http://192.168.0.10/feed.xml")
    [reply] = await fake.wait_for_messages(ADMIN, 1)
    assert reply.text == "Šio adreso pridėti negalima: leidžiami tik vieši http(s) adresai."
    fake.send_text(admin, "/feeds remove kaunas")
    replies = await fake.wait_for_messages(ADMIN, 2)
    assert replies[-1].text == (
        "Šis šaltinis įrašytas operatoriaus šaltinių faile – pašalinkite jį ten.")
    fake.send_text(admin, "/feeds nonsense words")
    replies = await fake.wait_for_messages(ADMIN, 3)
    assert replies[-1].text.startswith("Šaltiniai\n/feeds")


async def test_numbers_that_spell_an_inside_address_are_refused_when_added(
    fake: FakeBotAPI, feeds_bot
) -> None:
    """`http://2130706433/` is 127.0.0.1 to getaddrinfo and to browsers: refused in chat,
    as are the other spellings, and nothing is registered."""
    from sqlalchemy import select

    from bot.storage.catalog_tables import Feed

    admin = fake.user(ADMIN, language_code="lt")
    urls = ["http://2130706433/", "http://0x7f000001/", "http://0/", "http://127.1/rss",
            "http://0177.0.0.1/", "http://[2002:7f00:1::]/", "http://[64:ff9b::a00:1]/"]
    for number, url in enumerate(urls, start=1):
        fake.send_text(admin, f"/feeds add vidinis{number} {url}")
        replies = await fake.wait_for_messages(ADMIN, number)
        assert replies[-1].text == (
            "Šio adreso pridėti negalima: leidžiami tik vieši http(s) adresai."), url
    async with feeds_bot.bot_data.db.transaction() as session:
        names = (await session.scalars(select(Feed.name))).all()
    assert not [name for name in names if name.startswith("vidinis")]
