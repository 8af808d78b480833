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


_ = web  # aiohttp.web is used by the feed server's custom handlers
