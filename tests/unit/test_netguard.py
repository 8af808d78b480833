"""No test can reach the internet: any non-loopback request fails loudly."""

from __future__ import annotations

import socket
import urllib.request

import aiohttp
import pytest

from tests.netguard import NetworkBlockedError


def test_urllib_to_a_public_host_is_refused() -> None:
    with pytest.raises(NetworkBlockedError, match=r"example\.com"):
        urllib.request.urlopen("http://example.com/", timeout=2)


def test_raw_socket_to_a_public_address_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"1\.1\.1\.1"):
        sock.connect(("1.1.1.1", 443))


def test_private_addresses_are_refused_too() -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect(("192.168.1.1", 80))


async def test_aiohttp_to_a_public_address_is_refused() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(NetworkBlockedError, match=r"93\.184\.216\.34"):
            await session.get("http://93.184.216.34/", timeout=aiohttp.ClientTimeout(total=2))


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
