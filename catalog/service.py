"""The catalog as the rest of the application sees it: open, register feeds, sync, close.

One `Catalog` per process, created with the application and opened at start-up (the HTTP
sessions need the running event loop), closed on shutdown.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.storage.db import Database
from catalog import store
from catalog.fetch import FetchLimits, open_sessions
from catalog.registry import DEMO_FEEDS_FILE, load_registry
from catalog.sync import CatalogSync, FeedReport, Listener


class Catalog:
    """Feeds and opportunities: the long-lived services behind them."""

    def __init__(self, db: Database, feeds_file: Path | None,
                 limits: FetchLimits | None = None) -> None:
        self.db = db
        self.feeds_file = feeds_file or DEMO_FEEDS_FILE
        self.limits = limits or FetchLimits()
        self.listeners: list[Listener] = []
        self._sync: CatalogSync | None = None

    @property
    def syncer(self) -> CatalogSync:
        if self._sync is None:
            raise RuntimeError("Catalog.open() has not been awaited")
        return self._sync

    async def open(self) -> None:
        if self._sync is None:
            trusted, public = open_sessions()
            self._sync = CatalogSync(self.db, trusted, public, limits=self.limits)
            self._sync.listeners = self.listeners

    async def close(self) -> None:
        if self._sync is not None:
            await self._sync.trusted.close()
            await self._sync.public.close()
            self._sync = None

    async def register_file_feeds(self, path: Path | None = None) -> int:
        """Load the operator's feeds file into the feeds table; returns the feed count."""
        specs = load_registry(path or self.feeds_file)
        async with self.db.transaction() as session:
            await store.register_file_feeds(session, specs)
        return len(specs)

    async def sync(self, names: Iterable[str] | None = None) -> list[FeedReport]:
        return await self.syncer.sync(names)
