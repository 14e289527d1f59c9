"""What outbound-sender's handlers need, passed explicitly."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from services.outbound_sender.ports import (
    ChannelStateLookup,
    DeadLetters,
    FileStore,
    Gateway,
    Publisher,
    SendLedger,
)
from services.outbound_sender.queue_marks import QueueMarks
from services.outbound_sender.report_marks import ReportMarks
from shared.channels_config import ChannelConfig, for_chat
from shared.config import OutboundSenderSettings
from shared.errors import PermanentError
from shared.events import ChatRef
from shared.providers import REGISTRY
from shared.providers.base import Provider
from shared.worker import RetryPolicy


@dataclass
class ChannelStates:
    """Channel states (from the gateways' channel webhooks), cached for a few seconds."""

    lookup: ChannelStateLookup
    # changes arrive as events (webhooks, the channel poll); the lookup is only a backstop
    ttl_s: float = 600.0
    _cache: dict[str, tuple[float, str | None]] = field(default_factory=dict)
    _changed_at: dict[str, datetime] = field(default_factory=dict)

    async def state(self, channel_id: str) -> str | None:
        now = time.monotonic()
        hit = self._cache.get(channel_id)
        if hit is None or now - hit[0] > self.ttl_s:
            hit = (now, await self.lookup.state(channel_id))
            self._cache[channel_id] = hit
        return hit[1]

    def learn(self, channel_id: str, state: str, at: datetime | None = None) -> bool:
        """A channel.updated event: take the new state at once, without waiting for the TTL,
        unless the gateway dated it before the state known (reports may arrive out of order).
        Returns whether it was taken."""
        known = self._changed_at.get(channel_id)
        if at is not None and known is not None and at < known:
            return False
        if at is not None:
            self._changed_at[channel_id] = at
        self._cache[channel_id] = (time.monotonic(), state)
        return True


@dataclass(frozen=True)
class Deps:
    sends: SendLedger
    files: FileStore
    bus: Publisher
    gateway: Gateway
    channels: list[ChannelConfig]
    settings: OutboundSenderSettings
    channel_states: ChannelStates
    media_hosts: frozenset[str]
    dead_letters: DeadLetters
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    report_marks: ReportMarks = field(default_factory=ReportMarks)
    # where each chat's queue stood when this process last looked (a wake at the mark takes
    # its send without reading the queue)
    queue_marks: QueueMarks = field(default_factory=QueueMarks)
    # who holds a send's lease: this process
    instance_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def gateway_for(self, chat: ChatRef) -> tuple[Provider, ChannelConfig]:
        """The gateway and connection a chat's messages leave through."""
        provider = REGISTRY.get(chat.provider)
        connection = for_chat(self.channels, chat.provider, chat.channel_id, chat.connection)
        if provider is None or connection is None:
            raise PermanentError(
                f"no {chat.provider} connection configured for channel {chat.channel_id} "
                f"(connection {chat.connection or 'unknown'})", code="NO_GATEWAY")
        return provider, connection
