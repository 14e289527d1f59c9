"""Comments of a task through the API: listing with attachments, a manager's comment (JSON, or
multipart with files), resending a failed one, and the revisions made in WhatsApp."""

from __future__ import annotations

import mimetypes
from typing import Any

import msgspec
from aiohttp import BodyPartReader, web

from services.task_sync.api_common import DEPS, task_or_404
from services.task_sync.auth import current_user
from services.task_sync.deps import Deps
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.outbox import publish_sends
from services.task_sync.sending import sends_for
from services.task_sync.windows import ensure_free_text_allowed
from shared import events
from shared.store import comments, files, revisions, tasks

MAX_FILES = 10


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str = ""
    reply_to: str | None = None

    def __post_init__(self) -> None:
        if len(self.text) > 10_000:
            raise ValueError("text is longer than 10000 characters (WhatsApp's limit)")


class AttachmentView(msgspec.Struct, omit_defaults=True):
    id: str
    file_name: str
    mime_type: str
    state: str
    url: str
    size: int | None = None
    reason: str | None = None


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/tasks/{task_id}/comments", list_comments)
    app.router.add_post("/api/v1/tasks/{task_id}/comments", post_comment)
    app.router.add_post("/api/v1/tasks/{task_id}/comments/{comment_id}/resend", resend)
    app.router.add_get("/api/v1/comments/{comment_id}/revisions", list_revisions)


def _view(comment: comments.Comment, attached: list[files.AttachmentRecord]) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(comment)
    out["attachments"] = [msgspec.to_builtins(AttachmentView(
        id=a.id, file_name=a.file_name, mime_type=a.mime_type, state=a.state, size=a.size,
        reason=a.reason, url=f"/api/v1/files/{a.id}")) for a in attached]
    return out


async def list_comments(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    task = await task_or_404(deps, request.match_info["task_id"])
    found = await comments.of_task(deps.db, task.id)
    by_comment: dict[str, list[files.AttachmentRecord]] = {}
    for record in await files.of_task(deps.db, task.id):
        by_comment.setdefault(record.comment_id, []).append(record)
    return json_response({"items": [_view(c, sorted(by_comment.get(c.id, []),
                                                     key=lambda a: a.id)) for c in found]})


async def _read_multipart(deps: Deps, request: web.Request, comment_id: str
                          ) -> tuple[CommentIn, list[files.AttachmentRecord]]:
    """Text, reply_to and files of a multipart comment; each file checked and stored."""
    settings = deps.settings
    fields: dict[str, str] = {}
    uploads: list[tuple[str, str, bytes]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise problem(400, "bad_multipart", "nested multipart bodies are not supported")
        if part.filename is None:
            fields[part.name or ""] = await part.text()
            continue
        if len(uploads) >= MAX_FILES:
            raise problem(413, "too_many_files", f"at most {MAX_FILES} files per comment")
        mime = (part.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if mime in ("", "application/octet-stream"):
            mime = mimetypes.guess_type(part.filename)[0] or "application/octet-stream"
        if mime not in settings.upload_mime_types:
            raise problem(415, "file_type_not_allowed",
                          f"{part.filename}: type {mime} is not allowed; allowed: "
                          f"{', '.join(sorted(settings.upload_mime_types))}")
        data = bytearray()
        while chunk := await part.read_chunk(256 * 1024):
            data += chunk
            if len(data) > settings.wabridge_upload_max_bytes:
                raise problem(413, "file_too_large", f"{part.filename} is over "
                              f"{settings.wabridge_upload_max_bytes} bytes")
        uploads.append((part.filename, mime, bytes(data)))
    try:
        body = msgspec.convert({k: v for k, v in fields.items() if k in ("text", "reply_to")},
                               CommentIn)
    except msgspec.ValidationError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    stored = []
    for index, (name, mime, content) in enumerate(uploads):
        file_id = events.derive_id("upload", comment_id, str(index))
        await files.put(deps.db, file_id, name, mime, content)
        stored.append(files.AttachmentRecord(
            id=file_id, comment_id=comment_id, task_id="", file_name=name, mime_type=mime,
            state="stored", size=len(content)))
    return body, stored


async def post_comment(request: web.Request) -> web.Response:
    """A manager's comment: recorded with an outbox flag, then sent to the customer's chat."""
    deps = request.app[DEPS]
    user = current_user(request)
    task = await task_or_404(deps, request.match_info["task_id"])
    key = request.headers.get("Idempotency-Key")
    comment_id = events.derive_id("api-comment", user.id, key) if key else events.new_id()
    if request.content_type.startswith("multipart/"):
        body, attached = await _read_multipart(deps, request, comment_id)
    else:
        body, attached = await read_body(request, CommentIn), []
    if not body.text.strip() and not attached:
        raise problem(422, "empty_comment", "a comment needs text or at least one file")
    if task.status == deps.settings.wabridge_status_closed:
        raise problem(409, "task_closed", "the task is closed; the customer's next message "
                      "opens a new one")
    await ensure_free_text_allowed(deps, task)
    reply_to_gateway_id = await _reply_target(deps, task, body.reply_to)
    now = events.utcnow()
    attached = [msgspec.structs.replace(a, task_id=task.id) for a in attached]
    for record in attached:
        await files.add_attachment(deps.db, record)
    comment = comments.Comment(
        id=comment_id, task_id=task.id, order=comments.order_of(now), at=now,
        author_kind="user", direction="out", text=body.text, author_user_id=user.id,
        author_name=user.full_name, send_id=events.derive_id("send", comment_id),
        reply_to_comment_id=body.reply_to, delivery="queued", delivery_rank=0, outbox=True)
    commands = sends_for(deps, task, comment, attached, reply_to_gateway_id)
    comment = msgspec.structs.replace(comment, parts=len(commands))
    if not await comments.insert(deps.db, comment):
        existing = await comments.get(deps.db, comment_id)
        return json_response(_view(existing, attached) if existing else {}, status=200)
    published = await publish_sends(deps, comment.id, commands)
    view = _view(msgspec.structs.replace(comment, outbox=None if published else True), attached)
    return json_response(view, status=201)


async def _reply_target(deps: Deps, task: tasks.Task, reply_to: str | None) -> str | None:
    if not reply_to:
        return None
    target = await comments.get(deps.db, reply_to)
    if target is None or target.task_id != task.id:
        raise problem(422, "bad_reply_to", f"comment {reply_to} is not in this task")
    if not target.gateway_message_id:
        raise problem(409, "not_yet_delivered", f"comment {reply_to} has no WhatsApp message "
                      "id yet (not delivered), so it cannot be quoted")
    return target.gateway_message_id


async def resend(request: web.Request) -> web.Response:
    """Send a failed comment again (a new attempt with new send ids)."""
    deps = request.app[DEPS]
    task = await task_or_404(deps, request.match_info["task_id"])
    comment = await comments.get(deps.db, request.match_info["comment_id"])
    if comment is None or comment.task_id != task.id:
        raise problem(404, "not_found", "no such comment in this task")
    if comment.delivery != "failed":
        raise problem(409, "not_failed", f"only failed sends can be resent (this one is "
                      f"{comment.delivery or 'not a send'})")
    if not comment.template_id:  # a template may go outside the 24-hour window
        await ensure_free_text_allowed(deps, task)
    attached = await files.of_comment(deps.db, comment.id)
    attempt = events.new_id()[:12]
    done = await comments.sent_parts(deps.db, comment)  # the customer has those already
    if not await comments.reset_for_resend(deps.db, comment.id, attempt,
                                           first_part_sent=0 in done):
        raise problem(409, "not_failed", "the comment changed meanwhile; reload it")
    reply_to = None
    if comment.reply_to_comment_id:
        target = await comments.get(deps.db, comment.reply_to_comment_id)
        reply_to = target.gateway_message_id if target else None
    again = msgspec.structs.replace(comment, send_attempt=attempt)
    remaining = [c for c in sends_for(deps, task, again, attached, reply_to)
                 if c.part not in done]
    await publish_sends(deps, comment.id, remaining)
    fresh = await comments.get(deps.db, comment.id)
    return json_response(_view(fresh, attached) if fresh else {}, status=202)


async def list_revisions(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    comment = await comments.get(deps.db, request.match_info["comment_id"])
    if comment is None:
        raise problem(404, "not_found", "no such comment")
    return json_response({"original_text": comment.text,
                          "items": await revisions.of_comment(deps.db, comment.id)})
