"""``/sandbox/media``: files a test hands the sandbox to reference from inbound webhooks."""

from __future__ import annotations

import re

import msgspec
from aiohttp import web

from services.sandbox.keys import SETTINGS, STATE
from services.sandbox.state import StoredFile
from services.sandbox.webhooks import MediaInfo

MAX_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def media_info(request: web.Request, stored: StoredFile) -> MediaInfo:
    """The stored file as webhooks point at it; the URL ends with the file name, as Wazzup's do."""
    name = _SAFE_NAME.sub("_", stored.file_name) or "file"
    base = request.app[SETTINGS].sandbox_public_url.rstrip("/") or str(request.url.origin())
    url = f"{base}/sandbox/media/{stored.id}/{name}"
    return MediaInfo(id=stored.id, url=url, mime_type=stored.mime_type,
                     file_name=stored.file_name, sha256=stored.sha256)


async def upload(request: web.Request) -> web.Response:
    """The raw body is the file; ``Content-Type`` its type, ``?filename=`` its name."""
    content = await request.read()
    if not content or len(content) > MAX_BYTES:
        return web.json_response({"error": f"give the file as the body (1 B to {MAX_BYTES} B)"},
                                 status=400)
    mime_type = request.headers.get("Content-Type", "application/octet-stream")
    file_name = request.query.get("filename", "file")
    stored = request.app[STATE].files.put(content, mime_type, file_name)
    info = media_info(request, stored)
    return web.Response(body=msgspec.json.encode({
        "id": info.id, "url": info.url, "mime_type": info.mime_type, "file_name": info.file_name,
        "sha256": info.sha256, "size": len(content)}), content_type="application/json")


async def serve(request: web.Request) -> web.Response:
    """The file, publicly, like Wazzup's store and chat-api's bucket serve theirs."""
    stored = request.app[STATE].files.get(request.match_info["file_id"])
    if stored is None:
        return web.json_response({"error": "no such file"}, status=404)
    return web.Response(body=stored.content, content_type=stored.mime_type.split(";")[0])


def add_routes(app: web.Application) -> None:
    app.router.add_post("/sandbox/media", upload)
    app.router.add_get("/sandbox/media/{file_id}", serve)
    app.router.add_get("/sandbox/media/{file_id}/{file_name}", serve)
