"""The operator REST API under /api/v1: tasks, comments, status changes, scenarios."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from services.task_sync.auth import current_user, require_admin
from services.task_sync.deps import Deps
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.openapi import openapi_document
from services.task_sync.outbox import publish_send, publish_status, send_command, signed
from shared import events
from shared.errors import RetryableError
from shared.store import comments, scenarios, tasks

DEPS = web.AppKey("deps", Deps)


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    reply_to: str | None = None

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("text must not be empty")
        if len(self.text) > 10_000:
            raise ValueError("text is longer than 10000 characters (WhatsApp's limit)")


class TaskPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: str


class ScenariosIn(msgspec.Struct, forbid_unknown_fields=True):
    items: list[scenarios.Scenario]


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", get_openapi)
    app.router.add_get("/api/v1/tasks", list_tasks)
    app.router.add_get("/api/v1/tasks/{task_id}", get_task)
    app.router.add_patch("/api/v1/tasks/{task_id}", patch_task)
    app.router.add_get("/api/v1/tasks/{task_id}/comments", list_comments)
    app.router.add_post("/api/v1/tasks/{task_id}/comments", post_comment)
    app.router.add_get("/api/v1/scenarios", get_scenarios)
    app.router.add_put("/api/v1/scenarios", put_scenarios)
    app.router.add_get("/api/v1/me", get_me)


def _int(request: web.Request, name: str, default: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= high:
        raise problem(400, "bad_query", f"{name} must be an integer from 0 to {high}")
    return int(raw)


async def get_openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document())


async def get_me(request: web.Request) -> web.Response:
    return json_response(current_user(request))


async def list_tasks(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    assignee = request.query.get("assignee")
    if assignee == "me":
        assignee = current_user(request).id
    found = await tasks.find(
        deps.db, status=request.query.get("status"), assignee_user_id=assignee,
        assignee_group_id=request.query.get("group"),
        limit=_int(request, "limit", 100, 500), offset=_int(request, "offset", 0, 1_000_000))
    return json_response({"items": found})


async def _task_or_404(deps: Deps, task_id: str) -> tasks.Task:
    task = await tasks.get(deps.db, task_id)
    if task is None:
        raise problem(404, "not_found", f"no task {task_id}")
    return task


async def get_task(request: web.Request) -> web.Response:
    return json_response(await _task_or_404(request.app[DEPS], request.match_info["task_id"]))


async def list_comments(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    task = await _task_or_404(deps, request.match_info["task_id"])
    return json_response({"items": await comments.of_task(deps.db, task.id)})


async def post_comment(request: web.Request) -> web.Response:
    """A manager's comment: recorded with an outbox flag, then sent to the customer's chat."""
    deps = request.app[DEPS]
    user = current_user(request)
    task = await _task_or_404(deps, request.match_info["task_id"])
    body = await read_body(request, CommentIn)
    if task.status == deps.settings.wabridge_status_closed:
        raise problem(409, "task_closed", "the task is closed; the customer's next message "
                      "opens a new one")
    reply_to_gateway_id = None
    if body.reply_to:
        target = await comments.get(deps.db, body.reply_to)
        if target is None or target.task_id != task.id:
            raise problem(422, "bad_reply_to", f"comment {body.reply_to} is not in this task")
        reply_to_gateway_id = target.gateway_message_id
    key = request.headers.get("Idempotency-Key")
    comment_id = events.derive_id("api-comment", user.id, key) if key else events.new_id()
    now = events.utcnow()
    comment = comments.Comment(
        id=comment_id, task_id=task.id, order=comments.order_of(now), at=now,
        author_kind="user", direction="out", text=body.text, author_user_id=user.id,
        author_name=user.full_name, send_id=events.derive_id("send", comment_id),
        reply_to_comment_id=body.reply_to, delivery="queued", delivery_rank=0, outbox=True)
    if not await comments.insert(deps.db, comment):
        existing = await comments.get(deps.db, comment_id)
        return json_response(existing, status=200)
    command = send_command(task, comment, signed(deps, user.full_name, body.text),
                           reply_to_gateway_id)
    published = await publish_send(deps, command)
    return json_response(msgspec.structs.replace(comment, outbox=None if published else True),
                         status=201)


async def patch_task(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    task = await _task_or_404(deps, request.match_info["task_id"])
    body = await read_body(request, TaskPatch)
    s = deps.settings
    allowed = (s.wabridge_status_bot, s.wabridge_status_manager, s.wabridge_status_closed)
    if body.status not in allowed:
        raise problem(422, "unknown_status", f"status must be one of {list(allowed)}")
    if task.status == s.wabridge_status_closed:
        raise problem(409, "task_closed", "a closed task stays closed; the customer's next "
                      "message opens a new one")
    if body.status == task.status:
        return json_response(task)
    updated = await tasks.update(deps.db, task.id, events.utcnow(),
                                 fields={"status": body.status}, announce=True)
    assert updated is not None
    await publish_status(deps, updated)
    return json_response(updated)


async def get_scenarios(request: web.Request) -> web.Response:
    return json_response(await scenarios.load(request.app[DEPS].db))


async def put_scenarios(request: web.Request) -> web.Response:
    """Replace the whole scenario set; bot-router picks it up without a restart."""
    require_admin(request)
    deps = request.app[DEPS]
    body = await read_body(request, ScenariosIn)
    try:
        new = await scenarios.replace(deps.db, body.items)
    except ValueError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    notice = events.ScenariosChanged(id=events.derive_id("scenarios", str(new.version)),
                                     correlation_id=events.new_id(),
                                     occurred_at=events.utcnow(), version=new.version)
    try:
        await deps.bus.publish(notice)
    except RetryableError:
        pass  # bot-router also reloads on a timer, so the change still lands within 30 s
    return json_response(new)


def error_body(exc: Exception) -> dict[str, Any]:
    return {"error": exc.__class__.__name__, "reason": str(exc)}
