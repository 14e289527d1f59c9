"""The desk's part of ``shared.events``'s catalogue, kept here so that each module stays small:
what task-sync tells people (and other replicas) about deadlines and tasks that need them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.message_parts import Envelope


class SlaBreached(Envelope, frozen=True, kw_only=True, tag="sla.breached"):
    """A waiting customer's response deadline passed without an answer from us."""

    task_id: str
    kind: Literal["first", "next"]
    due_at: datetime
    group_id: str | None = None
    assignee_user_id: str | None = None


class DeskNotice(Envelope, frozen=True, kw_only=True, tag="desk.notice"):
    """People to tell something about a task (a forward, a missed deadline, a closing 24-hour
    window); every task-sync replica shows it on those people's consoles."""

    task_id: str
    kind: str
    user_ids: list[str]
    text: str
    details: dict[str, str] = {}
