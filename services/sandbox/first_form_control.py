"""``/sandbox/first-form/*``: a person's side of the sandbox's First Form, for tests and for
trying it by hand: write a comment as a manager (a reply, files), change a task's state, look at
the tasks with their fields and feeds, arm failures, shorten or expire login tokens."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from aiohttp import web

from services.sandbox.first_form_world import Failure, World
from services.sandbox.keys import STATE

Key = web.AppKey[World]


class ManagerComment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``media_ids`` name files uploaded with ``POST /sandbox/media``."""

    task_id: int
    text: str = ""
    author_id: int = 101
    reply_to: int | None = None
    media_ids: list[str] = []


class StateChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    task_id: int
    state: str  # a state's name or id


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        content_type="application/json")


def _bad(reason: str) -> web.Response:
    return _json({"error": reason}, status=400)


def add_routes(app: web.Application, key: Key) -> None:
    def world(request: web.Request) -> World:
        return request.app[key]

    async def tasks(request: web.Request) -> web.Response:
        """WhatsApp tasks (newest first) with fields by name, state, performers and feed;
        ``?chat_id=`` keeps one chat's."""
        w = world(request)
        chat = request.query.get("chat_id")
        found = [t for t in w.tasks.values() if t.subcat_id == 1001
                 and (chat is None or t.ext.get(503) == chat)]
        return _json([_shown(w, t) for t in sorted(found, key=lambda t: -t.id)])

    async def comment(request: web.Request) -> web.Response:
        try:
            spec = msgspec.json.decode(await request.read(), type=ManagerComment)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return _bad(f"invalid comment: {exc}")
        w = world(request)
        if spec.task_id not in w.tasks or spec.author_id not in w.users:
            return _bad("unknown task_id or author_id")
        file_ids = []
        for media_id in spec.media_ids:
            stored = request.app[STATE].files.get(media_id)
            if stored is None:
                return _bad(f"no file {media_id} (upload it with POST /sandbox/media)")
            file_ids.append(w.add_file(stored.file_name, stored.mime_type, stored.content).id)
        made = w.add_comment(spec.task_id, spec.author_id, spec.text, spec.reply_to, file_ids)
        return _json({"id": made.id, "task_id": made.task_id, "file_ids": made.file_ids})

    async def state(request: web.Request) -> web.Response:
        try:
            spec = msgspec.json.decode(await request.read(), type=StateChange)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return _bad(f"invalid state change: {exc}")
        w = world(request)
        task = w.tasks.get(spec.task_id)
        if task is None:
            return _bad("unknown task_id")
        states = w.states_of(task.subcat_id)
        found = next((sid for sid, name in states.items()
                      if name == spec.state or str(sid) == spec.state), None)
        if found is None:
            return _bad(f"state must be one of {sorted(states.values())}")
        task.state_id = found
        return _json(_shown(w, task))

    async def fail(request: web.Request) -> web.Response:
        try:
            spec = msgspec.json.decode(await request.read(), type=Failure)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return _bad(f"invalid failure: {exc}")
        w = world(request)
        w.failures = [f for f in w.failures if f.path != spec.path]
        if spec.count > 0:
            w.failures.append(spec)
        return _json(w.failures)

    async def tokens(request: web.Request) -> web.Response:
        """``{"ttl_seconds": n}`` for tokens issued from now on; ``{"expire": true}`` ends the
        current ones (the next call answers 401). Answers how many logins happened."""
        body = msgspec.json.decode(await request.read() or b"{}")
        w = world(request)
        if isinstance(body, dict) and body.get("ttl_seconds") is not None:
            w.token_ttl_s = float(body["ttl_seconds"])
        if isinstance(body, dict) and body.get("expire"):
            w.tokens.clear()
        return _json({"logins": w.logins, "ttl_seconds": w.token_ttl_s})

    app.router.add_get("/sandbox/first-form/tasks", tasks)
    app.router.add_post("/sandbox/first-form/comment", comment)
    app.router.add_post("/sandbox/first-form/state", state)
    app.router.add_post("/sandbox/first-form/fail", fail)
    app.router.add_post("/sandbox/first-form/tokens", tokens)


def _shown(w: World, task: Any) -> dict[str, Any]:
    fields = w.fields_of(task.subcat_id)
    return {
        "id": task.id, "text": task.text, "state": w.states_of(task.subcat_id).get(task.state_id),
        "fields": {fields[k][0]: v for k, v in task.ext.items() if k in fields},
        "performers": [w.users.get(u, str(u)) for u in task.performers],
        "groups": [w.groups.get(g, str(g)) for g in task.groups],
        "files": [_file(w, f) for f in task.file_ids],
        "comments": [{
            "id": c.id, "author": w.users.get(c.author_id, str(c.author_id)),
            "author_id": c.author_id, "text": c.text, "reply_to": c.thread_id,
            "files": [_file(w, f) for f in c.file_ids]}
            for c in sorted(w.comments.values(), key=lambda c: c.id) if c.task_id == task.id]}


def _file(w: World, file_id: int) -> dict[str, Any]:
    file = w.files[file_id]
    return {"id": file.id, "name": file.name, "size": len(file.content),
            "sha256": hashlib.sha256(file.content).hexdigest()}
