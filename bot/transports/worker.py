"""The worker: the one process that runs the scheduled jobs and the outbox sender.

In a deployment with webhook processes (which run no background work) exactly one worker is
active; more can run as hot standbys. Each waits for the worker lock (`bot.transports.leader`),
and the one that gets it runs the same `Application` as every other transport, with
`background=True` and without receiving updates (no polling, no webhook): `running()` opens it,
`on_startup` schedules the jobs (feed sync, digests, broadcast progress) and starts the sender,
`Application.start()` starts the job queue, and leaving `running()` stops all of it.

When the active worker dies its lock goes with it, and a standby is active within about
`poll` seconds plus its start-up. Being the only sender, the active worker takes back at
start every message its predecessor had claimed but not settled (`exclusive`), so the
messages in flight at a crash (at most the sender's `concurrency`) are sent again at once
(the one case where a message can go twice).

Usage (the CLI's `python -m bot worker`):

    asyncio.run(run(settings, i18n))   # until SIGTERM or SIGINT
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator

from telegram.error import InvalidToken

from bot.app import build_application, running
from bot.config import ConfigError, Settings
from bot.context import TakasApplication
from bot.i18n import I18n
from bot.transports.leader import DEFAULT_POLL, Leadership, leadership_for

log = logging.getLogger(__name__)

OnActive = Callable[[TakasApplication], Awaitable[None] | None]

FAILURE_PAUSE = 5.0  # s before trying again after a failed start (doubling, up to MAX)
MAX_FAILURE_PAUSE = 60.0


async def run(
    settings: Settings,
    i18n: I18n,
    *,
    stop: asyncio.Event | None = None,
    poll: float = DEFAULT_POLL,
    on_active: OnActive | None = None,
    leadership: Leadership | None = None,
) -> None:
    """Stand by until this process holds the worker lock, then run the background work
    until `stop` is set (SIGTERM or SIGINT when `stop` is None).

    `on_active(application)` is called (and awaited if it returns an awaitable) each time
    this process has become the active worker and its jobs and sender are running.
    `leadership` replaces the lock chosen from DATABASE_URL (tests).

    If the lock is lost while active (its file deleted, the database connection gone), the
    work stops and the worker stands by again. If starting fails (Telegram or the database
    unreachable), the lock is given up, so a standby can try, and this process tries again
    after a pause. A rejected token raises `InvalidToken`; no token raises `ConfigError`.
    """
    if settings.bot_token is None:
        raise ConfigError("BOT_TOKEN is not set: the worker sends messages through Telegram")
    leader = leadership or leadership_for(settings.database_url, poll=poll)
    with _stop_on_signals(stop) as stop_event:
        failures = 0
        while not stop_event.is_set():
            if not await leader.try_acquire():
                log.info("worker standby: another worker holds the %s", leader.describe())
                if not await leader.acquire(stop_event):
                    break
            log.info("worker elected: starting the jobs and the sender")
            lost: bool | None = None
            try:
                lost = await _serve(settings, i18n, leader, stop_event, on_active)
            except InvalidToken:
                raise
            except Exception:
                log.exception("the worker failed")
            finally:
                await leader.release()  # before any pause: a standby may do better
            if lost is None:
                failures += 1
                pause = min(MAX_FAILURE_PAUSE, FAILURE_PAUSE * 2 ** (failures - 1))
                log.warning("worker standing by again in %.0f s", pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), pause)
                continue
            failures = 0
            if lost:
                log.warning("worker lock lost (%s): stopped the work, standing by again",
                            leader.describe())
    log.info("worker stopped")


async def _serve(
    settings: Settings,
    i18n: I18n,
    leader: Leadership,
    stop: asyncio.Event,
    on_active: OnActive | None,
) -> bool:
    """Run the background work while the lock is held; True if it was lost, False when
    `stop` was set."""
    application = build_application(settings, i18n, background=True)
    # No other sender runs while we hold the lock: every row still `sending` belongs to a
    # dead predecessor and is taken back at start, not only after it goes stale.
    application.bot_data.sender.exclusive = True
    application.bot_data.search.freeze_snapshots()  # a long-running process
    async with running(application):
        log.info("worker active")
        if on_active is not None:
            result = on_active(application)
            if inspect.isawaitable(result):
                await result
        return await leader.wait_lost(stop)


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event | None) -> Iterator[asyncio.Event]:
    """`stop` itself, or a new event that SIGTERM and SIGINT set for the block's duration."""
    if stop is not None:
        yield stop
        return
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, event.set)
            installed.append(signum)
    try:
        yield event
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
