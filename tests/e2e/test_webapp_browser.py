"""The Mini App's pages in headless Chromium (Debian's package, driven by Playwright) against
the real web server, in-process, with the demo catalog synced and a seeded pupil: the map
shows the catalog's markers, a filter narrows them, a search finds an item and opens its
card; the e-profile shows the pupil's hours and badges; in Lithuanian and English. Every
page is saved as a screenshot under tests/artifacts/ (git-ignored) for a person to look at.

One browser and one server for the whole module (a module-scoped event loop), map tiles
answered by a local 1x1 PNG and every other address outside this machine refused, so the
tests stay offline and take seconds. Without /usr/bin/chromium they are skipped with the
reason, except where TAKAS_REQUIRE_BROWSER or CI is set (.ci/run installs chromium and sets
it): there a missing browser fails, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("TAKAS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A 1x1 light-grey PNG: every map tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8f7f71f0005fa02fd2dcb4f4b0000000049454e44ae426082")
# Map tiles as the default tile URL (OpenStreetMap's) names them.
TILE_URL = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
# A Telegram client as a mobile app is to a Mini App: it takes the page's events through
# TelegramWebviewProxy.postEvent and answers the location request (Vilnius' old town).
TELEGRAM_CLIENT = """
window.sentEvents = [];
window.TelegramWebviewProxy = { postEvent(type, data) {
  window.sentEvents.push(type);
  const answer = (name, payload) => setTimeout(
    () => window.Telegram.WebView.receiveEvent(name, payload), 10);
  if (type === 'web_app_check_location') answer('location_checked',
    { available: true, access_requested: true, access_granted: true });
  if (type === 'web_app_request_location') answer('location_requested',
    { available: true, latitude: 54.6810, longitude: 25.2870 });
} };
"""
# A string key shown instead of its text (`map.search_button`): a missing translation.
KEY_SHOWN = re.compile(r"\b(?:nav|error|state|action|app|item|share|map|profile|shared|org|reason)"
                       r"\.[a-z_.]+\b")


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (f"{CHROMIUM} is missing: the Mini App's browser tests need Debian's chromium "
               "(`apt-get install chromium`; .ci/run installs it)")
    if os.environ.get("TAKAS_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                    args=CHROMIUM_ARGS, headless=True)
        yield launched
        await launched.close()


async def offline_page(browser: Any, *, width: int = 360, scheme: str = "light") -> Any:
    """A page in a fresh context: tiles from TILE, nothing else beyond 127.0.0.1."""
    context = await browser.new_context(viewport={"width": width, "height": 740},
                                        color_scheme=scheme, locale="en-GB")

    async def refuse(route: Any) -> None:
        await route.abort()

    tiles: list[str] = []

    async def tile(route: Any) -> None:
        tiles.append(route.request.url)
        await route.fulfill(status=200, content_type="image/png", body=TILE)

    await context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), refuse)
    await context.route(TILE_URL, tile)
    context.set_default_timeout(10_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors too: a Content-Security-Policy refusal or a failed load shows there.
    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.errors = errors
    page.tiles = tiles
    return page


async def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Save the whole page, and check it fits the phone's width (no sideways scrolling)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.evaluate("window.scrollTo(0, 0)")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: {width} px wide"
    await page.screenshot(path=str(ARTIFACTS / f"webapp-{name}.png"), full_page=full_page,
                          animations="disabled")  # tiles fully faded in


async def no_missing_strings(page: Any) -> None:
    text = await page.evaluate("document.body.innerText + ' ' + [...document.querySelectorAll("
                               "'[aria-label],[placeholder]')].map(e => (e.getAttribute("
                               "'aria-label') || '') + ' ' + (e.getAttribute('placeholder') || "
                               "'')).join(' ')")
    assert not KEY_SHOWN.findall(text), KEY_SHOWN.findall(text)
    assert not page.errors, page.errors


# ---- the map


async def map_numbers(page: Any) -> dict[str, int]:
    """What the map shows: every marker and cluster bubble, counted as items."""
    numbers: dict[str, int] = await page.evaluate("""() => {
      const sum = (sel) => [...document.querySelectorAll(sel)]
        .reduce((n, e) => n + parseInt(e.textContent, 10), 0);
      const box = document.getElementById('map');
      return {
        total: parseInt(box.dataset.total, 10),
        shown: document.querySelectorAll('#map .pin-wrap').length
               + sum('#map .marker-cluster span[aria-hidden]')
               + sum('#map .server-cluster span[aria-hidden]'),
        listed: document.querySelectorAll('#list > li').length,
      };
    }""")
    return numbers


async def wait_loaded(page: Any, after: str | None = None) -> str:
    """Wait for the map's answer (a newer one than `after`) to be drawn; its number."""
    await page.wait_for_function(
        "after => document.body.dataset.loaded && !document.body.dataset.loading"
        " && document.body.dataset.loaded !== after", arg=after)
    return str(await page.evaluate("document.body.dataset.loaded"))


PUPIL, ORGANIZER, OTHER = 7101, 7102, 7103
TOKEN = "7100:web-pages-test-token"
# Telegram's dark theme as a client sends it, for the dark screenshots.
DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499",
        "link_color": "#6ab3f3", "button_color": "#5288c1", "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c"}


class Site:
    """The running server, how to open its pages as whom, and what the seed put in."""

    def __init__(self, base: str, dev_token: str, expected: dict[str, Any]) -> None:
        self.base, self.dev_token, self.expected = base, dev_token, expected

    def dev(self, path: str, language: str) -> str:
        """The page through the development login (the pupil), as on a laptop."""
        return f"{self.base}{path}?dev={self.dev_token}&lang={language}"

    def telegram(self, path: str, language: str, user: int, theme: dict[str, str]) -> str:
        """The page as Telegram opens it: signed initData and the theme in the fragment."""
        from bot.web.auth import sign_init_data

        init = sign_init_data({"user": json.dumps({"id": user, "first_name": "Ona",
                                                  "language_code": language}),
                               "auth_date": str(int(time.time())),
                               "query_id": "AAE-test"}, TOKEN)
        fragment = urlencode({"tgWebAppData": init, "tgWebAppVersion": "8.0",
                              "tgWebAppPlatform": "tdesktop",
                              "tgWebAppThemeParams": json.dumps(theme)})
        return f"{self.base}{path}?lang={language}#{fragment}"


async def seed(db: Any) -> dict[str, Any]:
    """An organisation with an hours badge, a pupil with approved and waiting hours and a
    yearly target, and another pupil's entry waiting for the organizer."""
    from bot.services import badges, orgs
    from bot.services import hours as hour_rules
    from bot.storage.models import BadgeRule, Membership, User
    from bot.usecases import verification

    async with db.transaction() as session:
        session.add_all([User(id=PUPIL, first_name="Ona", language="lt",
                              yearly_target_minutes=20 * 60),
                         User(id=ORGANIZER, first_name="Rūta", language="lt"),
                         User(id=OTHER, first_name="Jonas", language="lt")])
        organisation = await orgs.create_organisation(session, "Utenos biblioteka",
                                                      actor_id=0, is_admin=True)
        session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
        await session.flush()
        await badges.create_badge(session, organisation.id, actor_id=ORGANIZER,
                                  name="Skaitovas", description="Reads to children",
                                  criteria="2 approved hours in a school year",
                                  rule=BadgeRule.HOURS, hours_minutes=120)
        org_id = organisation.id
    entries = []
    for key, user, minutes, activity in (("a", PUPIL, 90, "Reading to children"),
                                         ("b", PUPIL, 60, "Library night"),
                                         ("c", PUPIL, 120, "Book sorting"),
                                         ("d", OTHER, 180, "Summer camp")):
        async with db.transaction() as session:
            entry, _ = await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=user, organisation_id=org_id, activity=activity,
                day=hour_rules.today(), minutes=minutes, key=f"web-{key}"))
            entries.append(entry.id)
    for entry_id in entries[:2]:
        await verification.decide(db, entry_id, ORGANIZER, approve=True)
    return {"approved": 2.5, "pending": 2, "badge": "Skaitovas", "other": "Jonas",
            "other_activity": "Summer camp"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """The real Mini App server (as `python -m bot web` runs it) on a free port, over a
    database with the demo catalog synced and the seed."""
    from bot.badges.keys import SigningKey
    from bot.config import load_settings
    from bot.delivery.badges import BadgeDocuments
    from bot.i18n import I18n
    from bot.services.badges import Issuer
    from bot.storage.db import Database
    from bot.transports.web import Site as WebSite
    from bot.web.auth import DevLogin
    from bot.web.context import make_web
    from catalog.search.service import SearchService
    from catalog.service import Catalog
    from tests.conftest import fresh_database

    folder = tmp_path_factory.mktemp("webapp")
    async with fresh_database(folder) as url:
        settings = load_settings(_env_file=None, database_url=url, bot_token=TOKEN,
                                 feed_sync_interval=0,
                                 badge_signing_key=SigningKey.generate().seed())
        db = Database(url)
        await db.migrate()
        try:
            catalog = Catalog(db, None)  # the demo feeds, from disk
            await catalog.open()
            await catalog.register_file_feeds()
            try:
                assert all(report.ok for report in await catalog.sync())
            finally:
                await catalog.close()
            expected = await seed(db)
            search = SearchService(db)
            await search.refresh()
            i18n = I18n.load()
            issuer = Issuer(settings.badge_key(), settings.badge_base_url)
            dev = DevLogin(lambda: (PUPIL, "Ona", None))
            server = WebSite(make_web(settings, i18n, db, search,
                                      BadgeDocuments(db, i18n, issuer), dev=dev),
                             "127.0.0.1", 0)
            base = await server.start()
            try:
                yield Site(base, dev.token, expected | DEMO)
            finally:
                await server.stop()
        finally:
            await db.close()


def demo_expectations() -> dict[str, Any]:
    """What the demo catalog (catalog/demo/items.json) puts on the map."""
    items = json.loads((REPO / "catalog" / "demo" / "items.json").read_text())
    return {"items": len(items), "placed": sum(1 for item in items if item.get("city")),
            "volunteering": sum(1 for item in items if item["type"] == "volunteering"),
            "search": ("anglų kalbos kursai", "Anglų kalbos kursai pradedantiesiems (A1)")}


DEMO = demo_expectations()


@pytest.mark.parametrize("language", ["en", "lt"])
async def test_the_map_shows_the_catalog_a_filter_narrows_it_a_search_finds(
        browser: Any, site: Site, language: str) -> None:
    if language == "en":  # the development login, as on a laptop
        page = await offline_page(browser)
        await page.goto(site.dev("/app/", language))
    else:  # inside Telegram, in its dark theme
        page = await offline_page(browser, scheme="dark")
        await page.add_init_script(TELEGRAM_CLIENT)
        await page.goto(site.telegram("/app/", language, PUPIL, DARK))
    seen = await wait_loaded(page)
    await page.keyboard.press("Tab")  # the keyboard's first stop skips to the list
    assert await page.evaluate("document.activeElement.getAttribute('href')") == "#results"
    everything = await map_numbers(page)
    world = await page.evaluate("""token => fetch('/api/map?bbox=-180,-85,180,85&zoom=3',
      {headers: {Authorization: 'dev ' + token}}).then(r => r.json())""", site.dev_token)
    # Every demo item is on the map or counted as having no place; the first view shows all
    # that have one.
    assert world["total"] + world["unplaced"] == site.expected["items"]
    assert world["total"] == site.expected["placed"]  # every item with a town is on the map
    assert everything["total"] == world["total"]
    assert everything["shown"] == everything["total"]  # each a marker or in a bubble
    assert everything["listed"] == min(everything["total"], 20)  # then "Show more"
    await no_missing_strings(page)
    # The page's own files and the vendored libraries, before any tile or API answer.
    weight = await page.evaluate("""() => performance.getEntriesByType('navigation')
      .concat(performance.getEntriesByType('resource'))
      .filter(e => !e.name.includes('/api/') && !e.name.startsWith('https://tile.'))
      .reduce((n, e) => n + e.decodedBodySize, 0)""")
    assert 200_000 < weight < 300_000
    assert page.tiles  # OpenStreetMap's tiles, answered here
    assert "OpenStreetMap" in await page.locator(".leaflet-control-attribution").inner_text()
    await shoot(page, f"map-{language}", full_page=False)
    await page.locator("#more-items").click()
    assert (await map_numbers(page))["listed"] == min(everything["total"], 40)

    volunteering = page.locator(".chip[data-kind=volunteering]")
    await volunteering.click()
    assert await volunteering.get_attribute("aria-pressed") == "true"
    seen = await wait_loaded(page, seen)
    narrowed = await map_numbers(page)
    assert 0 < narrowed["total"] <= site.expected["volunteering"] < everything["total"]
    assert narrowed["shown"] == narrowed["total"]
    label = (await volunteering.inner_text()).strip()
    kinds = await page.locator("#list .meta:first-of-type").all_inner_texts()
    assert kinds
    assert all(text.startswith(label) for text in kinds)
    await volunteering.click()  # off again
    seen = await wait_loaded(page, seen)

    query, title = site.expected["search"]
    await page.get_by_role("searchbox").fill(query)
    await page.get_by_role("searchbox").press("Enter")
    await wait_loaded(page, seen)
    first = page.locator("#list > li").first
    assert title in await first.inner_text()
    await first.get_by_role("button").click()
    card = page.get_by_role("dialog")
    await card.wait_for()
    assert title in await card.get_by_role("heading").inner_text()
    calendar = card.locator("a[download$='.ics']")
    assert await calendar.is_visible()
    await no_missing_strings(page)
    await shoot(page, f"map-card-{language}", full_page=False)
    await page.keyboard.press("Escape")  # the card closes from the keyboard
    assert not await card.is_visible()

    if language == "lt":  # told Telegram it is ready; "near me" asks Telegram, not the browser
        assert "web_app_ready" in await page.evaluate("window.sentEvents")
        seen = await page.evaluate("document.body.dataset.loaded")
        await page.locator("#near").click()
        await page.locator("#map .me-dot").wait_for()
        await wait_loaded(page, seen)  # the area around the pupil
        assert "web_app_request_location" in await page.evaluate("window.sentEvents")
        near = await map_numbers(page)
        assert 0 < near["total"] < site.expected["items"]
        await shoot(page, "map-near-lt", full_page=False)
    await page.context.close()


@pytest.mark.parametrize("language", ["lt", "en"])
async def test_the_profile_shows_the_pupils_hours_and_badges(
        browser: Any, site: Site, language: str) -> None:
    for scheme, theme in (("light", {}), ("dark", DARK)):
        page = await offline_page(browser, scheme=scheme)
        await page.goto(site.telegram("/app/profile", language, PUPIL, theme))
        await page.wait_for_selector("body[data-ready]")
        assert await page.evaluate("document.documentElement.lang") == language
        comma = "," if language == "lt" else "."
        summary = await page.locator("#hours-summary").inner_text()
        assert f"{site.expected['approved']:g}".replace(".", comma) in summary
        assert f"{site.expected['pending']:g}".replace(".", comma) in summary
        assert "20" in summary  # the target
        # What the server words itself speaks the page's language too.
        statuses = await page.locator("[data-status] td[class^=status-]").all_inner_texts()
        assert set(statuses) == ({"patvirtinta", "laukia"} if language == "lt"
                                 else {"approved", "waiting"})
        # The chart says the same to a screen reader.
        assert await page.get_by_role("img", name=summary).count() == 1
        badges = page.locator(".badges > li")
        assert await badges.count() == 1
        assert site.expected["badge"] in await badges.first.inner_text()
        picture = badges.first.locator("img")
        await picture.scroll_into_view_if_needed()
        await page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                     arg=await picture.element_handle())
        await no_missing_strings(page)
        await shoot(page, f"profile-{language}-{scheme}")
        await page.context.close()


async def test_the_organizer_approves_from_the_queue(browser: Any, site: Site) -> None:
    page = await offline_page(browser)
    await page.goto(site.telegram("/app/organizer", "lt", ORGANIZER, {}))
    await page.wait_for_selector("body[data-ready]")
    queue = page.locator("#queue > li")
    theirs = queue.filter(has_text=site.expected["other_activity"])
    assert await theirs.count() == 1
    assert site.expected["other"] in await theirs.inner_text()
    await no_missing_strings(page)
    await shoot(page, "organizer-lt")
    before = await queue.count()
    await theirs.locator("button").first.click()  # Approve
    await theirs.wait_for(state="detached")
    assert await queue.count() == before - 1
    assert not page.errors
    await page.context.close()


async def test_a_shared_link_shows_the_profile_read_only_until_revoked(
        browser: Any, site: Site) -> None:
    page = await offline_page(browser)
    await page.goto(site.telegram("/app/profile", "en", PUPIL, {}))
    await page.wait_for_selector("body[data-ready]")
    await page.locator("#share-create").click()
    link = (await page.locator("#share-result .share-url").inner_text()).strip()
    assert link.startswith(site.base + "/app/shared/")

    reader = await offline_page(browser, width=390)  # a parent's phone: no Telegram
    await reader.goto(f"{link}?lang=en")
    await reader.wait_for_selector("body[data-ready]")
    assert site.expected["badge"] in await reader.locator(".badges").inner_text()
    assert await reader.locator("#sharing, #certificates, nav a").count() == 0
    await no_missing_strings(reader)
    await shoot(reader, "shared-en")

    await page.locator("#share-list button.danger").first.click()  # Revoke
    await page.locator("#share-list button.danger").wait_for(state="detached")
    await reader.reload()
    await reader.locator("#error").wait_for()
    assert "revoked" in await reader.locator("#error").inner_text()
    assert await reader.locator("#content").inner_text() == ""
    await shoot(reader, "shared-revoked-en")
    await reader.context.close()
    await page.context.close()
