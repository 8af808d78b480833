"""Child processes for the multi-process tests: started with `python -m MODULE`, their
output read as it comes, killed at the end whatever happened."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from tests.conftest import REPO


class Child:
    """One `python -m MODULE ARGS...`; `wait_for(prefix)` waits for an output line."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._open_streams = 2
        assert process.stdout is not None
        assert process.stderr is not None
        self._readers = [asyncio.create_task(self._read(stream))
                         for stream in (process.stdout, process.stderr)]

    @classmethod
    async def start(cls, name: str, module: str, *args: str, env: dict[str, str]) -> Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args, cwd=REPO, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return cls(name, process)

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._changed.notify_all()
        async with self._changed:
            self._open_streams -= 1
            self._changed.notify_all()

    def saw(self, fragment: str) -> bool:
        return any(fragment in line for line in self.lines)

    async def wait_for(self, fragment: str, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Until a line containing `fragment` was printed; AssertionError with the output
        when it was not within `timeout` seconds or the process ended first."""
        async def seen() -> None:
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self.saw(fragment) or self._open_streams == 0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seen(), timeout)
        if not self.saw(fragment):
            raise AssertionError(f"{self.name} did not print {fragment!r}\n{self.output()}")

    def output(self) -> str:
        return f"--- {self.name} (pid {self.process.pid}) ---\n" + "\n".join(self.lines[-60:])

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await asyncio.gather(*self._readers, return_exceptions=True)
