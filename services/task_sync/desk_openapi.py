"""The OpenAPI part of issue 13's routes (availability, group policies, notices, held
replies, reports), merged into ``openapi.py``'s document."""

from __future__ import annotations

from typing import Any

import msgspec

from services.task_sync.application.notices import NoticeList
from services.task_sync.application.reports import Report
from services.task_sync.desk_api import AvailabilityIn, NoticesReadIn, PolicyIn
from services.task_sync.openapi_ops import also, op
from shared.domain.routing import AgentState, GroupPolicy


class NoticesMarked(msgspec.Struct):
    marked: int


TYPES = (AvailabilityIn, AgentState, PolicyIn, GroupPolicy, NoticeList, NoticesReadIn,
         NoticesMarked, Report)


def desk_paths() -> dict[str, Any]:

    user = (("user_id", "path", ""),)
    group = (("group_id", "path", ""),)
    held = (("task_id", "path", ""), ("comment_id", "path", ""))
    return {
        "/api/v1/me/availability": {
            "get": op("My availability and capacity", "AgentState"),
            "put": op("Set my availability (online, away, on_leave)", "AgentState",
                       body="AvailabilityIn")},
        "/api/v1/users/{user_id}/availability": {
            "get": also(op("A person's availability and capacity", "AgentState",
                             params=user), "403"),
            "put": also(op("Set a person's availability and capacity (admins; supervisors "
                             "for their groups' members)", "AgentState", body="AvailabilityIn",
                             params=user), "403")},
        "/api/v1/groups/{group_id}/policy": {
            "get": also(op("A group's routing mode, idle forwarding and SLA targets",
                             "GroupPolicy", params=group), "403"),
            "put": also(op("Set a group's policy (admins, the group's supervisors)",
                             "GroupPolicy", body="PolicyIn", params=group), "403")},
        "/api/v1/notices": {"get": op("My notices, newest first (forwards, missed "
                                       "deadlines, closing windows), and how many are unread",
                                       "NoticeList", params=(("limit", "query", ""),))},
        "/api/v1/notices/read": {"post": op("Mark my notices read: ids, or all=true",
                                            "NoticesMarked", body="NoticesReadIn")},
        "/api/v1/tasks/{task_id}/comments/{comment_id}": {
            "delete": also(op("Withdraw a held reply before it goes out", "Comment",
                                params=held), "403", "409")},
        "/api/v1/reports": {"get": _report(also(op(
            "Per manager and group over a period: chats, first-response and resolution "
            "median/p90, SLA compliance, forwards (format=csv for CSV)", "Report",
            params=(("since", "query", ""), ("until", "query", ""), ("group_id", "query", ""),
                    ("format", "query", ""))), "403"))},
    }


def _report(op: dict[str, Any]) -> dict[str, Any]:
    """The report also comes as CSV; a period that ends before it starts is refused (422)."""
    op["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    op["responses"]["422"] = {"$ref": "#/components/responses/Invalid"}
    return op
