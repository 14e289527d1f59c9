"""The OpenAPI 3.1 document of the operator API; schemas come from the msgspec Structs."""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from shared.store import comments, directory, scenarios, tasks


def _op(summary: str, ok: str, *, body: str | None = None, status: str = "200",
        params: tuple[tuple[str, str, str], ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [{"name": n, "in": where, "required": where == "path",
                        "schema": {"type": "string"}} for n, where, _ in params],
        "responses": {
            status: {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{ok}"}}}},
            "401": {"$ref": "#/components/responses/Unauthenticated"},
        },
    }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}}}}
        op["responses"]["422"] = {"$ref": "#/components/responses/Invalid"}
    if any(where == "path" for _, where, _ in params):
        op["responses"]["404"] = {"$ref": "#/components/responses/NotFound"}
    return op


class TaskList(msgspec.Struct):
    items: list[tasks.Task]


class CommentList(msgspec.Struct):
    items: list[comments.Comment]


class Problem(msgspec.Struct):
    error: str
    reason: str


@cache
def openapi_document() -> dict[str, Any]:
    from services.task_sync.api import CommentIn, ScenariosIn, TaskPatch

    types = (tasks.Task, TaskList, comments.Comment, CommentList, CommentIn, TaskPatch,
             scenarios.ScenarioSet, ScenariosIn, directory.User, Problem)
    _, components = msgspec.json.schema_components(
        types, ref_template="#/components/schemas/{name}")
    task_id = (("task_id", "path", ""),)
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "wabridge operator API", "version": "1",
                 "description": "Tasks made from WhatsApp chats, their comments, and the bot."},
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/me": {"get": _op("The calling user", "User")},
            "/api/v1/tasks": {"get": _op(
                "List tasks, newest activity first", "TaskList",
                params=(("status", "query", ""), ("assignee", "query", "user id or 'me'"),
                        ("group", "query", ""), ("limit", "query", ""), ("offset", "query", "")))},
            "/api/v1/tasks/{task_id}": {
                "get": _op("One task", "Task", params=task_id),
                "patch": _op("Change the status (closing ends the chat's dialogue)", "Task",
                             body="TaskPatch", params=task_id)},
            "/api/v1/tasks/{task_id}/comments": {
                "get": _op("The task's comments in order", "CommentList", params=task_id),
                "post": _op("A manager's comment, sent to the customer's WhatsApp prefixed with "
                            "the manager's full name; Idempotency-Key header honoured",
                            "Comment", body="CommentIn", status="201", params=task_id)},
            "/api/v1/scenarios": {
                "get": _op("The bot's scenarios", "ScenarioSet"),
                "put": _op("Replace the scenarios (admins); the bot uses them at once",
                           "ScenarioSet", body="ScenariosIn")},
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Unauthenticated": {"description": "Missing or invalid API token", **err},
                "NotFound": {"description": "No such item", **err},
                "Invalid": {"description": "The body is not valid", **err},
            },
        },
    }
