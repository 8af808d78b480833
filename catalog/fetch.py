"""Fetching feeds over HTTP, safely and cheaply.

One shared `aiohttp.ClientSession` per process. Each fetch is a conditional GET (ETag,
Last-Modified: a 304 costs nothing), with connect and total timeouts, a maximum body size
that also bounds gzip/deflate decompression (a gzip bomb stops at the limit), at most
`max_redirects` redirects followed by hand so every hop is checked, and retries with
backoff on 5xx answers and on servers that do not answer in time (one that answers but
trickles its body is given up at the first timeout: another try would take as long).

Feeds added in chat must not reach this machine or the private network (SSRF): for them
every hop's address is checked, IP literals directly and host names through a resolver that
refuses loopback, private, link-local and reserved addresses. Feeds from the operator's
TOML file may point anywhere, including `file:` paths next to the TOML file.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from catalog.model import FeedError

USER_AGENT = "TakasBot/0.1 (+https://github.com/takas; feed sync)"


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 10.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0


DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class Fetched:
    """A fetch outcome: `body` is None when the server said 304 Not Modified."""

    body: bytes | None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


# IPv6 prefixes that reach IPv4 hosts by translation: whichever IPv4 address they embed,
# a gateway (perhaps one inside the network) picks the host, so none counts as public.
TRANSLATED = (ipaddress.ip_network("2002::/16"),  # 6to4
              ipaddress.ip_network("64:ff9b::/96"),  # NAT64, well-known prefix
              ipaddress.ip_network("64:ff9b:1::/48"))  # NAT64, local use


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in TRANSLATED):
            return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


def numeric_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` spells as numbers, None for a host name.

    Read as getaddrinfo and browsers read it, not only as dotted quads: `2130706433`,
    `0x7f000001`, `0177.0.0.1`, `127.1` and `0` all name an address (the C library's
    `inet_aton`, which getaddrinfo uses, does the parsing), and one trailing dot is
    ignored."""
    host = host.removesuffix(".")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    # inet_aton stops at white space and ignores the rest; such a host is no address.
    if not host or not host.isascii() or any(char.isspace() for char in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_public_url(url: str) -> None:
    """Refuse URLs that are not http(s) or name a non-public IP address (in any spelling)
    or `localhost`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("only http:// and https:// addresses can be added")
    host = parts.hostname.lower()
    name = host.removesuffix(".")
    if name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        raise FeedError(f"{host} is not a public address")
    address = numeric_address(host)
    if address is None:
        return  # a host name: checked again when it is resolved
    if not is_public_address(str(address)):
        raise FeedError(f"{host} is not a public address")


class PublicResolver(AbstractResolver):
    """Resolves like the default resolver, then refuses any non-public address."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not is_public_address(result["host"]):
                raise OSError(f"{host} resolves to a non-public address")
        return results

    async def close(self) -> None:
        await self._inner.close()


_COMMON: dict[str, Any] = {
    "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    "auto_decompress": False,  # we decompress ourselves, bounded by max_bytes
}


def public_session() -> aiohttp.ClientSession:
    """A session that reaches public addresses only (with `fetch(..., public_only=True)`
    every hop is checked too); call inside the running event loop."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=20, resolver=PublicResolver()), **_COMMON)


def open_sessions() -> tuple[aiohttp.ClientSession, aiohttp.ClientSession]:
    """(trusted, public-only) sessions; call inside the running event loop."""
    trusted = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20), **_COMMON)
    return trusted, public_session()


@dataclass
class _Progress:
    """How far the body of the current answer got (None: no answer yet)."""

    received: int | None = None


async def _read_limited(response: aiohttp.ClientResponse, limit: int,
                        progress: _Progress) -> bytes:
    declared = response.content_length
    if declared is not None and declared > limit:
        raise FeedError(f"body larger than the {limit // (1024 * 1024)} MB limit")
    chunks: list[bytes] = []
    progress.received = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        progress.received += len(chunk)
        if progress.received > limit:
            raise FeedError(f"body larger than the {limit // (1024 * 1024)} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo gzip/deflate without ever holding more than `limit` decompressed bytes."""
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FeedError(f"unsupported content encoding {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(body, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise FeedError(f"body larger than the {limit // (1024 * 1024)} MB limit "
                            "once decompressed")
        return out + inflater.flush()
    except zlib.error as exc:
        if encoding == "deflate":  # some servers send raw deflate without the zlib header
            try:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = inflater.decompress(body, limit + 1)
                if len(out) <= limit and not inflater.unconsumed_tail:
                    return out
            except zlib.error:
                pass
        raise FeedError(f"broken {encoding} body: {exc}") from None


async def fetch_file(url: str, limit: int) -> Fetched:
    path = Path(url2pathname(urlsplit(url).path))

    def read() -> bytes:
        if not path.is_file():
            raise FeedError(f"file not found: {path}")
        if path.stat().st_size > limit:
            raise FeedError(f"file larger than the {limit // (1024 * 1024)} MB limit")
        return path.read_bytes()

    return Fetched(body=await asyncio.to_thread(read), final_url=url)


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    public_only: bool = False,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> Fetched:
    """GET `url` with retries; raises `FeedError` with a one-line reason on failure."""
    if url.startswith("file:"):
        if public_only:
            raise FeedError("file: addresses are only allowed in the operator's feeds file")
        return await fetch_file(url, limits.max_bytes)
    attempt = 0
    while True:
        try:
            return await _fetch_once(session, url, etag, last_modified, public_only, limits)
        except _RetryableError as exc:
            attempt += 1
            if attempt > limits.retries:
                raise FeedError(str(exc)) from None
            await asyncio.sleep(limits.backoff * 2 ** (attempt - 1))


class _RetryableError(Exception):
    """A failure worth another try: a 5xx answer or a timeout."""


async def _fetch_once(
    session: aiohttp.ClientSession, url: str, etag: str | None, last_modified: str | None,
    public_only: bool, limits: FetchLimits,
) -> Fetched:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(total=limits.total_timeout,
                                    sock_connect=limits.connect_timeout)
    current = url
    progress = _Progress()
    try:
        async with asyncio.timeout(limits.total_timeout):
            for _hop in range(limits.max_redirects + 1):
                if public_only:
                    check_public_url(current)
                async with session.get(current, headers=headers, allow_redirects=False,
                                       timeout=timeout) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        location = response.headers.get("Location")
                        if not location:
                            raise FeedError(f"HTTP {response.status} without a Location")
                        current = urljoin(current, location)
                        continue
                    if response.status == 304:
                        return Fetched(body=None, etag=etag, last_modified=last_modified,
                                       final_url=current)
                    status = f"HTTP {response.status} {response.reason or ''}".strip()
                    if response.status >= 500:
                        raise _RetryableError(status)
                    if response.status != 200:
                        raise FeedError(status)
                    raw = await _read_limited(response, limits.max_bytes, progress)
                    body = decompress(raw, response.headers.get("Content-Encoding"),
                                      limits.max_bytes)
                    return Fetched(
                        body=body,
                        content_type=response.headers.get("Content-Type"),
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                        final_url=current,
                    )
            raise FeedError(f"more than {limits.max_redirects} redirects")
    except TimeoutError:
        if progress.received is not None:
            # The server answers, but trickles: another try would take as long again, so
            # the feed gives up within one time budget instead of one per retry.
            raise FeedError(f"too slow: {progress.received} bytes arrived in "
                            f"{limits.total_timeout:g} s") from None
        raise _RetryableError(f"no answer within {limits.total_timeout:g} s") from None
    except aiohttp.ClientConnectorError as exc:
        raise FeedError(f"cannot connect: {exc.os_error or exc}") from None
    except aiohttp.ClientError as exc:
        raise _RetryableError(f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise FeedError(f"cannot connect: {exc}") from None
