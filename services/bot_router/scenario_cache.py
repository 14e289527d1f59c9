"""The bot's scenarios, cached in memory; reloaded on ``scenarios.changed`` or after a TTL."""

from __future__ import annotations

import time

from shared.store import scenarios
from shared.store.mongo import Database


class ScenarioCache:
    def __init__(self, db: Database, ttl_s: float = 30.0) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._set: scenarios.ScenarioSet | None = None
        self._loaded_at = 0.0

    async def get(self) -> scenarios.ScenarioSet:
        if self._set is None or time.monotonic() - self._loaded_at > self._ttl_s:
            self._set = await scenarios.load(self._db)
            self._loaded_at = time.monotonic()
        return self._set

    def invalidate(self) -> None:
        self._set = None
