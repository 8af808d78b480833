"""Helpers for the Mini App's tests: the real Application over the fake Bot API with the
Mini App served beside it (as `run` does) on a free port, and a client that signs
initData the way Telegram does."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.app import build_application, running
from bot.config import Settings
from bot.context import TakasApplication
from bot.i18n import I18n
from bot.transports.web import LocalSite
from bot.web.auth import sign_init_data


def init_data(token: str, user_id: int, *, first_name: str = "Ona",
              language_code: str = "en", auth_date: int | None = None) -> str:
    user = json.dumps({"id": user_id, "first_name": first_name,
                       "language_code": language_code})
    return sign_init_data({"auth_date": str(auth_date or int(time.time())),
                           "query_id": "AAH-test", "user": user}, token)


@dataclass
class Response:
    status: int
    body: Any  # parsed JSON, else bytes
    headers: dict[str, str]


@dataclass
class WebClient:
    base: str
    http: aiohttp.ClientSession
    token: str
    application: TakasApplication
    site: LocalSite

    def auth(self, user_id: int | None, **user: Any) -> dict[str, str]:
        if user_id is None:
            return {}
        return {"Authorization": f"tma {init_data(self.token, user_id, **user)}"}

    async def call(self, method: str, path: str, user_id: int | None = None, *,
                   body: Any = None, headers: dict[str, str] | None = None,
                   raw: bytes | None = None, **user: Any) -> Response:
        all_headers = {**self.auth(user_id, **user), **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode()
                                             if body is not None else None)
        async with self.http.request(method, self.base + path, data=data,
                                     headers=all_headers, allow_redirects=False) as response:
            content = await response.read()
            parsed: Any = content
            if response.content_type == "application/json":
                parsed = json.loads(content)
            return Response(response.status, parsed, dict(response.headers))

    async def get(self, path: str, user_id: int | None = None, **kwargs: Any) -> Response:
        return await self.call("GET", path, user_id, **kwargs)

    async def post(self, path: str, user_id: int | None = None, **kwargs: Any) -> Response:
        return await self.call("POST", path, user_id, **kwargs)

    async def delete(self, path: str, user_id: int | None = None, **kwargs: Any) -> Response:
        return await self.call("DELETE", path, user_id, **kwargs)


@asynccontextmanager
async def served(settings: Settings, i18n: I18n, token: str, *,
                 sync: bool = True) -> AsyncIterator[WebClient]:
    """The bot (polling the fake) with the Mini App served beside it."""
    application = build_application(settings, i18n)
    async with running(application, polling=True):
        if sync:
            assert all(report.ok for report in await application.bot_data.catalog.sync())
        site = LocalSite(application, "127.0.0.1", 0)
        base = await site.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield WebClient(base, http, token, application, site)
        finally:
            await site.stop()
