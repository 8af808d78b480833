"""Searching in chat over the fake Bot API: results, paging, details, calendar file,
location, inline mode, and hostile input; against the bundled demo catalog."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import build_application, running
from tests.fakes import FakeBotAPI


@pytest.fixture
async def search_bot(bot_settings, i18n):
    application = build_application(bot_settings, i18n, polling=True)
    async with running(application, polling=True):
        reports = await application.bot_data.catalog.sync()  # the demo feeds, from disk
        assert all(report.ok for report in reports)
        yield application


async def test_a_search_lists_results_with_details_and_paging(fake: FakeBotAPI,
                                                              search_bot) -> None:
    ona = fake.user(21, language_code="lt")
    fake.send_text(ona, "anglu kalbos kursai vilniuje")
    [reply] = await fake.wait_for_messages(21, 1)
    assert "Anglų kalbos kursai pradedantiesiems (A1)" in reply.text.split("\n\n")[1]
    assert "Vilnius" in reply.text
    assert "vasario 1 d. 18:00" in reply.text  # the partner's own time, Lithuanian dates
    detail_buttons = [data for _text, data in reply.buttons if data and data.startswith("od:")]
    fake.press_button(ona, reply, detail_buttons[0])
    await fake.wait_idle()
    details = fake.messages(21)[0]
    assert details.edited
    assert "Daugiau informacijos ir registracija" in details.text
    assert ("🗓 Įtraukti į kalendorių", details.buttons[0][1]) == details.buttons[0]
    fake.press_button(ona, details, details.buttons[0][1])
    await fake.wait_idle()
    document = fake.messages(21)[-1].document
    assert document is not None
    assert document.filename.endswith(".ics")
    event = Calendar.from_ical(document.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Anglų kalbos kursai pradedantiesiems (A1)"
    assert fake.rejected == []


async def test_paging_through_many_results(fake: FakeBotAPI, search_bot) -> None:
    jonas = fake.user(22, language_code="en")
    fake.send_text(jonas, "volunteering")
    [reply] = await fake.wait_for_messages(22, 1)
    assert "results for «volunteering»" in reply.text
    assert "Showing 1–5" in reply.text
    more = next(data for text, data in reply.buttons if text == "More »")
    fake.press_button(jonas, reply, more)
    await fake.wait_idle()
    page_two = fake.messages(22)[0]
    assert "Showing 6–10" in page_two.text
    assert "6. " in page_two.text
    back = next(data for text, data in page_two.buttons if text == "« Back")
    fake.press_button(jonas, page_two, back)
    await fake.wait_idle()
    assert "Showing 1–5" in fake.messages(22)[0].text
    assert fake.rejected == []


async def test_language_scope_button(fake: FakeBotAPI, search_bot) -> None:
    anna = fake.user(23, language_code="en")
    fake.send_text(anna, "english course")
    [reply] = await fake.wait_for_messages(23, 1)
    only = next(data for text, data in reply.buttons if text.startswith("🌐 Only in"))
    fake.press_button(anna, reply, only)
    await fake.wait_idle()
    narrowed = fake.messages(23)[0]
    assert "🌐 All languages" in [text for text, _ in narrowed.buttons]
    assert fake.rejected == []


async def test_nothing_found_and_did_you_mean(fake: FakeBotAPI, search_bot) -> None:
    user = fake.user(24, language_code="en")
    fake.send_text(user, "suvirinimo kursai")
    [reply] = await fake.wait_for_messages(24, 1)
    assert reply.text.startswith("Nothing found for «suvirinimo kursai».")
    fake.send_text(user, "keramkos kursai")  # one typo too many for matching, close for advice
    replies = await fake.wait_for_messages(24, 2)
    assert fake.rejected == []
    assert replies[-1].text  # either results or an honest nothing, never an error


async def test_script_in_a_query_is_harmless(fake: FakeBotAPI, search_bot) -> None:
    fake.send_text(fake.user(25, language_code="en"), "<script>alert('x')</script> keramika")
    [reply] = await fake.wait_for_messages(25, 1)
    assert "<script>alert('x')</script>" in reply.text
    assert "<script>" not in reply.source
    assert fake.rejected == []


async def test_a_shared_location_lists_the_nearest(fake: FakeBotAPI, search_bot) -> None:
    user = fake.user(26, language_code="en")
    fake.send_location(user, 54.6872, 25.2797)  # Vilnius centre
    [reply] = await fake.wait_for_messages(26, 1)
    assert reply.text.startswith("Nearest to you")
    first = reply.text.split("\n\n")[1]
    assert "Vilnius" in first
    assert " m" in first or " km" in first
    assert fake.rejected == []


async def test_inline_query_returns_articles(fake: FakeBotAPI, search_bot) -> None:
    fake.send_inline_query(fake.user(27, language_code="lt"), "keramika")
    answer = await fake.wait_for_request("answerInlineQuery")
    results = answer.params["results"]
    assert 1 <= len(results) <= 10
    assert any("Keramikos" in article["title"] for article in results)
    assert fake.rejected == []


async def test_feeds_sync_on_schedule_and_refresh_the_index(make_settings, fake: FakeBotAPI,
                                                            i18n) -> None:
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, feed_sync_interval=60)
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        assert application.bot_data.search.index.size == 0  # nothing synced yet
        # The first run comes a second after start-up; on a loaded machine the sync itself
        # may take many seconds, so wait for it generously (the loop ends as soon as it lands).
        for _ in range(1200):
            if application.bot_data.search.index.size:
                break
            await asyncio.sleep(0.05)
        assert application.bot_data.search.index.size >= 80
        jobs = application.job_queue.get_jobs_by_name("feed-sync")
        assert len(jobs) == 1


def _listed(text: str) -> list[str]:
    """The numbered result blocks of a results message."""
    return [block for block in text.split("\n\n") if re.match(r"\S+ \d+\. ", block)]


def _demo_items() -> dict[str, dict[str, object]]:
    items = json.loads((Path(__file__).resolve().parents[2] / "catalog" / "demo" /
                        "items.json").read_text(encoding="utf-8"))
    return {item["title"]: item for item in items}


async def test_a_whole_sentence_lists_results(fake: FakeBotAPI, search_bot) -> None:
    user = fake.user(31, language_code="lt")
    fake.send_text(user, "Sveiki, gal žinot ar Vilniuje yra kokių nors anglų kalbos kursų?")
    [reply] = await fake.wait_for_messages(31, 1)
    assert "Anglų kalbos kursai pradedantiesiems (A1)" in reply.text.split("\n\n")[1]
    assert fake.rejected == []


async def test_a_price_cap_lists_only_what_fits_it(fake: FakeBotAPI, search_bot) -> None:
    user = fake.user(32, language_code="lt")
    fake.send_text(user, "kursai iki 50 eur")
    [reply] = await fake.wait_for_messages(32, 1)
    items = _demo_items()
    listed = _listed(reply.text)
    assert listed
    for block in listed:
        title = next(t for t in items if t in block)
        price = items[title]["price_eur"]
        assert price is None or float(price) <= 50, (title, price)
    assert "Anglų kalbos kursai pradedantiesiems (A1)" not in reply.text  # 120 EUR
    assert fake.rejected == []


async def test_an_evening_query_lists_only_evening_starts(fake: FakeBotAPI,
                                                          search_bot) -> None:
    user = fake.user(33, language_code="en")
    fake.send_text(user, "evening courses in Vilnius")
    [reply] = await fake.wait_for_messages(33, 1)
    items = _demo_items()
    listed = _listed(reply.text)
    assert listed
    for block in listed:
        title = next(t for t in items if t in block)
        local = datetime.fromisoformat(str(items[title]["start"]))  # the partner's own time
        assert local.hour >= 17, (title, local)
    assert fake.rejected == []
