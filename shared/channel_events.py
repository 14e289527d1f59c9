"""The channels' part of ``shared.events``'s catalogue, kept here so that each module stays
small: what ingest tells task-sync about a company number besides its messages."""

from __future__ import annotations

from datetime import datetime

from shared.message_parts import Envelope


class ChannelWebhookSeen(Envelope, frozen=True, kw_only=True, tag="channel.webhook_seen"):
    """An ingest replica accepted a webhook of this channel at ``at`` (its newest; reported at
    most every 30 s per channel and replica, so task-sync keeps the newest of all replicas)."""

    provider: str
    channel_id: str
    at: datetime
    replica: str = ""
