"""Past conversations as a replay reads them (issue 12): a task of the WhatsApp category and
its customer's messages in order. Pure types."""

from __future__ import annotations

from datetime import datetime

import msgspec


class PastMessage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One customer message: when, its text, a tapped button's payload, its content type."""

    at: datetime
    text: str
    payload: str | None = None
    kind: str = "text"


class PastConversation(msgspec.Struct, frozen=True, kw_only=True):
    task_id: str
    title: str
    created_at: datetime
    channel_id: str = ""
    messages: list[PastMessage] = []
