"""Recording every call to a fake gateway API, with what the handler decided about it."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from services.sandbox.keys import STATE
from services.sandbox.state import Fetched

# Which dialect a path belongs to; `/sandbox/` control calls are not recorded.
PREFIXES = (("/v3/", "wazzup"), ("/meta/", "meta"), ("/chat-api/", "chat_api"),
            ("/first-form/", "first_form"))
# Request-scoped notes a handler leaves for the recorder.
DELIVERED = web.RequestKey("sandbox_delivered", bool)
FETCHED = web.RequestKey("sandbox_fetched", Fetched)
SHOWN_BODY = web.RequestKey("sandbox_shown_body", object)


def provider_of(path: str) -> str | None:
    return next((name for prefix, name in PREFIXES if path.startswith(prefix)), None)


def mark_delivered(request: web.Request) -> None:
    """The send reached the customer (an accepted send, not a refusal or a lookup)."""
    request[DELIVERED] = True


def note_fetched(request: web.Request, fetched: Fetched) -> None:
    request[FETCHED] = fetched


def show_body(request: web.Request, shown: Any) -> None:
    """What to record as the request body when it is not JSON (a multipart upload)."""
    request[SHOWN_BODY] = shown


@web.middleware
async def record_api_calls(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every fake-API request with its answer and the handler's notes."""
    provider = provider_of(request.path)
    if provider is None:
        return await handler(request)
    raw = await request.read()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _record(request, provider, raw, exc.status, exc.text)
        raise
    body = response.body if isinstance(response, web.Response) else None
    shown = body if response.content_type.startswith("application/json") or not body else (
        f"<{len(body)} bytes of {response.content_type}>" if isinstance(body, bytes) else None)
    _record(request, provider, raw, response.status, shown)
    return response


def _record(request: web.Request, provider: str, raw: bytes, status: int, body: Any) -> None:
    shown = request.get(SHOWN_BODY, json_or_none(raw))
    request.app[STATE].recorder.add(
        provider=provider, method=request.method, path=request.path, json=shown, status=status,
        response=json_or_text(body), delivered=bool(request.get(DELIVERED, False)),
        fetched=request.get(FETCHED),
    )


def json_or_none(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw) if raw else None
    except msgspec.DecodeError:
        return None


def json_or_text(body: Any) -> Any:
    if not isinstance(body, bytes | bytearray):
        return body
    try:
        return msgspec.json.decode(body) if body else None
    except msgspec.DecodeError:
        return body.decode(errors="replace")
