"""The inbox: a person's lists with their counts, a task's unread messages, and read marks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from services.task_sync.application.errors import Invalid, NotFound
from services.task_sync.application.views import task_summary
from services.task_sync.application.window import is_waba
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Viewer, can_see
from shared.domain.inbox import InboxQuery, View, unread
from shared.domain.tasks import Task

TEXT_SEARCH_DAYS = 30
VIEWS: tuple[View, ...] = ("mine", "queue", "all", "closed")
_OWN: tuple[View, ...] = ("mine", "queue")


class Page(msgspec.Struct, frozen=True, kw_only=True):
    items: list[dict[str, Any]]
    next: str | None


def query_for(deps: Deps, viewer: Viewer, view: View, **filters: Any) -> InboxQuery:
    statuses = deps.statuses
    if view == "all" and viewer.role == "manager":
        raise Invalid("bad_view", "the list of all tasks is for supervisors and admins")
    if filters.get("assignee_user_id") == "me":
        filters["assignee_user_id"] = viewer.user_id
    return InboxQuery(viewer=viewer, view=view, open_statuses=tuple(statuses.open),
                      closed_status=statuses.closed, **filters)


async def list_page(deps: Deps, query: InboxQuery, *, text_search: bool = False) -> Page:
    """One page of a list, each task with the unread count of the person asking."""
    if text_search and query.search and len(query.search.strip()) >= 3:
        since = events.utcnow() - timedelta(days=TEXT_SEARCH_DAYS)
        found = await deps.inbox.tasks_with_text(query.search, since)
        query = msgspec.structs.replace(query, search=None, task_ids=tuple(found))
    found_tasks = await deps.inbox.find(query)
    seen = await deps.inbox.seen_counts(query.viewer.user_id, [t.id for t in found_tasks])
    items = [task_summary(t, unread=unread(t.inbound_count, seen.get(t.id, 0)),
                          waba=await is_waba(deps, t.chat)) for t in found_tasks]
    last = found_tasks[-1] if len(found_tasks) == query.limit else None
    return Page(items=items, next=cursor_of(last, query.sort) if last else None)


def cursor_of(task: Task, sort: str = "activity") -> str:
    at = task.last_activity_at or task.created_at
    if sort == "due" and task.sla_due_at is not None:
        at = task.sla_due_at
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}|{task.id}"


def parse_cursor(raw: str | None) -> tuple[str, str] | None:
    if not raw:
        return None
    at, sep, task_id = raw.partition("|")
    if not sep or not task_id or len(at) != 27:
        raise Invalid("bad_cursor", "before must be a cursor from an earlier page")
    return at, task_id


COUNT_CAP = 1000  # a list's badge counts up to this; the console shows "999+" beyond


async def counts(deps: Deps, viewer: Viewer) -> dict[str, int | None]:
    """How many tasks each list holds (up to ``COUNT_CAP``, returned as ``cap``), and how
    many of mine and my queue have unread customer messages."""
    out: dict[str, int | None] = {}
    for view in VIEWS:
        if view == "all" and viewer.role == "manager":
            out[view] = None
            continue
        out[view] = await deps.inbox.count(query_for(deps, viewer, view, limit=1), COUNT_CAP)
    out["unread"] = await _unread_tasks(deps, viewer)
    out["cap"] = COUNT_CAP
    return out


async def _unread_tasks(deps: Deps, viewer: Viewer) -> int:
    mine: list[Task] = []
    for view in _OWN:
        mine += await deps.inbox.find(query_for(deps, viewer, view, limit=500))
    seen = await deps.inbox.seen_counts(viewer.user_id, [t.id for t in mine])
    return sum(1 for t in mine if unread(t.inbound_count, seen.get(t.id, 0)) > 0)


async def mark_seen(deps: Deps, viewer: Viewer, task_id: str) -> None:
    """The person has seen every message of the task up to now."""
    task = await deps.tasks.get_task(task_id)
    if task is None or not can_see(viewer, task):
        raise NotFound("not_found", f"no task {task_id}")
    await deps.inbox.mark_seen(viewer.user_id, task.id, task.inbound_count, events.utcnow())
