"""Channel states, remembered for a while: every send checks its channel's transport, and a
state changes only when the gateway reports it (which passes through here and updates it)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from services.task_sync.application.ports import ChannelStates


class CachedChannels:
    """A ``ChannelStates`` that answers ``get`` from memory for ``ttl_s`` seconds."""

    def __init__(self, inner: ChannelStates, ttl_s: float = 30.0) -> None:
        self._inner = inner
        self._ttl_s = ttl_s
        self._seen: dict[str, tuple[float, dict[str, Any] | None]] = {}

    async def record_state(self, channel_id: str, provider: str, state: str,
                           tier: str | None, at: datetime,
                           transport: str | None = None) -> None:
        await self._inner.record_state(channel_id, provider, state, tier, at, transport)
        self._seen.pop(channel_id, None)

    async def record_webhook(self, channel_id: str, provider: str, at: datetime) -> None:
        # the cached state stays: a webhook's time changes nothing a send looks at
        await self._inner.record_webhook(channel_id, provider, at)

    async def get(self, channel_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self._seen.get(channel_id)
        if hit is None or now - hit[0] > self._ttl_s:
            hit = (now, await self._inner.get(channel_id))
            self._seen[channel_id] = hit
        return hit[1]

    async def all(self) -> list[dict[str, Any]]:
        return await self._inner.all()
