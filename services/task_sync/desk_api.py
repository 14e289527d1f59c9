"""Routing, availability, deadlines and held replies through the API (issue 13)."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import availability as use_cases
from services.task_sync.application import held, notices
from services.task_sync.application.views import comment_view
from services.task_sync.auth import current_actor
from services.task_sync.http_json import json_response, problem, read_body
from shared.domain.calendar import BusinessCalendar
from shared.domain.routing import Availability, ChannelTargets, GroupPolicy, Mode


class AvailabilityIn(msgspec.Struct, forbid_unknown_fields=True):
    availability: Availability | None = None
    # admins and supervisors: open tasks at most (null: no limit; absent: unchanged)
    capacity: int | msgspec.UnsetType | None = msgspec.UNSET


class NoticesReadIn(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[str] | None = None
    all: bool = False


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    mode: Mode = "claim"
    idle_forward_minutes: float | None = None
    first_response_minutes: float | None = None
    next_response_minutes: float | None = None
    calendar: BusinessCalendar = BusinessCalendar()
    channels: dict[str, ChannelTargets] = {}


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/me/availability", my_availability)
    app.router.add_put("/api/v1/me/availability", set_my_availability)
    app.router.add_get("/api/v1/users/{user_id}/availability", user_availability)
    app.router.add_put("/api/v1/users/{user_id}/availability", set_user_availability)
    app.router.add_get("/api/v1/groups/{group_id}/policy", group_policy)
    app.router.add_put("/api/v1/groups/{group_id}/policy", set_group_policy)
    app.router.add_get("/api/v1/notices", list_notices)
    app.router.add_post("/api/v1/notices/read", mark_notices_read)
    app.router.add_delete("/api/v1/tasks/{task_id}/comments/{comment_id}", cancel_held)


def _state(state: Any) -> dict[str, Any]:
    return {"user_id": state.user_id, "availability": state.availability,
            "capacity": state.capacity}


async def my_availability(request: web.Request) -> web.Response:
    actor = current_actor(request)
    return json_response(_state(await use_cases.availability_of(request.app[DEPS], actor,
                                                                actor.user.id)))


async def set_my_availability(request: web.Request) -> web.Response:
    actor = current_actor(request)
    return await _set(request, actor.user.id)


async def user_availability(request: web.Request) -> web.Response:
    return json_response(_state(await use_cases.availability_of(
        request.app[DEPS], current_actor(request), request.match_info["user_id"])))


async def set_user_availability(request: web.Request) -> web.Response:
    return await _set(request, request.match_info["user_id"])


async def _set(request: web.Request, user_id: str) -> web.Response:
    body = await read_body(request, AvailabilityIn)
    if body.capacity is not msgspec.UNSET and body.capacity is not None and not (
            0 <= body.capacity <= 10_000):
        raise problem(422, "invalid_body", "capacity must be between 0 and 10000")
    state = await use_cases.set_availability(
        request.app[DEPS], current_actor(request), user_id, availability=body.availability,
        capacity=body.capacity)
    return json_response(_state(state))


async def group_policy(request: web.Request) -> web.Response:
    return json_response(await use_cases.policy_of(request.app[DEPS], current_actor(request),
                                                   request.match_info["group_id"]))


async def set_group_policy(request: web.Request) -> web.Response:
    body = await read_body(request, PolicyIn)
    try:
        policy = GroupPolicy(group_id=request.match_info["group_id"],
                             **msgspec.structs.asdict(body))
    except ValueError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    return json_response(await use_cases.save_policy(request.app[DEPS], current_actor(request),
                                                     policy))


async def list_notices(request: web.Request) -> web.Response:
    raw = request.query.get("limit", "50")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 200:
        raise problem(400, "bad_query", "limit must be an integer from 1 to 200")
    return json_response(await notices.notices_of(request.app[DEPS], current_actor(request),
                                                  int(raw)))


async def mark_notices_read(request: web.Request) -> web.Response:
    """``{"ids": [...]}`` or ``{"all": true}``: my notices read; ``{"marked": n}``."""
    body = await read_body(request, NoticesReadIn)
    if body.all == (body.ids is not None):
        raise problem(422, "invalid_body", "send either ids or all=true")
    marked = await notices.mark_read(request.app[DEPS], current_actor(request),
                                     None if body.all else body.ids)
    return json_response({"marked": marked})


async def cancel_held(request: web.Request) -> web.Response:
    """Withdraw a held reply before the customer writes again."""
    deps = request.app[DEPS]
    comment = await held.cancel(deps, current_actor(request), request.match_info["task_id"],
                                request.match_info["comment_id"])
    return json_response(comment_view(comment, await deps.tasks.attachments_of_comment(
        comment.id)))
