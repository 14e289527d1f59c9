"""Comments of a task through the API: listing with attachments, a manager's comment (JSON, or
multipart with files), resending a failed one, and the revisions made in WhatsApp."""

from __future__ import annotations

import mimetypes

import msgspec
from aiohttp import BodyPartReader, web

from services.task_sync.api_common import DEPS
from services.task_sync.application import comments as use_cases
from services.task_sync.application.access import visible_comment, visible_task
from services.task_sync.application.chat import PAGE_MAX, comment_page
from services.task_sync.application.commands import PostComment, Resend
from services.task_sync.application.views import comment_view
from services.task_sync.auth import current_actor, current_viewer
from services.task_sync.deps import Deps
from services.task_sync.http_json import (
    json_response,
    multipart_of,
    next_part,
    problem,
    read_body,
)
from services.task_sync.schemas import CommentIn
from shared.content_type import mismatch as content_mismatch
from shared.domain.files import Upload

MAX_FILES = 10


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/tasks/{task_id}/comments", list_comments)
    app.router.add_post("/api/v1/tasks/{task_id}/comments", post_comment)
    app.router.add_post("/api/v1/tasks/{task_id}/comments/{comment_id}/resend", resend)
    app.router.add_get("/api/v1/comments/{comment_id}/revisions", list_revisions)


async def list_comments(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    task = await visible_task(deps, current_viewer(request), request.match_info["task_id"])
    before = request.query.get("before")
    if before is not None and not (before.isascii() and before.isdigit()):
        raise problem(400, "bad_query", "before must be the order of a comment (an integer)")
    limit = request.query.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= PAGE_MAX:
        raise problem(400, "bad_query", f"limit must be an integer from 1 to {PAGE_MAX}")
    return json_response(await comment_page(deps, task, before=int(before) if before else None,
                                            limit=int(limit)))


async def _read_multipart(deps: Deps, request: web.Request) -> tuple[CommentIn, list[Upload]]:
    """Text, reply_to and files of a multipart comment, each file checked (not stored)."""
    fields: dict[str, str] = {}
    uploads: list[Upload] = []
    reader = await multipart_of(request)
    while (part := await next_part(reader)) is not None:
        if part.filename is None:
            fields[part.name or ""] = await part.text()
            continue
        if len(uploads) >= MAX_FILES:
            raise problem(413, "too_many_files", f"at most {MAX_FILES} files per comment")
        uploads.append(await read_upload(deps, part, part.filename))
    try:
        body = msgspec.convert({k: v for k, v in fields.items() if k in ("text", "reply_to")}
                               | ({"hold": True} if fields.get("hold") in ("1", "true") else {}),
                               CommentIn)
    except msgspec.ValidationError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    return body, uploads


async def read_upload(deps: Deps, part: BodyPartReader, name: str) -> Upload:
    """One file of a form, refused when its type is not allowed, it is too large, or its
    content is not what its type says (415/413), as a comment's or a flow answer's."""
    settings = deps.settings
    mime = (part.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if mime in ("", "application/octet-stream"):
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime not in settings.upload_mime_types:
        raise problem(415, "file_type_not_allowed",
                      f"{name}: type {mime} is not allowed; allowed: "
                      f"{', '.join(sorted(settings.upload_mime_types))}")
    data = bytearray()
    while chunk := await part.read_chunk(256 * 1024):
        data += chunk
        if len(data) > settings.wabridge_upload_max_bytes:
            raise problem(413, "file_too_large", f"{name} is over "
                          f"{settings.wabridge_upload_max_bytes} bytes")
    if (why := content_mismatch(mime, bytes(data))) is not None:
        raise problem(415, "file_type_mismatch", f"{name}: {why}")
    return Upload(file_name=name, mime_type=mime, content=bytes(data))


async def post_comment(request: web.Request) -> web.Response:
    """A manager's comment: recorded with an outbox flag, then sent to the customer's chat."""
    deps = request.app[DEPS]
    if request.content_type.startswith("multipart/"):
        body, uploads = await _read_multipart(deps, request)
    else:
        body, uploads = await read_body(request, CommentIn), []
    posted = await use_cases.post_comment(deps, PostComment(
        task_id=request.match_info["task_id"], actor=current_actor(request), text=body.text,
        reply_to=body.reply_to, uploads=uploads, hold=body.hold, template_id=body.template_id,
        template_values=body.template_values, template_language=body.template_language,
        idempotency_key=request.headers.get("Idempotency-Key")))
    return json_response(comment_view(posted.comment, posted.attachments),
                         status=201 if posted.created else 200)


async def resend(request: web.Request) -> web.Response:
    """Send a failed comment again (a new attempt with new send ids)."""
    deps = request.app[DEPS]
    comment = await use_cases.resend(deps, Resend(task_id=request.match_info["task_id"],
                                                  comment_id=request.match_info["comment_id"],
                                                  actor=current_actor(request)))
    attached = await deps.tasks.attachments_of_comment(comment.id)
    return json_response(comment_view(comment, attached), status=202)


async def list_revisions(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    _, comment = await visible_comment(deps, current_viewer(request),
                                       request.match_info["comment_id"])
    return json_response({"original_text": comment.text,
                          "items": await deps.tasks.revisions_of(comment.id)})
