"""A tiny feed server on 127.0.0.1 for sync tests: static routes plus misbehaving ones."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/octet-stream"
    status: int = 200
    etag: bool = True
    gzip: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """Serve `routes[path]`; count requests; a few built-in misbehaviours."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.not_modified: int = 0
        self.fail_next: dict[str, list[int]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.custom: dict[str, Callable[[web.Request], object]] = {}

    def set(self, path: str, body: bytes | str, content_type: str = "application/octet-stream",
            **options: object) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, **options)
        return f"{self.url}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        if path in self.custom:
            return await self.custom[path](request)  # type: ignore[no-any-return,misc]
        failures = self.fail_next.get(path)
        if failures:
            return web.Response(status=failures.pop(0), text="server trouble")
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="not found")
        headers = dict(route.headers)
        if route.etag:
            tag = '"' + hashlib.sha1(route.body).hexdigest() + '"'  # noqa: S324 - not security
            if request.headers.get("If-None-Match") == tag:
                self.not_modified += 1
                return web.Response(status=304, headers={"ETag": tag})
            headers["ETag"] = tag
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = route.content_type
        return web.Response(status=route.status, body=body, headers=headers)


async def hang(_request: web.Request) -> web.Response:
    await asyncio.sleep(3600)
    return web.Response(text="never")


CONTENT_TYPES = {".jsonld": "application/ld+json", ".json": "application/json",
                 ".xml": "application/rss+xml", ".ics": "text/calendar", ".csv": "text/csv"}


def serve_directory(server: FeedServer, folder: Path, *, gzip_bodies: bool = False) -> int:
    """Serve every feed file of `folder` at /<name>; returns how many."""
    count = 0
    for path in sorted(folder.iterdir()):
        if path.suffix in CONTENT_TYPES:
            server.set(f"/{path.name}", path.read_bytes(), CONTENT_TYPES[path.suffix],
                       gzip=gzip_bodies)
            count += 1
    return count


def make_feeds(*args: str) -> None:
    """Run ../shared/tools/make_feeds.py with `args` (skips the test when shared/ is absent)."""
    tool = SHARED / "tools" / "make_feeds.py"
    if not tool.exists():
        import pytest

        pytest.skip(f"{tool} is missing: the shared tools folder must sit beside the repository")
    subprocess.run([sys.executable, str(tool), *args], check=True, capture_output=True)


def trickle(body: bytes, every: float = 0.1) -> Callable[[web.Request], object]:
    """A route that answers at once, then sends `body` one byte every `every` seconds."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/ld+json"})
        await response.prepare(request)
        for byte in body:
            await response.write(bytes([byte]))
            await asyncio.sleep(every)
        await response.write_eof()
        return response

    return handler
