"""Serving stored files: to gateways through short-lived signed URLs (no other auth), and to
authenticated users through the API."""

from __future__ import annotations

import time
from urllib.parse import quote

from aiohttp import web

from services.task_sync.api_common import DEPS, or_404
from services.task_sync.application import flows
from services.task_sync.application.access import ensure_file_visible
from services.task_sync.auth import current_actor, current_viewer, require_admin
from services.task_sync.comments_api import read_upload
from services.task_sync.http_json import json_response, multipart_of, next_part, problem
from shared.logs import get_logger
from shared.signing import check_signature

log = get_logger(__name__)
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def routes(app: web.Application) -> None:
    app.router.add_get("/files/{file_id}", signed_download)
    app.router.add_get("/api/v1/files/{file_id}", api_download)
    app.router.add_post("/api/v1/files", api_upload)


async def api_upload(request: web.Request) -> web.Response:
    """An administrator's file for a bot answer (multipart, one part named ``file``), checked
    as a comment's files are; 201 with what a flow node's ``attachment`` holds."""
    require_admin(request)
    reader = await multipart_of(request)
    part = await next_part(reader)
    if part is None or part.filename is None:
        raise problem(400, "bad_multipart", "the form must start with one file part")
    deps = request.app[DEPS]
    upload = await read_upload(deps, part, part.filename)
    if await next_part(reader) is not None:
        raise problem(400, "bad_multipart", "one file per request")
    stored = await flows.store_answer_file(deps, current_actor(request), upload)
    return json_response(stored, status=201)


async def signed_download(request: web.Request) -> web.StreamResponse:
    deps = request.app[DEPS]
    file_id = request.match_info["file_id"]
    refusal = check_signature(file_id, request.query.get("exp", ""), request.query.get("sig", ""),
                              deps.settings.wabridge_url_signing_key, now=time.time())
    if refusal is not None:
        log.warning("signed file link refused", file_id=file_id, reason=refusal)
        raise problem(403, "forbidden", refusal)
    return await _stream(request, file_id)


async def api_download(request: web.Request) -> web.StreamResponse:
    """A file of a task the caller may see (404 otherwise, as for the task); an attachment
    that points at a stored file shared by many comments serves that file."""
    stored_id = await ensure_file_visible(request.app[DEPS], current_viewer(request),
                                          request.match_info["file_id"])
    return await _stream(request, stored_id, inline=request.query.get("inline") == "1")


async def _stream(request: web.Request, file_id: str, *,
                  inline: bool = False) -> web.StreamResponse:
    deps = request.app[DEPS]
    stored = await or_404(deps.files.describe(file_id), f"stored file {file_id}")
    # only images are shown inline; anything else (html, svg) is always a download
    disposition = "inline" if inline and stored.mime_type in INLINE_TYPES else "attachment"
    response = web.StreamResponse(headers={
        "Content-Type": stored.mime_type, "Content-Length": str(stored.size),
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
    await response.prepare(request)
    async for chunk in deps.files.chunks(file_id):
        await response.write(chunk)
    await response.write_eof()
    return response
