"""Makes any attempt to reach a non-loopback address fail loudly during tests.

Installed by `tests/conftest.py` before any test runs: `socket.connect`, `connect_ex`,
`sendto` and name resolution refuse every address outside 127.0.0.0/8 and ::1, raising
`NetworkBlocked` with the address, so a test that would touch the internet fails at once
instead of hanging or, worse, passing because the network happened to be there.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


class NetworkBlockedError(RuntimeError):
    """A test tried to reach something other than this machine."""


_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        raise NetworkBlockedError(f"tests must not reach the network: {address!r}")
    # AF_UNIX paths (str/bytes) are local by definition.


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise NetworkBlockedError(f"tests must not resolve or reach {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(args[-1])
    return _real_sendto(self, data, *args)


def install() -> None:
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign, assignment]
    socket.socket.sendto = _sendto  # type: ignore[method-assign, assignment]
