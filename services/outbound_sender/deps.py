"""What outbound-sender's handlers need, passed explicitly."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from services.outbound_sender.gateway import GatewayClient
from shared.bus import Bus
from shared.config import OutboundSenderSettings
from shared.errors import PermanentError
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount, Provider
from shared.store import channels
from shared.store.mongo import Database


@dataclass
class ChannelStates:
    """Channel states (from the gateways' channel webhooks), cached for a few seconds."""

    db: Database
    ttl_s: float = 30.0
    _cache: dict[str, tuple[float, dict[str, Any] | None]] = field(default_factory=dict)

    async def state(self, channel_id: str) -> str | None:
        now = time.monotonic()
        hit = self._cache.get(channel_id)
        if hit is None or now - hit[0] > self.ttl_s:
            hit = (now, await channels.get(self.db, channel_id))
            self._cache[channel_id] = hit
        doc = hit[1]
        return str(doc["state"]) if doc and "state" in doc else None

    def learn(self, channel_id: str, state: str) -> None:
        """A channel.updated event: take the new state at once, without waiting for the TTL."""
        self._cache[channel_id] = (time.monotonic(), {"state": state})


@dataclass(frozen=True)
class Deps:
    db: Database
    bus: Bus
    gateway: GatewayClient
    accounts: dict[str, GatewayAccount]
    settings: OutboundSenderSettings
    channel_states: ChannelStates
    media_hosts: frozenset[str]

    def gateway_for(self, provider_name: str) -> tuple[Provider, GatewayAccount]:
        provider = REGISTRY.get(provider_name)
        account = self.accounts.get(provider_name)
        if provider is None or account is None:
            raise PermanentError(f"no gateway configured for provider {provider_name!r}",
                                 code="NO_GATEWAY")
        return provider, account
