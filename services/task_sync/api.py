"""The operator REST API under /api/v1: tasks, comments, status changes, scenarios."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS, task_or_404
from services.task_sync.auth import current_user, require_admin
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.openapi import openapi_document
from services.task_sync.outbox import publish_status
from shared import events
from shared.errors import RetryableError
from shared.store import scenarios, tasks


class TaskPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: str


class ScenariosIn(msgspec.Struct, forbid_unknown_fields=True):
    items: list[scenarios.Scenario]


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", get_openapi)
    app.router.add_get("/api/v1/tasks", list_tasks)
    app.router.add_get("/api/v1/tasks/{task_id}", get_task)
    app.router.add_patch("/api/v1/tasks/{task_id}", patch_task)
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


async def get_task(request: web.Request) -> web.Response:
    return json_response(await task_or_404(request.app[DEPS], request.match_info["task_id"]))


async def patch_task(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    task = await task_or_404(deps, request.match_info["task_id"])
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
                                 fields={"status": body.status}, announce=True,
                                 if_status_in=[task.status])
    if updated is None:
        raise problem(409, "changed_meanwhile", "the task's status changed meanwhile; reload it")
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
