"""The inbox: which tasks a person's lists hold, the latest activity of a task, and what they
have not read yet."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.domain.access import Viewer

View = Literal["mine", "queue", "all", "closed"]
PREVIEW_CHARS = 120
NOBODY = "none"  # the assignee filter's value for tasks no person has yet


class InboxQuery(msgspec.Struct, frozen=True, kw_only=True):
    """One page of one list, newest activity first."""

    viewer: Viewer
    view: View
    open_statuses: tuple[str, ...]
    closed_status: str
    status: str | None = None
    provider: str | None = None
    channel_id: str | None = None
    assignee_user_id: str | None = None
    search: str | None = None  # digits: the phone; other text: the contact's name or title
    task_ids: tuple[str, ...] | None = None  # only these (a message-text search found them)
    limit: int = 50
    before: tuple[str, str] | None = None  # (last activity stamp, task id) of the last row seen
    # "due": only tasks with a running response deadline, soonest first (``before`` then holds
    # the last row's deadline stamp)
    sort: Literal["activity", "due"] = "activity"


class Activity(msgspec.Struct, frozen=True, kw_only=True):
    """A message in a task: its time and preview, and whether the customer wrote it."""

    task_id: str
    at: datetime
    preview: str
    direction: str
    author_kind: str = ""  # customer | bot | user | participant | system ("": not known)
    inbound: int = 0
    inbound_at: datetime | None = None  # the newest customer message among them


def preview_of(text: str, content_type: str = "text") -> str:
    """The inbox line of a message: its text on one line, shortened, or its kind."""
    flat = " ".join(text.split())
    if not flat:
        return f"[{content_type}]"
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1] + "…"


def merge(items: list[Activity]) -> list[Activity]:
    """One activity per task: the newest preview, and every inbound message counted."""
    merged: dict[str, Activity] = {}
    for item in items:
        earlier = merged.get(item.task_id)
        if earlier is None:
            merged[item.task_id] = item
            continue
        newest = item if item.at >= earlier.at else earlier
        merged[item.task_id] = msgspec.structs.replace(
            newest, inbound=earlier.inbound + item.inbound,
            inbound_at=max((a for a in (earlier.inbound_at, item.inbound_at) if a), default=None))
    return list(merged.values())


def unread(inbound_count: int, seen_count: int) -> int:
    return max(0, inbound_count - seen_count)
