"""The inbox through the API: lists with counts, filters and search, and read marks."""

from __future__ import annotations

from typing import get_args

from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import inbox as use_cases
from services.task_sync.auth import current_actor
from services.task_sync.http_json import json_response, problem
from shared.domain.inbox import View


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/inbox", list_inbox)
    app.router.add_get("/api/v1/inbox/counts", inbox_counts)
    app.router.add_post("/api/v1/tasks/{task_id}/seen", mark_seen)


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit", "50")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 200:
        raise problem(400, "bad_query", "limit must be an integer from 1 to 200")
    return int(raw)


async def list_inbox(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    view = request.query.get("view", "mine")
    if view not in get_args(View):
        raise problem(400, "bad_query", f"view must be one of {', '.join(get_args(View))}")
    sort = request.query.get("sort", "activity")
    if sort not in ("activity", "due"):
        raise problem(400, "bad_query", "sort must be activity or due")
    q = request.query.get("q", "").strip()
    if len(q) > 100:
        raise problem(400, "bad_query", "q is longer than 100 characters")
    query = use_cases.query_for(
        deps, current_actor(request).viewer, view,  # type: ignore[arg-type]
        status=request.query.get("status") or None,
        provider=request.query.get("provider") or None,
        channel_id=request.query.get("channel_id") or None,
        assignee_user_id=request.query.get("assignee") or None,
        search=q or None, limit=_limit(request), sort=sort,
        before=use_cases.parse_cursor(request.query.get("before")))
    page = await use_cases.list_page(deps, query, text_search=request.query.get("text") == "1")
    return json_response(page)


async def inbox_counts(request: web.Request) -> web.Response:
    return json_response(await use_cases.counts(request.app[DEPS],
                                                current_actor(request).viewer))


async def mark_seen(request: web.Request) -> web.Response:
    await use_cases.mark_seen(request.app[DEPS], current_actor(request).viewer,
                              request.match_info["task_id"])
    return web.Response(status=204)
