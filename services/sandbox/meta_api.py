"""The fake Meta Cloud API under ``/meta/{version}/``: sends, media upload, lookup, download.

Errors use the Graph API shape ``{"error": {message, type, code, error_data, fbtrace_id}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from aiohttp import web

from services.sandbox.keys import SETTINGS, STATE
from services.sandbox.meta_bodies import META_WABA_ID
from services.sandbox.meta_extras import (
    interactive_problem,
    reaction_problem,
    signal_problem,
    templates_of,
)
from services.sandbox.multipart_form import FormPart, parse_form
from services.sandbox.recording import json_or_none, mark_delivered, show_body
from services.sandbox.state import FailureSpec

MAX_TEXT = 4096
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
TYPES = MEDIA_TYPES | {"text", "template", "reaction", "location", "contacts", "interactive"}
_VERSION = "{version:v[0-9]+\\.[0-9]+}"


def graph_error(status: int, code: int | str, message: str, details: str | None = None,
                headers: dict[str, str] | None = None) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": secrets.token_urlsafe(12)}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return web.json_response({"error": error}, status=status, headers=headers)


def _invalid(details: str) -> web.Response:
    return graph_error(400, 100, "(#100) Invalid parameter", details)


def unauthorized(request: web.Request) -> web.Response | None:
    expected = f"Bearer {request.app[SETTINGS].meta_access_token}".encode()
    if hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
        return None
    return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")


def _unknown_sender(request: web.Request) -> web.Response | None:
    given = request.match_info["phone_number_id"]
    if given == request.app[SETTINGS].meta_phone_number_id:
        return None
    return graph_error(400, 100, f"Unsupported post request. Object with ID '{given}' does not "
                       "exist, cannot be loaded due to missing permissions, or does not support "
                       "this operation.")


async def send_message(request: web.Request) -> web.Response:
    if (refusal := unauthorized(request) or _unknown_sender(request)) is not None:
        return refusal
    if (failure := request.app[STATE].failures.take("meta")) is not None:
        return _injected(failure)
    body = json_or_none(await request.read())
    if isinstance(body, dict) and body.get("status") == "read":
        # a read mark, with the typing indicator when asked (no message is sent)
        problem = signal_problem(body)
        return _invalid(problem) if problem else web.json_response({"success": True})
    if (problem := message_problem(body, request)) is not None:
        return _invalid(problem)
    assert isinstance(body, dict)
    mark_delivered(request)
    wamid = "wamid." + secrets.token_urlsafe(24)
    target = body.get("to") or body.get("recipient")
    contact = {"input": target, "wa_id": target} if body.get("to") else {
        "input": target, "user_id": target}
    return web.json_response({"messaging_product": "whatsapp", "contacts": [contact],
                              "messages": [{"id": wamid}]})


def message_problem(body: object, request: web.Request) -> str | None:
    """What Meta would refuse in this ``/messages`` body, or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required and must be whatsapp."
    if body.get("recipient_type", "individual") not in ("individual", "group"):
        return "recipient_type must be individual or group"
    target = body.get("to") or body.get("recipient")
    if not isinstance(target, str) or not target:
        return "The parameter to (or recipient, a business-scoped user id) is required."
    kind = body.get("type", "text")
    content = body.get(kind) if isinstance(kind, str) else None
    if kind not in TYPES or not isinstance(content, dict):
        return f"type {kind!r} needs an object of the same name"
    if kind == "text":
        text = content.get("body")
        ok = isinstance(text, str) and 0 < len(text) <= MAX_TEXT
        return None if ok else f"text.body must be 1 to {MAX_TEXT} characters"
    if kind in MEDIA_TYPES:
        return _media_problem(kind, content, request)
    if kind == "reaction":
        return reaction_problem(content)
    if kind == "interactive":
        return interactive_problem(content)
    if kind == "template":
        language = content.get("language")
        if not isinstance(content.get("name"), str) or not isinstance(language, dict) or \
                not isinstance(language.get("code"), str):
            return "template needs name and language.code"
    return None


def _media_problem(kind: str, content: dict[str, Any], request: web.Request) -> str | None:
    media_id, link = content.get("id"), content.get("link")
    if not isinstance(media_id, str) and not isinstance(link, str):
        return f"{kind} needs id or link"
    if isinstance(media_id, str) and request.app[STATE].files.get(media_id) is None:
        return f"{kind}.id {media_id} is not a media id uploaded to this number"
    if "caption" in content and kind in ("audio", "sticker"):
        return f"{kind} messages take no caption"
    return None


async def upload_media(request: web.Request) -> web.Response:
    """``multipart/form-data`` with ``messaging_product``, ``type`` and ``file`` → ``{id}``."""
    if (refusal := unauthorized(request) or _unknown_sender(request)) is not None:
        return refusal
    parts = parse_form(request.headers.get("Content-Type", ""), await request.read())
    fields = {p.name: p for p in parts}
    file_part = fields.get("file")
    show_body(request, _shown_form(parts))
    if parts is None or file_part is None or file_part.file_name is None:
        return _invalid("The parameter file is required (multipart/form-data).")
    if fields.get("messaging_product") is None or \
            fields["messaging_product"].content != b"whatsapp":
        return _invalid("The parameter messaging_product is required.")
    mime_type = fields["type"].content.decode() if "type" in fields else file_part.content_type
    stored = request.app[STATE].files.put(file_part.content, mime_type, file_part.file_name)
    return web.json_response({"id": stored.id})


def _shown_form(parts: list[FormPart]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for part in parts:
        if part.file_name is None:
            shown[part.name] = part.content.decode(errors="replace")
        else:
            shown[part.name] = {"filename": part.file_name, "content_type": part.content_type,
                                "size": len(part.content),
                                "sha256": hashlib.sha256(part.content).hexdigest()}
    return shown


async def look_up_media(request: web.Request) -> web.Response:
    if (refusal := unauthorized(request)) is not None:
        return refusal
    stored = request.app[STATE].files.get(request.match_info["media_id"])
    if stored is None:
        return graph_error(400, 100, "(#100) Invalid parameter", "Media not found")
    url = f"{request.url.origin()}/meta/media-download/{stored.id}"
    return web.json_response({"messaging_product": "whatsapp", "url": url,
                              "mime_type": stored.mime_type, "sha256": stored.sha256,
                              "file_size": len(stored.content), "id": stored.id})


async def download_media(request: web.Request) -> web.Response:
    """The file behind a looked-up URL; like Meta's, it needs the same bearer token."""
    if (refusal := unauthorized(request)) is not None:
        return refusal
    stored = request.app[STATE].files.get(request.match_info["media_id"])
    if stored is None:
        return web.Response(status=404)
    return web.Response(body=stored.content, content_type=stored.mime_type.split(";")[0])


async def list_templates(request: web.Request) -> web.Response:
    """``GET /{waba_id}/message_templates``: the account's templates (one page)."""
    if (refusal := unauthorized(request)) is not None:
        return refusal
    waba_id = request.match_info["waba_id"]
    if waba_id != META_WABA_ID:
        return graph_error(400, 100, f"Unsupported get request. Object with ID '{waba_id}' "
                           "does not exist, cannot be loaded due to missing permissions, or "
                           "does not support this operation.")
    items = list(templates_of(request).values())
    if status := request.query.get("status"):
        items = [t for t in items if t["status"] == status.upper()]
    return web.json_response({"data": items,
                              "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}})


def _injected(failure: FailureSpec) -> web.Response:
    headers = {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
    if failure.error is None:
        return web.Response(status=failure.status, headers=headers)
    code: int | str = int(failure.error) if failure.error.isdigit() else failure.error
    description = failure.description or "Injected failure"
    return graph_error(failure.status, code, description, description, headers)


def add_routes(app: web.Application) -> None:
    # The download route first: `/meta/media-download/{id}` would also fit the lookup pattern.
    app.router.add_get("/meta/media-download/{media_id}", download_media)
    app.router.add_post(f"/meta/{_VERSION}/{{phone_number_id}}/messages", send_message)
    app.router.add_post(f"/meta/{_VERSION}/{{phone_number_id}}/media", upload_media)
    app.router.add_get(f"/meta/{_VERSION}/{{waba_id}}/message_templates", list_templates)
    app.router.add_get(f"/meta/{_VERSION}/{{media_id}}", look_up_media)
