"""Fetching feeds: conditional GET, limits, bombs, loops, hangs, retries and SSRF."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from catalog.fetch import FetchLimits, check_public_url, decompress, fetch, open_sessions
from catalog.model import FeedError
from tests.feedserver import FeedServer, hang

FAST = FetchLimits(max_bytes=1024 * 1024, connect_timeout=1, total_timeout=1.5, retries=2,
                   backoff=0.01)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    feeds = FeedServer()
    await feeds.start()
    yield feeds
    await feeds.stop()


@pytest.fixture
async def sessions() -> AsyncIterator[tuple[aiohttp.ClientSession, aiohttp.ClientSession]]:
    trusted, public = open_sessions()
    yield trusted, public
    await trusted.close()
    await public.close()


async def test_conditional_get_costs_nothing_the_second_time(server, sessions) -> None:
    url = server.set("/feed.xml", "<rss/>", "application/rss+xml")
    first = await fetch(sessions[0], url, limits=FAST)
    assert first.body == b"<rss/>"
    assert first.content_type == "application/rss+xml"
    second = await fetch(sessions[0], url, etag=first.etag, limits=FAST)
    assert second.not_modified
    assert server.not_modified == 1


async def test_gzip_is_decoded(server, sessions) -> None:
    url = server.set("/z.json", "[1, 2, 3]" * 100, "application/json", gzip=True)
    assert (await fetch(sessions[0], url, limits=FAST)).body == b"[1, 2, 3]" * 100


async def test_gzip_bomb_stops_at_the_limit(server, sessions) -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MB of zeros in ~50 KB
    server.set("/bomb", bomb, "application/json", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FeedError, match="decompressed"):
        await fetch(sessions[0], f"{server.url}/bomb", limits=FAST)


def test_decompress_never_returns_more_than_the_limit() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)
    with pytest.raises(FeedError):
        decompress(bomb, "gzip", 1_000_000)
    assert decompress(gzip.compress(b"ok"), "gzip", 10) == b"ok"


async def test_body_over_the_limit_is_refused(server, sessions) -> None:
    server.set("/big", b"x" * (2 * 1024 * 1024))
    with pytest.raises(FeedError, match="limit"):
        await fetch(sessions[0], f"{server.url}/big", limits=FAST)


async def test_redirect_loop_is_bounded(server, sessions) -> None:
    server.set("/a", b"", status=302, etag=False, headers={"Location": "/b"})
    server.set("/b", b"", status=302, etag=False, headers={"Location": "/a"})
    with pytest.raises(FeedError, match="redirects"):
        await fetch(sessions[0], f"{server.url}/a", limits=FAST)


async def test_a_redirect_is_followed(server, sessions) -> None:
    server.set("/old", b"", status=301, etag=False, headers={"Location": "/new"})
    server.set("/new", "BEGIN:VCALENDAR", "text/calendar")
    result = await fetch(sessions[0], f"{server.url}/old", limits=FAST)
    assert result.body == b"BEGIN:VCALENDAR"
    assert result.final_url == f"{server.url}/new"


async def test_server_that_never_answers_times_out(server, sessions) -> None:
    server.custom["/hang"] = hang
    with pytest.raises(FeedError, match="no answer"):
        await fetch(sessions[0], f"{server.url}/hang",
                    limits=FetchLimits(total_timeout=0.3, retries=1, backoff=0.01))
    assert server.hits["/hang"] == 2  # retried once


async def test_5xx_is_retried_then_succeeds(server, sessions) -> None:
    url = server.set("/flaky", "[]", "application/json")
    server.fail_next["/flaky"] = [503, 502]
    assert (await fetch(sessions[0], url, limits=FAST)).body == b"[]"
    assert server.hits["/flaky"] == 3


async def test_404_is_a_clear_failure_without_retry(server, sessions) -> None:
    with pytest.raises(FeedError, match="HTTP 404"):
        await fetch(sessions[0], f"{server.url}/missing", limits=FAST)
    assert server.hits["/missing"] == 1


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/feed", "http://localhost:8080/x", "http://10.0.0.5/x",
    "http://192.168.1.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x", "ftp://example.org/x", "file:///etc/passwd",
])
def test_chat_feeds_may_not_point_inside(url: str) -> None:
    with pytest.raises(FeedError):
        check_public_url(url)


async def test_public_only_fetch_refuses_loopback_even_via_redirect(server, sessions) -> None:
    with pytest.raises(FeedError, match="not a public address"):
        await fetch(sessions[1], f"{server.url}/x", public_only=True, limits=FAST)


async def test_public_resolver_refuses_names_that_resolve_inside(sessions) -> None:
    # "localhost.test." style names are refused by name; here a name resolving to loopback.
    with pytest.raises(FeedError):
        await fetch(sessions[1], "http://localhost:9/", public_only=True, limits=FAST)


async def test_file_urls_only_for_operator_feeds(tmp_path, sessions) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,title\n1,x\n")
    assert (await fetch(sessions[0], path.as_uri(), limits=FAST)).body == b"id,title\n1,x\n"
    with pytest.raises(FeedError, match="operator"):
        await fetch(sessions[1], path.as_uri(), public_only=True, limits=FAST)


# The loopback address as getaddrinfo and browsers read numbers (decimal, hex, octal, short
# dotted forms, a trailing dot), and IPv6 ranges that translate to IPv4 hosts: 6to4 and
# NAT64 (well-known and local-use prefixes), here each embedding 127.0.0.1.
DISGUISED = ["2130706433", "0x7f000001", "0", "127.1", "0177.0.0.1", "0x7f.0.0.1",
             "127.0.0.1.", "017700000001", "[2002:7f00:1::]", "[64:ff9b::7f00:1]",
             "[64:ff9b:1::7f00:1]"]


@pytest.mark.parametrize("host", DISGUISED)
def test_numbers_that_name_an_inside_address_are_refused_when_added(host: str) -> None:
    with pytest.raises(FeedError, match="not a public address"):
        check_public_url(f"http://{host}/feed.xml")


@pytest.mark.parametrize("host", DISGUISED)
async def test_numbers_that_name_an_inside_address_are_refused_at_fetch(
    server, sessions, host: str
) -> None:
    port = server.url.rsplit(":", 1)[1]
    with pytest.raises(FeedError, match="not a public address"):
        await fetch(sessions[1], f"http://{host}:{port}/x", public_only=True, limits=FAST)
    assert server.hits == {}


@pytest.mark.parametrize("address", ["2002:7f00:1::", "2002:808:808::1", "64:ff9b::808:808",
                                     "64:ff9b:1::1"])
async def test_names_that_resolve_to_translated_ipv6_are_refused(address: str) -> None:
    """A host name whose AAAA record is a 6to4 or NAT64 address is refused, whichever IPv4
    host it embeds."""
    from catalog.fetch import PublicResolver

    class Answers:
        async def resolve(self, host: str, port: int = 0,
                          family: object = None) -> list[dict[str, object]]:
            return [{"hostname": host, "host": address, "port": port, "family": 10,
                     "proto": 0, "flags": 0}]

        async def close(self) -> None:
            return None

    resolver = PublicResolver()
    await resolver.close()
    resolver._inner = Answers()  # type: ignore[assignment]
    with pytest.raises(OSError, match="non-public"):
        await resolver.resolve("feeds.example.org", 80)


@pytest.mark.parametrize("url", ["http://93.184.215.14/feed", "http://example.org/feed",
                                 "https://[2a00:1450:4001::1]/x", "http://1.1.1.1./x"])
def test_public_addresses_are_still_accepted(url: str) -> None:
    check_public_url(url)


_ = web  # aiohttp.web is used by the feed server's custom handlers
