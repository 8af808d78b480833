"""The sender's HTTP client: a `telegram.request.BaseRequest` over aiohttp.

PTB's default `HTTPXRequest` spends most of a send's CPU time in httpx; at 30 messages a
second on a busy machine that time delays the sends themselves, and the pacer counts a send
until its answer came (bot/delivery/pacing.py), so a slower client is a slower broadcast.
aiohttp (already what the webhook server and the feed fetcher run on) parses HTTP in C.
Timeouts become `TimedOut`, every other client error `NetworkError`, as with HTTPXRequest.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """`pool_size` connections at most; `timeout` seconds for connecting and for reading
    an answer (and for a free connection)."""

    def __init__(self, *, pool_size: int = 8, timeout: float = 10.0) -> None:
        self.pool_size = pool_size
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            files = request_data.multipart_data
            body = dict(request_data.json_parameters)
            if files:
                form = aiohttp.FormData(body)
                for name, (filename, content, mimetype) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                body = form
        read = self.timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self.timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        timeout = aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect,
                                        sock_read=read)
        try:
            async with self._session.request(method, url, data=body,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
