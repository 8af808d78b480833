"""The public certificate page `/verify/<code>` limits each client address, as /verify in
the chat limits each person: past its burst a reader gets 429 with a short page in their
language and a Retry-After, while other readers are still answered. Behind trusted proxies
(FORWARDED_HOPS) the client is the address the proxy appended to X-Forwarded-For, not
what the client wrote there itself."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestServer

from bot.app import build_application, running
from bot.flood import FloodGuard
from bot.transports.webhook import WebhookServer, webhook_config
from tests.fakes import FakeBotAPI

UNKNOWN = "/verify/TK-AAAA-BBBB"


async def pages(fake: FakeBotAPI, make_settings, i18n, hops: int,
                headers: list[dict[str, str]]) -> list[tuple[int, str, str | None]]:
    """(status, body, Retry-After) of one request per entry of `headers`, in order, with a
    burst of 2 per client."""
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url,
                             webhook_url="https://takas.example/telegram",
                             webhook_secret="s3cret-page", forwarded_hops=hops)
    application = build_application(settings, i18n, background=False)
    replies = []
    async with running(application, polling=False):
        webhook = WebhookServer(application, webhook_config(settings))
        webhook.page_guard = FloodGuard(2, 0.001)
        server = TestServer(webhook.web_app())
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                for extra in headers:
                    async with http.get(server.make_url(UNKNOWN), headers=extra) as reply:
                        replies.append((reply.status, await reply.text(),
                                        reply.headers.get("Retry-After")))
        finally:
            await server.close()
    return replies


async def test_one_address_is_limited_with_a_short_page(fake: FakeBotAPI, make_settings,
                                                        i18n) -> None:
    lithuanian = {"Accept-Language": "lt"}
    replies = await pages(fake, make_settings, i18n, 0, [{}, {}, {}, lithuanian])
    assert [status for status, _body, _wait in replies] == [404, 404, 429, 429]
    _status, body, wait = replies[2]
    assert "Too many checks from your address." in body
    assert "No certificate has that code." not in body
    assert wait is not None
    assert int(wait) >= 1
    assert "Per daug patikrinimų" in replies[3][1]  # in the reader's language


async def test_behind_a_proxy_each_client_has_its_own_limit(fake: FakeBotAPI, make_settings,
                                                            i18n) -> None:
    def via_proxy(client: str, claimed: str | None = None) -> dict[str, str]:
        # What the client claims comes first; the proxy appends the address it saw.
        return {"X-Forwarded-For": f"{claimed}, {client}" if claimed else client}

    replies = await pages(fake, make_settings, i18n, 1, [
        via_proxy("198.51.100.7"), via_proxy("198.51.100.7"),
        via_proxy("198.51.100.7", claimed="203.0.113.1"),  # a forged first entry: same client
        via_proxy("198.51.100.8")])
    assert [status for status, _body, _wait in replies] == [404, 404, 429, 404]
