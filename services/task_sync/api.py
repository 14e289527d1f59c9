"""The operator REST API under /api/v1: tasks (listing, the card, status, claim, assign,
reopen) and scenarios. Every task route goes through the role rules (application/access.py)."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import tasks as use_cases
from services.task_sync.application.commands import (
    AssignTask,
    ChangeStatus,
    ClaimTask,
    ReopenTask,
)
from services.task_sync.application.flows import legacy_scenarios, replace_scenarios_as_flow
from services.task_sync.application.task_actions import assign_task, claim_task, reopen_task
from services.task_sync.application.task_card import task_card
from services.task_sync.auth import current_actor, require_admin
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.openapi import openapi_document
from services.task_sync.schemas import AssignIn, ScenariosIn, TaskPatch


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", get_openapi)
    app.router.add_get("/api/v1/tasks", list_tasks)
    app.router.add_get("/api/v1/tasks/{task_id}", get_task)
    app.router.add_patch("/api/v1/tasks/{task_id}", patch_task)
    app.router.add_post("/api/v1/tasks/{task_id}/claim", claim)
    app.router.add_post("/api/v1/tasks/{task_id}/assign", assign)
    app.router.add_post("/api/v1/tasks/{task_id}/reopen", reopen)
    app.router.add_get("/api/v1/scenarios", get_scenarios)
    app.router.add_put("/api/v1/scenarios", put_scenarios)


def _int(request: web.Request, name: str, default: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= high:
        raise problem(400, "bad_query", f"{name} must be an integer from 0 to {high}")
    return int(raw)


async def get_openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document())


async def list_tasks(request: web.Request) -> web.Response:
    """The tasks the caller may see, by status, assignee and group, newest change first."""
    deps = request.app[DEPS]
    actor = current_actor(request)
    assignee = request.query.get("assignee")
    if assignee == "me":
        assignee = actor.user.id
    found = await deps.tasks.find_tasks(
        status=request.query.get("status"), assignee_user_id=assignee,
        assignee_group_id=request.query.get("group"),
        limit=_int(request, "limit", 100, 500), offset=_int(request, "offset", 0, 1_000_000),
        viewer=None if actor.viewer.role == "admin" else actor.viewer)
    return json_response({"items": found})


async def get_task(request: web.Request) -> web.Response:
    return json_response(await task_card(request.app[DEPS], current_actor(request).viewer,
                                         request.match_info["task_id"]))


async def patch_task(request: web.Request) -> web.Response:
    body = await read_body(request, TaskPatch)
    return json_response(await use_cases.change_status(request.app[DEPS], ChangeStatus(
        task_id=request.match_info["task_id"], status=body.status,
        actor=current_actor(request))))


async def claim(request: web.Request) -> web.Response:
    return json_response(await claim_task(request.app[DEPS], ClaimTask(
        task_id=request.match_info["task_id"], actor=current_actor(request))))


async def assign(request: web.Request) -> web.Response:
    body = await read_body(request, AssignIn)
    return json_response(await assign_task(request.app[DEPS], AssignTask(
        task_id=request.match_info["task_id"], actor=current_actor(request),
        user_id=body.user_id, group_id=body.group_id)))


async def reopen(request: web.Request) -> web.Response:
    return json_response(await reopen_task(request.app[DEPS], ReopenTask(
        task_id=request.match_info["task_id"], actor=current_actor(request))))


async def get_scenarios(request: web.Request) -> web.Response:
    """Deprecated (issue 12): the default flow's first level as flat scenarios."""
    return json_response(await legacy_scenarios(request.app[DEPS]))


async def put_scenarios(request: web.Request) -> web.Response:
    """Deprecated (issue 12): publish a default flow built from the scenarios under the
    current greeting; bot-router picks it up without a restart."""
    require_admin(request)
    body = await read_body(request, ScenariosIn)
    return json_response(await replace_scenarios_as_flow(request.app[DEPS],
                                                         current_actor(request), body.items))
