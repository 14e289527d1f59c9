"""The operator REST API under /api/v1: tasks, comments, status changes, scenarios."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import tasks as use_cases
from services.task_sync.application.commands import ChangeStatus
from services.task_sync.application.comments import task_or_not_found
from services.task_sync.application.scenarios import replace_scenarios
from services.task_sync.auth import current_user, require_admin
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.openapi import openapi_document
from services.task_sync.schemas import ScenariosIn, TaskPatch


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
    found = await deps.tasks.find_tasks(
        status=request.query.get("status"), assignee_user_id=assignee,
        assignee_group_id=request.query.get("group"),
        limit=_int(request, "limit", 100, 500), offset=_int(request, "offset", 0, 1_000_000))
    return json_response({"items": found})


async def get_task(request: web.Request) -> web.Response:
    return json_response(await task_or_not_found(request.app[DEPS],
                                                 request.match_info["task_id"]))


async def patch_task(request: web.Request) -> web.Response:
    body = await read_body(request, TaskPatch)
    return json_response(await use_cases.change_status(request.app[DEPS], ChangeStatus(
        task_id=request.match_info["task_id"], status=body.status)))


async def get_scenarios(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPS].scenarios.load())


async def put_scenarios(request: web.Request) -> web.Response:
    """Replace the whole scenario set; bot-router picks it up without a restart."""
    require_admin(request)
    body = await read_body(request, ScenariosIn)
    return json_response(await replace_scenarios(request.app[DEPS], body.items))
