"""The OpenAPI part of read marks, typing, reactions, problems and templates (issue 11)."""

from __future__ import annotations

from typing import Any

import msgspec

from services.task_sync.openapi_ops import also, op
from shared.domain.identities import Customer, IdentityLink, Merge
from shared.domain.templates import Template


class Signalled(msgspec.Struct):
    sent: bool
    reason: str | None = None


class ReactionIn(msgspec.Struct):
    emoji: str


class ProblemList(msgspec.Struct):
    items: list[dict[str, Any]]


class TemplateList(msgspec.Struct):
    items: list[Template]
    refreshing: bool


class Refreshing(msgspec.Struct):
    refreshing: bool


class TaskCustomer(msgspec.Struct):
    customer: Customer | None
    links: list[IdentityLink]
    merges: list[Merge]


def messaging_paths() -> dict[str, Any]:
    """Read marks, typing, reactions and unplaceable messages (issue 11)."""
    task_id = (("task_id", "path", ""),)
    comment = (*task_id, ("comment_id", "path", ""))
    return {
        "/api/v1/tasks/{task_id}/read": {"post": op(
            "The manager opened the chat: the customer's messages show as read where the "
            "gateway can (Meta, chat-api) and WABRIDGE_READ_RECEIPTS allows",
            "Signalled", status="202", params=task_id)},
        "/api/v1/tasks/{task_id}/typing": {"post": op(
            "Show 'typing…' to the customer (Meta); the console sends it debounced",
            "Signalled", status="202", params=task_id)},
        "/api/v1/tasks/{task_id}/comments/{comment_id}/reaction": {
            "put": op("React with one emoji to a message of the chat (Meta); kept in the "
                       "task as a comment", "Comment", body="ReactionIn", status="201",
                       params=comment),
            "delete": op("Take the reaction back", "Comment", status="201", params=comment)},
        "/api/v1/tasks/{task_id}/customer": {"get": op(
            "Who the task's customer is across WhatsApp identifiers (phone, BSUID, username), "
            "every identifier linked with the message and reason that linked it, and the "
            "merges of customers found to be one; customer null when none is recorded",
            "TaskCustomer", params=task_id)},
        "/api/v1/problems": {"get": also(op(
            "Messages no task could hold (no usable sender), newest first (admins)",
            "ProblemList", params=(("limit", "query", ""),)), "403")},
        "/api/v1/templates": {"get": op(
            "Message templates as the gateways last listed them (name, language, category, "
            "status, parameters); an empty or hour-old list is fetched again "
            "(refreshing: true)", "TemplateList", params=(("provider", "query", ""),))},
        "/api/v1/templates/refresh": {"post": also(op(
            "Fetch the template lists now (admins)", "Refreshing", status="202",
            params=(("provider", "query", ""),)), "403")},
    }


TYPES = (Signalled, ReactionIn, ProblemList, TemplateList, Refreshing, TaskCustomer)
