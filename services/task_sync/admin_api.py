"""Administration through the API (admins only): dead-letter queues (list, inspect, replay,
purge) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import audit
from services.task_sync.application.console_ports import DeadLetters
from services.task_sync.auth import current_actor, require_admin
from services.task_sync.http_json import json_response, problem
from shared.dead_letters import RabbitDeadLetters
from shared.domain.audit import AuditEntry

DEAD_LETTERS = web.AppKey("dead_letters", DeadLetters)
PEEK_LIMIT = 100


def routes(app: web.Application, dead_letters: DeadLetters | None = None) -> None:
    app[DEAD_LETTERS] = dead_letters or RabbitDeadLetters()
    app.router.add_get("/api/v1/dead-letters", list_queues)
    app.router.add_get("/api/v1/dead-letters/{queue}", inspect_queue)
    app.router.add_post("/api/v1/dead-letters/{queue}/replay", replay)
    app.router.add_delete("/api/v1/dead-letters/{queue}", purge)
    app.router.add_get("/api/v1/audit", list_audit)


def _queue(request: web.Request) -> str:
    queue = request.match_info["queue"]
    if queue not in request.app[DEAD_LETTERS].queues():
        raise problem(404, "not_found", f"no work queue {queue}")
    return queue


def _limit(request: web.Request, default: int, high: int) -> int:
    raw = request.query.get("limit", str(default))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= high:
        raise problem(400, "bad_query", f"limit must be an integer from 1 to {high}")
    return int(raw)


async def list_queues(request: web.Request) -> web.Response:
    """Every work queue with the number of its dead letters."""
    require_admin(request)
    letters = request.app[DEAD_LETTERS]
    report = await letters.list(None, 0)
    counts = {name.split(".", 1)[1]: int(found.get("count", 0))
              for name, found in report.items()}
    return json_response({"items": [{"queue": q, "count": counts.get(q, 0)}
                                    for q in letters.queues()]})


async def inspect_queue(request: web.Request) -> web.Response:
    """The first dead letters of a queue, each with why it failed (nothing is removed)."""
    require_admin(request)
    queue = _queue(request)
    report = await request.app[DEAD_LETTERS].list(queue, _limit(request, 20, PEEK_LIMIT))
    items: list[dict[str, Any]] = []
    count = 0
    for found in report.values():
        count += int(found.get("count", 0))
        items += found.get("messages", [])
    return json_response({"queue": queue, "count": count, "items": items})


async def replay(request: web.Request) -> web.Response:
    """Put dead letters back on their work queue (``?id=`` one message, ``?limit=`` some)."""
    require_admin(request)
    queue = _queue(request)
    message_id = request.query.get("id") or None
    moved = await request.app[DEAD_LETTERS].replay(queue, _limit(request, 1_000_000, 1_000_000),
                                                   message_id)
    await audit.record(request.app[DEPS], current_actor(request), "dead_letters.replay",
                       "queue", queue, replayed=moved, message_id=message_id)
    return json_response({"replayed": moved})


async def purge(request: web.Request) -> web.Response:
    """Drop every dead letter of a queue."""
    require_admin(request)
    queue = _queue(request)
    purged = await request.app[DEAD_LETTERS].purge(queue)
    await audit.record(request.app[DEPS], current_actor(request), "dead_letters.purge",
                       "queue", queue, purged=purged)
    return json_response({"purged": purged})


def _time(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        at = msgspec.convert(raw, datetime)
    except msgspec.ValidationError:
        raise problem(400, "bad_query", f"{name} must be an ISO 8601 time with a zone, e.g. "
                      "2026-01-31T09:00:00Z") from None
    if at.tzinfo is None:
        raise problem(400, "bad_query", f"{name} needs a time zone (Z or +03:00)")
    return at


def _entry_view(entry: AuditEntry) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(entry)
    # the console's short forms
    out["actor"] = entry.actor_id
    out["target"] = f"{entry.target_kind} {entry.target_id}"
    return out


async def list_audit(request: web.Request) -> web.Response:
    """The audit log, newest first: ``actor`` (a user id or login), ``action`` (exact, or a
    prefix ending in '.'), ``since``/``until`` (ISO times), ``limit``."""
    require_admin(request)
    deps = request.app[DEPS]
    actor_id = request.query.get("actor") or None
    if actor_id and (by_login := await deps.accounts.user_by_login(actor_id.lower())):
        actor_id = by_login.id
    found = await audit.entries(deps, actor_id=actor_id,
                                action=request.query.get("action") or None,
                                since=_time(request, "since"), until=_time(request, "until"),
                                limit=_limit(request, 100, 1000))
    return json_response({"items": [_entry_view(e) for e in found]})
