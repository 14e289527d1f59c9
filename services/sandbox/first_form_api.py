"""The sandbox's First Form: the routes ``reference/first-form-api.md`` names, under
``/first-form`` (FIRST_FORM_URL=<sandbox>/first-form), answering in the shapes the reference
gives ([CODE]) or, where it marks them unconfirmed, in the shapes the adapter expects. Every
call is recorded like the gateways' (``provider`` ``first_form``), with passwords and file
contents left out.

The publications ``wa-comment``, ``wa-state`` and ``wa-assign`` do what the scripts described
in the README do on a real instance.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from services.sandbox import first_form_control
from services.sandbox.first_form_world import (
    CLOSED_STATES,
    LOGIN,
    PASSWORD,
    PAT,
    FfFile,
    FfTask,
    World,
)
from services.sandbox.recording import show_body

PREFIX = "/first-form"
WORLD = web.AppKey("sandbox_first_form", World)
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def _refusal(status: int, message: str, retry_after: float | None = None) -> web.Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    return web.json_response({"success": False, "message": message}, status=status,
                             headers=headers)


def guarded(handler: Handler, *, authenticated: bool = True) -> Handler:
    """Armed failures (before or after the effect), then the caller's token or PAT."""
    async def guard(request: web.Request) -> web.Response:
        world = request.app[WORLD]
        failure = world.take_failure(request.path)
        if failure is not None and not failure.after_effect:
            return _refusal(failure.status, "injected failure", failure.retry_after)
        if authenticated and not _authorized(request, world):
            return _refusal(401, "Unauthorized")
        response = await handler(request)
        if failure is not None:
            return _refusal(failure.status, "injected failure after the effect",
                            failure.retry_after)
        return response
    return guard


def _authorized(request: web.Request, world: World) -> bool:
    token = request.headers.get("1FormaAuth") or request.cookies.get("1FormaAuth")
    kind = "pat" if request.headers.get("1F-Pat") == PAT else (
        "token" if token and world.token_valid(str(token)) else None)
    if kind is not None:
        world.authorized_by[kind] = world.authorized_by.get(kind, 0) + 1
    return kind is not None


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"message": "body must be JSON"}',
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"message": "body must be an object"}',
                                 content_type="application/json")
    return body


def _task(world: World, task_id: Any) -> FfTask:
    task = world.tasks.get(int(task_id)) if str(task_id).isdigit() else None
    if task is None:
        raise web.HTTPNotFound(text='{"message": "task not found"}',
                               content_type="application/json")
    return task


async def login(request: web.Request) -> web.Response:
    body = await _body(request)
    show_body(request, {"login": body.get("login"), "password": "***"})
    if body.get("login") != LOGIN or body.get("password") != PASSWORD:
        return _refusal(401, "wrong login or password")
    token = request.app[WORLD].issue_token()
    return _json({"data": {"token": token, "accessToken": token}})


async def create_task(request: web.Request) -> web.Response:
    body, world = await _body(request), request.app[WORLD]
    subcat = body.get("subcatId")
    if subcat not in (1001, 1002):
        return _refusal(400, f"unknown subcatId {subcat}")
    fields = world.fields_of(subcat)
    ext = {int(p["id"]): str(p["value"]) for p in body.get("extParams") or []
           if isinstance(p, dict) and int(p.get("id", 0)) in fields}
    task = FfTask(id=world.new_id("task"), subcat_id=subcat, text=str(body.get("taskText", "")),
                  state_id=min(world.states_of(subcat)), ext=ext,
                  performers=list(body.get("performerIds") or []),
                  initiator_id=body.get("initiatorUserId"))
    world.tasks[task.id] = task
    return _json({"data": {"value": task.id, "performerId": None, "linkId": None,
                           "massResult": None}})


async def read_task(request: web.Request) -> web.Response:
    body, world = await _body(request), request.app[WORLD]
    task = _task(world, body.get("taskId"))
    states = world.states_of(task.subcat_id)
    return _json({"data": {
        "taskId": task.id,
        "mainParams": {"taskId": task.id, "subcatId": task.subcat_id, "taskText": task.text,
                       "stateId": task.state_id, "stateName": states.get(task.state_id)},
        "performers": [{"userId": u, "name": world.users.get(u, "")} for u in task.performers],
        "extParams": [{"id": k, "value": v} for k, v in task.ext.items()]}})


async def search(request: web.Request) -> web.Response:
    body, world = await _body(request), request.app[WORLD]
    subcat = int(request.match_info["subcat_id"])
    found = [t for t in world.tasks.values() if t.subcat_id == subcat
             and _state_matches(t, body.get("tasksState"))
             and all(_filter_matches(t, col, spec)
                     for col, spec in (body.get("filterModel") or {}).items())]
    found.sort(key=lambda t: t.id, reverse=True)
    start, end = int(body.get("startRow", 0)), int(body.get("endRow", 100))
    rows = [{"TaskId": t.id, "StateId": t.state_id,
             **{f"ExtParam{k}": v for k, v in t.ext.items()}} for t in found[start:end]]
    return _json({"data": {"rows": rows, "lastRow": len(found)}})


def _state_matches(task: FfTask, wanted: Any) -> bool:
    if wanted == "isOpened":
        return task.state_id not in CLOSED_STATES
    if wanted == "isClosed":
        return task.state_id in CLOSED_STATES
    return True


def _filter_matches(task: FfTask, column: str, spec: Any) -> bool:
    if not column.startswith("ExtParam") or not isinstance(spec, dict):
        return False
    value = task.ext.get(int(column.removeprefix("ExtParam") or 0), "")
    wanted = str(spec.get("filter", ""))
    if spec.get("type") == "contains":
        return wanted in "".join(ch for ch in value if ch.isdigit()) or wanted in value
    return value == wanted


async def states(request: web.Request) -> web.Response:
    subcat = int(request.match_info["subcat_id"])
    items = [{"id": sid, "name": name, "isActive": True}
             for sid, name in request.app[WORLD].states_of(subcat).items()]
    return _json({"data": items, "total": len(items)})


async def ext_params(request: web.Request) -> web.Response:
    subcat = int(request.query.get("subcatId", "0") or 0)
    return _json({"data": [
        {"extParamId": fid, "extParamName": name, "extParamType": kind, "isRequired": False}
        for fid, (name, kind) in request.app[WORLD].fields_of(subcat).items()]})


async def feed(request: web.Request) -> web.Response:
    world = request.app[WORLD]
    task = _task(world, request.match_info["task_id"])
    items: list[dict[str, Any]] = [{"type": "stateChange", "id": 0, "text": "Задача создана"}]
    for comment in sorted(world.comments.values(), key=lambda c: c.id):
        if comment.task_id != task.id:
            continue
        items.append({
            "type": "comment", "id": comment.id, "text": comment.text,
            "author": {"id": comment.author_id,
                       "name": world.users.get(comment.author_id, "")},
            "createdAt": comment.at, "threadCommentId": comment.thread_id,
            "files": [{"id": f, "name": world.files[f].name, "size": len(world.files[f].content),
                       "contentType": world.files[f].mime_type} for f in comment.file_ids]})
    return _json({"data": {"items": items}})


async def publication(request: web.Request) -> web.Response:
    alias, world = request.match_info["alias"], request.app[WORLD]
    body = await _body(request)
    task = _task(world, body.get("taskId"))
    if alias == "wa-comment":
        author = body.get("authorId")
        if author not in world.users:  # PostComment without a valid author fails
            return _refusal(500, "CommentAuthor is required")
        thread = body.get("threadCommentId")
        files = [world.preuploads.pop(str(p)) for p in body.get("preUploadedFileIds") or []
                 if str(p) in world.preuploads]
        for file in files:
            world.files[file.id] = file
        comment = world.add_comment(task.id, int(author), str(body.get("text", "")),
                                    int(thread) if thread else None, [f.id for f in files])
        return _json({"commentId": comment.id})
    if alias == "wa-state":
        if int(body.get("stateId", 0)) not in world.states_of(task.subcat_id):
            return _refusal(400, "unknown state")
        task.state_id = int(body["stateId"])
        return _json({"ok": True})
    if alias == "wa-assign":
        task.performers = [int(u) for u in body.get("userIds") or []]
        task.groups = [int(g) for g in body.get("groupIds") or []]
        return _json({"ok": True})
    return _refusal(404, f"no publication {alias}")


async def preupload(request: web.Request) -> web.Response:
    body, world = await _body(request), request.app[WORLD]
    try:
        content = base64.b64decode(str(body.get("fileData", "")), validate=True)
    except binascii.Error:
        return _refusal(400, "fileData is not base64")
    show_body(request, body | {"fileData": f"<{len(content)} bytes>"})
    name = str(body.get("fileName") or "file")
    file_id = world.new_id("file")
    world.preuploads[str(file_id)] = FfFile(id=file_id, name=name, content=content,
                                            mime_type=_mime_of(name))
    return _json({"data": [{"preUploadFileId": str(file_id)}]})


def _mime_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


async def attach_to_task(request: web.Request) -> web.Response:
    body, world = await _body(request), request.app[WORLD]
    task = _task(world, body.get("taskId"))
    file = world.preuploads.pop(str(body.get("preUploadedFileId")), None)
    if file is None:
        return _refusal(400, "no such preuploaded file")
    world.files[file.id] = file
    task.file_ids.append(file.id)
    return _json({"data": {"fileId": file.id}})


async def download(request: web.Request) -> web.Response:
    file_id = request.match_info["file_id"]
    file = request.app[WORLD].files.get(int(file_id)) if file_id.isdigit() else None
    if file is None:
        return _refusal(404, "file not found")
    return web.Response(body=file.content, content_type=file.mime_type.split(";")[0])


def add_routes(app: web.Application) -> None:
    app[WORLD] = World()
    r = app.router
    r.add_post(f"{PREFIX}/api/auth/token-v2", guarded(login, authenticated=False))
    r.add_post(f"{PREFIX}/api/tasks/create", guarded(create_task))
    r.add_post(f"{PREFIX}/api/tasks", guarded(read_task))
    r.add_post(f"{PREFIX}/api-core/datasource/subcat/{{subcat_id:\\d+}}/data", guarded(search))
    r.add_get(f"{PREFIX}/app/v1.0/api/subcategory/{{subcat_id:\\d+}}/states", guarded(states))
    r.add_get(f"{PREFIX}/api/admin/subcat/extparams", guarded(ext_params))
    r.add_get(f"{PREFIX}/app/v1.0/api/feeds/task/{{task_id}}", guarded(feed))
    r.add_post(f"{PREFIX}/app/v1.2/api/publications/action/{{alias}}", guarded(publication))
    r.add_post(f"{PREFIX}/api/files/preupload/base64", guarded(preupload))
    r.add_post(f"{PREFIX}/api/files/upload/PreUploadedFilesToTask", guarded(attach_to_task))
    r.add_get(f"{PREFIX}/api/files/download/{{file_id}}", guarded(download))
    first_form_control.add_routes(app, WORLD)
