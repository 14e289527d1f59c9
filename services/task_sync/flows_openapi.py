"""The OpenAPI part of issue 12's routes (the bot's flows), merged into ``openapi.py``'s
document. Every operation is for administrators (403 otherwise)."""

from __future__ import annotations

from typing import Any

import msgspec

from services.task_sync.application.flows import DraftView, FlowKey, VersionItem
from services.task_sync.application.flows_run import SimulateIn
from services.task_sync.flows_api import HoursIn, PublishIn, ReplayIn
from services.task_sync.openapi_ops import also, gone, op
from shared.domain.flows import FlowAttachment, FlowSet, FlowVersion, Problem
from shared.domain.tasks import Statuses


class FlowList(msgspec.Struct):
    items: list[FlowKey]


class VersionList(msgspec.Struct):
    items: list[VersionItem]


class FlowProblems(msgspec.Struct, kw_only=True):
    """A refusal; a flow with problems (``error`` flow_invalid) lists every one of them."""

    error: str
    reason: str
    type: str | None = None
    title: str | None = None
    detail: str | None = None
    status: int | None = None
    problems: list[Problem] | None = None


class SimulationStep(msgspec.Struct, kw_only=True):
    """One message: the bot's replies (each also as numbered text), its effects (a look-up is
    only described), the node chosen and the state after; ``handed_over``: the chat was with
    people already, so the bot did nothing."""

    input: dict[str, Any]
    replies: list[dict[str, Any]]
    effects: list[dict[str, Any]]
    node_id: str | None
    state: dict[str, Any] | None
    open: bool | None
    handed_over: bool


class Simulation(msgspec.Struct, kw_only=True):
    key: str
    version: int | str | None
    steps: list[SimulationStep]


class ReplayDifference(msgspec.Struct, kw_only=True):
    index: int
    input: str
    live: list[str]
    draft: list[str]


class ReplayItem(msgspec.Struct, kw_only=True):
    task_id: str
    title: str
    at: str
    live_handed_over: bool
    draft_handed_over: bool
    differences: list[ReplayDifference]


class ReplayReport(msgspec.Struct, kw_only=True):
    key: str
    live_version: int | None
    version: int | str
    days: int
    compared: int
    differing: int
    items: list[ReplayItem]
    capped: dict[str, Any]


TYPES = (FlowSet, FlowVersion, DraftView, FlowList, VersionList, FlowProblems, PublishIn,
         HoursIn, SimulateIn, Simulation, ReplayIn, ReplayReport, FlowAttachment, Statuses)


def _flow_op(summary: str, ok: str, *, body: str | None = None, status: str = "200",
             params: tuple[tuple[str, str, str], ...] = (), codes: tuple[str, ...] = ()
             ) -> dict[str, Any]:
    """An admin's operation; ``codes``: its other refusals (404, 409, 422)."""
    found = also(op(summary, ok, body=body, status=status, params=params), "403",
                 *(c for c in codes if c == "409"))
    responses = found["responses"]
    if "404" in codes:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if "422" in responses or "422" in codes:
        responses["422"] = _problems("The body or the flow is not acceptable (a flow with "
                                     "problems lists every one)")
    return found


def _problems(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/FlowProblems"}}}}


def _yaml() -> dict[str, Any]:
    return {"application/yaml": {"schema": {"type": "string"}}}


def flows_paths() -> dict[str, Any]:
    key = (("key", "path", ""),)
    version = (("key", "path", ""), ("n", "path", ""))
    export = _flow_op("A flow as YAML: ?version=n, draft, or live (default)", "FlowSet",
                      params=(*key, ("version", "query", "")))
    export["responses"]["200"] = {"description": "The flow set as YAML", "content": {
        "application/yaml": {"schema": {"$ref": "#/components/schemas/FlowSet"}}}}
    imported = _flow_op("Import YAML as the key's draft (422 names where it is wrong)",
                        "DraftView", params=key, codes=("422",))
    imported["requestBody"] = {"required": True, "content": _yaml()}
    imported["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    imported["responses"]["413"] = _problems("The YAML is too large")
    replay = _flow_op("Run the last days' real conversations on the live flow and on a "
                      "draft or version; the ones that would differ", "ReplayReport",
                      body="ReplayIn", params=key)
    replay["responses"]["501"] = _problems("The task system keeps no chat history here")
    upload = _flow_op("Store a file for a bot answer (multipart, one part named file; checked "
                      "for type, size and content as a comment's files): what a node's "
                      "attachment holds", "FlowAttachment", status="201")
    upload["requestBody"] = {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}}}}}}
    for code, why in (("400", "Not one file part"), ("413", "The file is too large"),
                      ("415", "Not multipart, or a type not allowed or not matching")):
        upload["responses"][code] = {"description": why, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {
        "/api/v1/files": {"post": upload},
        "/api/v1/flows": {"get": _flow_op("The flow keys (default always), their live "
                                          "versions and drafts", "FlowList")},
        "/api/v1/flows/statuses": {"get": _flow_op(
            "The task system's statuses a node's set_status may name (publishing refuses "
            "any other); the closed one closes the task", "Statuses")},
        "/api/v1/flows/simulate": {"post": _flow_op(
            "Messages through a version, the draft or the live flow: the bot's replies and "
            "actions, with no side effects", "Simulation", body="SimulateIn",
            codes=("404",))},
        "/api/v1/flows/{key}/draft": {
            "get": _flow_op("The draft (else the live flow, else the scenarios' flow) and "
                            "its problems", "DraftView", params=key),
            "put": _flow_op("Save the draft, problems and all", "DraftView", body="FlowSet",
                            params=key),
            "delete": gone("Discard the draft", key, "403")},
        "/api/v1/flows/{key}/publish": {"post": _flow_op(
            "Publish the draft as the next version (422 lists its problems; 409 when "
            "published meanwhile or the draft changed since base_updated_at)", "FlowVersion",
            body="PublishIn", status="201", params=key, codes=("409",))},
        "/api/v1/flows/{key}/versions": {"get": _flow_op(
            "The published versions, newest first", "VersionList", params=key)},
        "/api/v1/flows/{key}/versions/{n}": {"get": _flow_op(
            "One published version", "FlowVersion", params=version)},
        "/api/v1/flows/{key}/versions/{n}/restore": {"post": _flow_op(
            "Publish a copy of version n as the next version", "FlowVersion", status="201",
            params=version, codes=("409", "422"))},
        "/api/v1/flows/{key}/export": {"get": export},
        "/api/v1/flows/{key}/import": {"post": imported},
        "/api/v1/flows/{key}/replay": {"post": replay},
        "/api/v1/flows/{key}/hours": {
            "get": _flow_op("The draft's business hours (null: always open)", "HoursIn",
                            params=key),
            "put": _flow_op("Set only the draft's business hours", "DraftView",
                            body="HoursIn", params=key)},
    }
