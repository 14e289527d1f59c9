"""What the desk (routing, idle forwarding, SLA, the 24-hour window) keeps besides tasks:
durable timers, the facts reports are made of, and notices to people."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

FactKind = Literal["assigned", "response", "breach", "forwarded", "closed"]


class Timer(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A pending timer; ``id`` is its key (``sla:<task>``, ``idle:<task>``, ``drain:<group>``)."""

    id: str
    kind: str
    due_at: datetime
    task_id: str | None = None
    group_id: str | None = None
    user_id: str | None = None
    seq: int = 0  # how often it was armed: a fire finishes only the version it claimed
    attempts: int = 0  # claims since it was last armed (a handler that keeps failing backs off)


class Fact(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One thing that happened to a task, as the reports count it."""

    id: str
    kind: FactKind
    at: datetime
    task_id: str
    group_id: str | None = None
    user_id: str | None = None
    response_kind: str | None = None  # first | next
    business_s: float | None = None
    wall_s: float | None = None
    met: bool | None = None


class Notice(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Something a person is told: a task forwarded away from them, a deadline missed in their
    group, a 24-hour window about to close."""

    id: str
    user_id: str
    at: datetime
    kind: str  # task.forwarded | sla.breached | window.closing
    task_id: str
    text: str
    details: dict[str, Any] = {}
    read: bool = False  # the person has marked it read (the console's bell)
