"""The bot's flows over HTTP (issue 12), administrators only: drafts, publishing, versions,
restoring, YAML, business hours, the simulator and the replay. Each handler parses, checks
the role, and calls one use case (``application/flows.py``, ``application/flows_run.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import flows, flows_run
from services.task_sync.auth import current_actor, require_admin
from services.task_sync.http_json import json_response, problem, read_body
from shared.domain.calendar import BusinessCalendar
from shared.domain.flows import FlowSet

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_YAML_BYTES = 1_048_576


class PublishIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: str = ""
    base_updated_at: str | None = None


class HoursIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    hours: BusinessCalendar | None = None


class ReplayIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=flows_run.MAX_REPLAY_DAYS)] = 7
    version: flows_run.VersionNumber | Literal["draft"] = "draft"


def routes(app: web.Application) -> None:
    add = app.router
    add.add_get("/api/v1/flows", _admin(list_flows))
    add.add_get("/api/v1/flows/statuses", _admin(list_statuses))
    add.add_post("/api/v1/flows/simulate", _admin(simulate))
    add.add_get("/api/v1/flows/{key}/draft", _admin(get_draft))
    add.add_put("/api/v1/flows/{key}/draft", _admin(put_draft))
    add.add_delete("/api/v1/flows/{key}/draft", _admin(delete_draft))
    add.add_post("/api/v1/flows/{key}/publish", _admin(publish))
    add.add_get("/api/v1/flows/{key}/versions", _admin(list_versions))
    add.add_get("/api/v1/flows/{key}/versions/{n}", _admin(get_version))
    add.add_post("/api/v1/flows/{key}/versions/{n}/restore", _admin(restore))
    add.add_get("/api/v1/flows/{key}/export", _admin(export))
    add.add_post("/api/v1/flows/{key}/import", _admin(import_yaml))
    add.add_post("/api/v1/flows/{key}/replay", _admin(replay))
    add.add_get("/api/v1/flows/{key}/hours", _admin(get_hours))
    add.add_put("/api/v1/flows/{key}/hours", _admin(put_hours))


def flow_problem_response(exc: flows.FlowInvalid) -> web.Response:
    """422 listing every problem of the flow (RFC 9457 members plus our error/reason)."""
    return json_response({
        "type": "https://wabridge.dev/problems/flow-invalid",
        "title": "The flow has problems and cannot be published",
        "detail": exc.reason, "status": 422, "error": exc.error, "reason": exc.reason,
        "problems": exc.problems}, status=422)


def _admin(handler: Handler) -> Handler:
    """Administrators only (403 before the body is read); a flow with problems is a 422 body
    that lists them."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        require_admin(request)
        try:
            return await handler(request)
        except flows.FlowInvalid as exc:
            return flow_problem_response(exc)
    guarded.__doc__ = handler.__doc__
    return guarded


def _number(raw: str, what: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise problem(404, "not_found", f"no {what} {raw!r}")
    return int(raw)


async def read_flow(request: web.Request) -> FlowSet:
    """The body as a FlowSet: 400 when it is not JSON, 422 naming what does not fit."""
    try:
        return await read_body(request, FlowSet)
    except RecursionError:
        raise problem(422, "invalid_body", "the flow is nested too deeply") from None


async def list_flows(request: web.Request) -> web.Response:
    """Every flow key (``default`` always), its live version and whether it has a draft."""
    items = await flows.flow_keys(request.app[DEPS], current_actor(request))
    return json_response({"items": items})


async def list_statuses(request: web.Request) -> web.Response:
    """The statuses a node's ``set_status`` may choose from: the bot's, the managers', closed."""
    return json_response(await flows.known_statuses(request.app[DEPS], current_actor(request)))


async def get_draft(request: web.Request) -> web.Response:
    return json_response(await flows.read_draft(request.app[DEPS], current_actor(request),
                                                request.match_info["key"]))


async def put_draft(request: web.Request) -> web.Response:
    flows.checked_key(request.match_info["key"])
    body = await read_flow(request)
    return json_response(await flows.save_draft(request.app[DEPS], current_actor(request),
                                                request.match_info["key"], body))


async def delete_draft(request: web.Request) -> web.Response:
    await flows.discard_draft(request.app[DEPS], current_actor(request),
                              request.match_info["key"])
    return web.Response(status=204)


async def publish(request: web.Request) -> web.Response:
    body = await read_body(request, PublishIn) if await request.read() else PublishIn()
    published = await flows.publish_draft(request.app[DEPS], flows.PublishFlow(
        key=request.match_info["key"], actor=current_actor(request), note=body.note,
        base_updated_at=body.base_updated_at))
    return json_response(published, status=201)


async def list_versions(request: web.Request) -> web.Response:
    items = await flows.list_versions(request.app[DEPS], current_actor(request),
                                      request.match_info["key"])
    return json_response({"items": items})


async def get_version(request: web.Request) -> web.Response:
    return json_response(await flows.get_version(
        request.app[DEPS], current_actor(request), request.match_info["key"],
        _number(request.match_info["n"], "version")))


async def restore(request: web.Request) -> web.Response:
    restored = await flows.restore_version(
        request.app[DEPS], current_actor(request), request.match_info["key"],
        _number(request.match_info["n"], "version"))
    return json_response(restored, status=201)


def _which(raw: str | None) -> flows.Which:
    if raw is None or raw in ("", "live"):
        return None
    if raw == "draft":
        return "draft"
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    raise problem(400, "bad_query", "version must be a version number, draft or live")


async def export(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    text = await flows.export_yaml(request.app[DEPS], current_actor(request), key,
                                   _which(request.query.get("version")))
    return web.Response(text=text, content_type="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="flow-{key}.yaml"'})


async def import_yaml(request: web.Request) -> web.Response:
    flows.checked_key(request.match_info["key"])
    raw = await request.read()
    if len(raw) > MAX_YAML_BYTES:
        raise problem(413, "too_large", f"the YAML must be under {MAX_YAML_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise problem(400, "malformed_yaml", "the YAML must be UTF-8 text") from None
    return json_response(await flows.import_yaml(request.app[DEPS], current_actor(request),
                                                 request.match_info["key"], text))


async def get_hours(request: web.Request) -> web.Response:
    hours = await flows.read_hours(request.app[DEPS], current_actor(request),
                                   request.match_info["key"])
    return json_response({"hours": hours})


async def put_hours(request: web.Request) -> web.Response:
    """Replace the draft's business hours only (``{"hours": null}``: always open)."""
    flows.checked_key(request.match_info["key"])
    body = await read_body(request, HoursIn)
    return json_response(await flows.save_hours(request.app[DEPS], current_actor(request),
                                                request.match_info["key"], body.hours))


async def simulate(request: web.Request) -> web.Response:
    body = await read_body(request, flows_run.SimulateIn)
    return json_response(await flows_run.simulate(request.app[DEPS], current_actor(request),
                                                  body))


async def replay(request: web.Request) -> web.Response:
    body = await read_body(request, ReplayIn)
    return json_response(await flows_run.replay(
        request.app[DEPS], current_actor(request), request.match_info["key"], body.days,
        body.version, now=datetime.now().astimezone()))
