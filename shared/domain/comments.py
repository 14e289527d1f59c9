"""Comments: every message of a dialogue, and the rules of their delivery status.

Delivery status only moves forward (queued < sent < delivered < read; failed is terminal for the
attempt, and a failure reported once the message was delivered is stale). ``waiting`` is queued
with a reason (a retry is scheduled).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared import events

DELIVERY_RANK = {"queued": 0, "waiting": 0, "sent": 1, "delivered": 2, "read": 3, "played": 3,
                 "failed": 4}
# a system note in a task's chat about the task itself (a hand-over, a status change): shown
# to people, never sent to WhatsApp, and kept out of a task system that records such changes
NOTICE = "notice"
# what a gateway's status report means for a comment (None: not a delivery step)
_GATEWAY_STATUS = {"error": "failed", "edited": None}


class Comment(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    task_id: str
    order: int
    at: datetime
    author_kind: events.AuthorKind
    direction: events.Direction
    text: str
    content_type: str = "text"
    author_user_id: str | None = None
    author_name: str | None = None
    sender_name: str | None = None
    sender_phone: str | None = None
    gateway_message_id: str | None = None
    send_id: str | None = None
    parts: int | None = None
    send_attempt: str | None = None
    template_id: str | None = None
    template_values: list[str] | None = None
    template_language: str | None = None
    reply_to_comment_id: str | None = None
    delivery: str | None = None
    delivery_rank: int | None = None
    failure_code: str | None = None
    failure_reason: str | None = None
    retry_at: datetime | None = None
    outbox: bool | None = None
    edited: bool | None = None
    deleted: bool | None = None
    current_text: str | None = None
    duplicate_of: str | None = None
    form: list[events.FormField] | None = None  # a submitted form's answers (WhatsApp Flows)
    pricing_category: str | None = None  # what the gateway bills the message as (Meta)


class Revision(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An edit or deletion made in WhatsApp; the comment keeps its original text."""

    id: str
    comment_id: str
    kind: Literal["edited", "deleted"]
    at: datetime
    text: str | None = None


def order_of(at: datetime) -> int:
    """Microseconds since the epoch: a sort key that keeps sub-millisecond order.

    BSON dates keep milliseconds only.
    """
    return int(at.timestamp() * 1_000_000)


def initial_delivery(direction: str, send_id: str | None) -> tuple[str, int] | None:
    """An outgoing comment's first delivery status: queued until our send succeeds, or already
    sent when it echoes a message an employee sent from elsewhere; None for incoming ones."""
    if direction != "out":
        return None
    status = "queued" if send_id else "sent"
    return status, DELIVERY_RANK[status]


def delivery_of_gateway_status(status: str) -> str | None:
    """The delivery status a gateway's report stands for, or None when it is not tracked."""
    mapped = _GATEWAY_STATUS.get(status, status)
    return mapped if mapped in DELIVERY_RANK else None
