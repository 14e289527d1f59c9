"""Signals to the customer's chat and what could not be placed: read marks when a manager
opens a chat, the typing indicator, reactions, the list of problems (messages naming no
sender), the message templates, and who a task's customer is (identifiers, links, merges).
Parsing and authorisation only; the rules are in ``application/messaging``,
``application/templates`` and ``application/identity_records``."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import identity_records, messaging, templates
from services.task_sync.auth import current_actor, current_user, current_viewer, require_admin
from services.task_sync.http_json import json_response, problem, read_body

MAX_PROBLEMS = 500


class ReactionIn(msgspec.Struct, forbid_unknown_fields=True):
    emoji: str


def routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/tasks/{task_id}/read", mark_read)
    app.router.add_post("/api/v1/tasks/{task_id}/typing", show_typing)
    app.router.add_put("/api/v1/tasks/{task_id}/comments/{comment_id}/reaction", react)
    app.router.add_delete("/api/v1/tasks/{task_id}/comments/{comment_id}/reaction", unreact)
    app.router.add_get("/api/v1/tasks/{task_id}/customer", task_customer)
    app.router.add_get("/api/v1/problems", list_problems)
    app.router.add_get("/api/v1/templates", list_templates)
    app.router.add_post("/api/v1/templates/refresh", refresh_templates)


async def mark_read(request: web.Request) -> web.Response:
    """The manager opened the chat: the customer's messages show as read (where supported)."""
    done = await messaging.mark_read(request.app[DEPS], current_viewer(request),
                                     request.match_info["task_id"])
    return json_response(msgspec.to_builtins(done), status=202)


async def show_typing(request: web.Request) -> web.Response:
    """The manager is typing (the console sends this at most every few seconds)."""
    done = await messaging.show_typing(request.app[DEPS], current_viewer(request),
                                       request.match_info["task_id"])
    return json_response(msgspec.to_builtins(done), status=202)


async def react(request: web.Request) -> web.Response:
    body = await read_body(request, ReactionIn)
    return await _react(request, body.emoji)


async def unreact(request: web.Request) -> web.Response:
    return await _react(request, "")


async def _react(request: web.Request, emoji: str) -> web.Response:
    comment = await messaging.react(request.app[DEPS], current_actor(request),
                                    request.match_info["task_id"],
                                    request.match_info["comment_id"], emoji)
    return json_response(msgspec.to_builtins(comment), status=201)


async def task_customer(request: web.Request) -> web.Response:
    """The task's customer across identifiers (``customer`` null when none is recorded)."""
    found = await identity_records.customer_of_task(
        request.app[DEPS], current_viewer(request), request.match_info["task_id"])
    if found is None:
        return json_response({"customer": None, "links": [], "merges": []})
    return json_response(msgspec.to_builtins(found))


async def list_problems(request: web.Request) -> web.Response:
    """Messages no task could hold, newest first (administrators)."""
    require_admin(request)
    raw = request.query.get("limit") or "100"
    if not (raw.isascii() and raw.isdigit()):
        raise problem(400, "bad_query", f"limit must be an integer from 0 to {MAX_PROBLEMS}")
    limit = min(int(raw), MAX_PROBLEMS)
    found = await request.app[DEPS].problems.recent(limit)
    return json_response({"items": [msgspec.to_builtins(p) for p in found]})


async def list_templates(request: web.Request) -> web.Response:
    """Templates as last listed (``?provider=``); ``refreshing`` when a new list was asked."""
    current_user(request)
    found = await templates.list_templates(request.app[DEPS],
                                           request.query.get("provider") or None)
    return json_response(msgspec.to_builtins(found))


async def refresh_templates(request: web.Request) -> web.Response:
    """Ask the gateways for their template lists now (administrators)."""
    require_admin(request)
    await templates.refresh(request.app[DEPS], request.query.get("provider", ""))
    return json_response({"refreshing": True}, status=202)
