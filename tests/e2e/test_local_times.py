"""Times are shown where the opportunity happens: an iCalendar event given in UTC, a JSON-LD
date with an offset, an RSS date and a CSV time are all listed at the local wall-clock time
of the item's own zone (its TZID, else its town or country, else its language)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, running
from bot.i18n import I18n
from catalog.formats import parse_feed
from catalog.formats.zones import local_zone
from catalog.model import FeedFormat, Item
from catalog.store import item_values
from handlers.views import card
from tests.fakes import FakeBotAPI

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def ics(location: str, start: str, end: str, *, extra: str = "") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", "UID:e1",
             "SUMMARY:Event", f"LOCATION:{location}", f"DTSTART{start}", f"DTEND{end}",
             *([extra] if extra else []), "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def only(body: bytes, fmt: FeedFormat) -> Item:
    [item] = parse_feed(body, fmt, now=NOW).items
    return item


def shown(item: Item, language: str, i18n: I18n) -> str:
    """The item's card as a user of `language` reads it, from what the store keeps."""
    from catalog.search.index import SearchDoc

    values = item_values(item)
    doc = SearchDoc(id=1, feed="f", source_id=item.source_id, title=item.title, kind="event",
                    language=None, description="", provider=None, city=item.city,
                    country=item.country, latitude=None, longitude=None, online=False,
                    start=values["start_at"].astimezone(UTC),
                    end=values["end_at"] and values["end_at"].astimezone(UTC),
                    hours=None, price=None, currency=None, keywords=(), url=None,
                    timezone=values["timezone"])
    with i18n.use(language):
        return card(1, doc)


def test_utc_ical_times_in_vilnius_and_klaipeda_are_local(i18n: I18n) -> None:
    night = only(ics("Vilnius Museum of Everyday Life\\, Vilnius", ":20270515T170000Z",
                     ":20270515T190000Z"), FeedFormat.ICS)
    assert local_zone(night) == "Europe/Vilnius"
    assert "gegužės 15 d. 20:00–22:00" in shown(night, "lt", i18n)
    cleanup = only(ics("Asociacija Švari jūra\\, Klaipėda", ":20270424T070000Z",
                       ":20270424T110000Z"), FeedFormat.ICS)
    assert "balandžio 24 d. 10:00–14:00" in shown(cleanup, "lt", i18n)


def test_tzid_wins_over_the_town(i18n: I18n) -> None:
    item = only(ics("Somewhere\\, Vilnius", ";TZID=Europe/Berlin:20270515T200000",
                    ";TZID=Europe/Berlin:20270515T210000"), FeedFormat.ICS)
    assert local_zone(item) == "Europe/Berlin"
    assert "15. Mai 2027 20:00–21:00" in shown(item, "de", i18n)


@pytest.mark.parametrize(("town", "zone", "hour"), [
    ("Rīga", "Europe/Riga", "20:00"), ("Tallinn", "Europe/Tallinn", "20:00"),
    ("Berlin", "Europe/Berlin", "19:00"), ("Tartu", "Europe/Tallinn", "20:00")])
def test_utc_times_by_town(town: str, zone: str, hour: str, i18n: I18n) -> None:
    item = only(ics(f"Hall\\, {town}", ":20270515T170000Z", ":20270515T180000Z"),
                FeedFormat.ICS)
    assert local_zone(item) == zone
    assert f"15. Mai 2027 {hour}" in shown(item, "de", i18n)


def test_floating_ical_time_in_a_town_is_that_towns_time() -> None:
    item = only(ics("Hall\\, Riga", ":20270515T200000", ":20270515T210000"), FeedFormat.ICS)
    assert item.start == datetime(2027, 5, 15, 20, tzinfo=ZoneInfo("Europe/Riga"))


def test_other_formats_keep_local_times(i18n: I18n) -> None:
    jsonld = only(json.dumps([{
        "@type": "Event", "@id": "j1", "name": "Talk", "startDate": "2027-05-15T20:00:00+03:00",
        "location": {"@type": "Place", "address": {"addressLocality": "Vilnius"}}}]).encode(),
        FeedFormat.JSONLD)
    assert "gegužės 15 d. 20:00" in shown(jsonld, "lt", i18n)
    utc_jsonld = only(json.dumps([{
        "@type": "Event", "@id": "j2", "name": "Talk", "startDate": "2027-05-15T17:00:00Z",
        "location": {"@type": "Place", "address": {"addressLocality": "Rīga"}}}]).encode(),
        FeedFormat.JSONLD)
    assert "15. Mai 2027 20:00" in shown(utc_jsonld, "de", i18n)
    elsewhere = only(json.dumps([{
        "@type": "Event", "@id": "j3", "name": "Talk", "startDate": "2027-05-15T20:00:00-05:00",
        }]).encode(), FeedFormat.JSONLD)
    assert "15. Mai 2027 20:00" in shown(elsewhere, "de", i18n)  # an offset and no place: as given
    csv = only("id;pavadinimas;pradžia;miestas\n1;Kursai;2027-05-15 20:00;Tallinn\n"
               .encode(), FeedFormat.CSV)
    assert local_zone(csv) == "Europe/Tallinn"
    assert "15. Mai 2027 20:00" in shown(csv, "de", i18n)
    rss = only(b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><title>Vakaras</title><guid>r1</guid><link>https://e.example/1</link>
        <description>Renginys.
Vilnius, 2027-05-15 20:00</description></item></channel></rss>""", FeedFormat.RSS)
    assert rss.start == datetime(2027, 5, 15, 17, tzinfo=UTC)  # Vilnius summer time
    assert "gegužės 15 d. 20:00" in shown(rss, "lt", i18n)


@pytest.fixture
async def demo_bot(bot_settings, i18n):
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        yield application


async def test_demo_ical_events_are_listed_at_local_time(fake: FakeBotAPI, demo_bot) -> None:
    ona = fake.user(31, language_code="lt")
    fake.send_text(ona, "Museum Night Tour in English")
    [reply] = await fake.wait_for_messages(31, 1)
    assert "Museum Night Tour in English" in reply.text
    assert "gegužės 15 d. 20:00–22:00" in reply.text, reply.text
    fake.send_text(ona, "Baltijos jūros pakrantės švarinimas")
    [_first, cleanup] = await fake.wait_for_messages(31, 2)
    assert "Baltijos jūros pakrantės švarinimas" in cleanup.text
    assert "balandžio 24 d. 10:00–14:00" in cleanup.text, cleanup.text
    assert fake.rejected == []
