"""The OpenAPI part of the console's inbox and live updates (issue 9): the lists with their
counts, read markers, and the Server-Sent Events stream (see CONSOLE_API.md)."""

from __future__ import annotations

from typing import Any

from services.task_sync.openapi_ops import gone, param

_ANY = {"content": {"application/json": {"schema": {"type": "object"}}}}
_UNAUTHENTICATED = {"$ref": "#/components/responses/Unauthenticated"}
_BAD_QUERY = {"$ref": "#/components/responses/BadRequest"}


def _listing(summary: str, *names: str) -> dict[str, Any]:
    return {"summary": summary, "parameters": [param(n, "query") for n in names],
            "responses": {"200": {"description": "OK", **_ANY}, "400": _BAD_QUERY,
                          "401": _UNAUTHENTICATED}}


def _events() -> dict[str, Any]:
    resume = ("The id of the last event received: the events after it are sent first, "
              "from the last minutes this replica kept; when it is older, the stream begins "
              "with `event: reset` (reload what you show)")
    return {
        "summary": "Live updates of the tasks you may see (Server-Sent Events: task.created, "
                   "task.updated, comment.added, comment.updated, notice, sla.breached, reset)",
        "parameters": [
            {"name": "Last-Event-ID", "in": "header", "required": False,
             "schema": {"type": "string"},
             "description": resume + "; EventSource sends it by itself when it reconnects"},
            {"name": "last_event_id", "in": "query", "required": False,
             "schema": {"type": "string"},
             "description": resume + "; for a client that opens a new stream after its "
                            "EventSource gave up (a 502/503 during a failover). The header "
                            "wins when both are sent"}],
        "responses": {"200": {"description": "The stream", "content": {
            "text/event-stream": {"schema": {"type": "string"}}}},
            "401": _UNAUTHENTICATED}}


def live_paths() -> dict[str, Any]:
    """The inbox lists, their counts, the seen marker and the event stream."""
    return {
        "/api/v1/inbox": {"get": _listing(
            "One inbox list (view: mine, queue, all, closed), newest activity (or due) first; "
            "a page of tasks with the next page's cursor", "view", "sort", "status",
            "provider", "channel_id", "assignee", "q", "text", "limit", "before")},
        "/api/v1/inbox/counts": {"get": _listing("The count of each inbox list and its unread")},
        "/api/v1/tasks/{task_id}/seen": {"post": gone(
            "I have seen the task's messages up to now (its unread marker goes)",
            (("task_id", "path", ""),))},
        "/api/v1/events": {"get": _events()},
    }
