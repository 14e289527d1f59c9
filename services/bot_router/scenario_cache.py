"""The bot's scenarios, cached in memory; reloaded on ``scenarios.changed`` or after a TTL."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from shared.domain.scenarios import ScenarioSet


class ScenarioCache:
    """A ``ScenarioSource`` in front of ``load`` (the store's read of the current set)."""

    def __init__(self, load: Callable[[], Awaitable[ScenarioSet]], ttl_s: float = 30.0) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._set: ScenarioSet | None = None
        self._loaded_at = 0.0

    async def get(self) -> ScenarioSet:
        if self._set is None or time.monotonic() - self._loaded_at > self._ttl_s:
            self._set = await self._load()
            self._loaded_at = time.monotonic()
        return self._set

    def invalidate(self) -> None:
        self._set = None
