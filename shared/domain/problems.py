"""What a gateway sent that no task could hold (a message naming no sender), kept for people."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    at: datetime
    provider: str
    channel_id: str
    reason: str
    gateway_message_id: str | None = None
    raw_type: str | None = None
    detail: str | None = None
