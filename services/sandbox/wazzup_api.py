"""The fake Wazzup v3 API: ``/v3/message``, ``/v3/channels`` and ``/v3/webhooks``.

It answers with Wazzup's status codes and error bodies so the bridge's gateway code meets the
same cases it meets in production; every call is recorded for tests to inspect. A send with
``contentUri`` downloads the file at once, as Wazzup does, and records what arrived.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from services.sandbox.fetching import fetch_like_gateway, too_big
from services.sandbox.keys import HTTP, SETTINGS, STATE
from services.sandbox.recording import json_or_none, mark_delivered, note_fetched
from services.sandbox.state import FailureSpec

CHAT_TYPES = frozenset({
    "whatsapp", "whatsgroup", "viber", "instagram", "telegram", "telegroup", "vk", "avito",
    "max", "maxgroup",
})
MAX_TEXT = 10_000
MAX_WEBHOOKS_URI = 200


def error(status: int, code: str, description: str, data: Any = None) -> web.Response:
    """Wazzup's error body of the message route (with ``status`` and ``requestId``)."""
    body: dict[str, Any] = {"status": status, "requestId": uuid.uuid4().hex, "error": code,
                            "description": description}
    if data is not None:
        body["data"] = data
    return web.json_response(body, status=status)


def _unauthorized(request: web.Request) -> web.Response | None:
    expected = f"Bearer {request.app[SETTINGS].wazzup_api_key}".encode()
    given = request.headers.get("Authorization", "").encode()
    if hmac.compare_digest(given, expected):
        return None
    return web.json_response({"error": "UNAUTHORIZED"}, status=401)


async def send_message(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (refusal := _unauthorized(request)) is not None:
        return refusal
    if (failure := state.failures.take("wazzup")) is not None:
        return _injected(failure)
    body = json_or_none(await request.read())
    if (invalid := message_problem(body)) is not None:
        return invalid
    assert isinstance(body, dict)  # message_problem refuses anything else
    crm_id = body.get("crmMessageId")
    if isinstance(crm_id, str) and crm_id and state.crm_ids.is_repeat(crm_id):
        return error(400, "REPEATED_CRM_MESSAGE_ID",
                     f"Message with crmMessageId {crm_id} was already sent less than 60 s ago")
    if _nonempty_str(body.get("contentUri")) and (
        refusal := await _fetch_content(request, body["contentUri"])
    ) is not None:
        return refusal
    if isinstance(crm_id, str) and crm_id:
        state.crm_ids.accept(crm_id)
    mark_delivered(request)
    return web.json_response({"messageId": str(uuid.uuid4()), "chatId": body["chatId"]},
                             status=201)


async def _fetch_content(request: web.Request, uri: str) -> web.Response | None:
    """Download ``contentUri`` now (no redirects: Wazzup requires a direct link)."""
    fetched = await fetch_like_gateway(request.app[HTTP], uri)
    note_fetched(request, fetched)
    if too_big(fetched):
        return error(400, "MESSAGES_CONTENT_SIZE_EXCEEDED", "Content size exceeds 10 MB")
    if fetched.status != 200:
        return error(400, "MESSAGE_DOWNLOAD_CONTENT_ERROR",
                     f"Could not download content (HTTP {fetched.status})")
    return None


def message_problem(body: object) -> web.Response | None:
    """The 400 Wazzup would answer to this send body, or None when it is acceptable."""
    if not isinstance(body, dict):
        return error(400, "VALIDATION_ERROR", "Request body must be a JSON object")
    fields = [f for f in ("channelId", "chatType", "chatId") if not _nonempty_str(body.get(f))]
    if body.get("chatType") not in CHAT_TYPES and "chatType" not in fields:
        fields.append("chatType")
    if fields:
        return error(400, "INVALID_MESSAGE_DATA", "Message data is invalid", {"fields": fields})
    has_text = _nonempty_str(body.get("text"))
    has_content = _nonempty_str(body.get("contentUri"))
    if has_text and has_content:
        return error(400, "MESSAGE_ONLY_TEXT_OR_CONTENT",
                     "Message can contain either text or content, not both")
    if not (has_text or has_content or _nonempty_str(body.get("templateId"))):
        return error(400, "INVALID_MESSAGE_DATA", "Message data is invalid",
                     {"fields": ["text", "contentUri"]})
    if has_text and len(body["text"]) > MAX_TEXT:
        return error(400, "MESSAGE_TEXT_TOO_LONG", f"Text is longer than {MAX_TEXT} characters")
    return None


def _injected(failure: FailureSpec) -> web.Response:
    headers = {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
    if failure.error is None:
        return web.Response(status=failure.status, headers=headers)
    response = error(failure.status, failure.error, failure.description or "Injected failure")
    response.headers.update(headers)
    return response


async def list_channels(request: web.Request) -> web.Response:
    if (refusal := _unauthorized(request)) is not None:
        return refusal
    settings = request.app[SETTINGS]
    personal = {"channelId": settings.sandbox_channel_id, "transport": "whatsapp",
                "plainId": "79990000000", "state": "active", "name": "Sandbox"}
    business = {"channelId": settings.sandbox_waba_channel_id, "transport": "wapi",
                "plainId": "79990000001", "state": "active", "name": "Sandbox WABA"}
    return web.json_response([personal, business])


async def get_webhooks(request: web.Request) -> web.Response:
    if (refusal := _unauthorized(request)) is not None:
        return refusal
    config = request.app[STATE].webhook
    return web.json_response({"webhooksUri": config.uri, "subscriptions": config.subscriptions})


async def patch_webhooks(request: web.Request) -> web.Response:
    """Store the URI after Wazzup's test POST ``{"test": true}`` got a 200, like Wazzup."""
    if (refusal := _unauthorized(request)) is not None:
        return refusal
    body = json_or_none(await request.read())
    config = request.app[STATE].webhook
    if not isinstance(body, dict):
        return web.json_response({"error": "VALIDATION_ERROR"}, status=400)
    uri = body.get("webhooksUri", config.uri)
    if not _valid_uri(uri):
        return web.json_response(
            {"error": "uriNotValid", "description": "Provided URI is not valid URI"}, status=400)
    assert isinstance(uri, str)
    status = await _test_post(request.app[HTTP], uri)
    if status != 200:
        return web.json_response(
            {"error": "testPostNotPassed",
             "description": "URI does not return 200 OK on test request", "data": status},
            status=400)
    subscriptions = body.get("subscriptions")
    config.uri = uri
    if isinstance(subscriptions, dict):
        config.subscriptions = subscriptions
    return web.json_response({"ok": True})


async def _test_post(session: aiohttp.ClientSession, uri: str) -> int | None:
    try:
        async with session.post(uri, json={"test": True}) as answer:
            return answer.status
    except (aiohttp.ClientError, TimeoutError):
        return None


def _valid_uri(uri: object) -> bool:
    if not isinstance(uri, str) or not uri or len(uri) > MAX_WEBHOOKS_URI:
        return False
    try:
        parsed = URL(uri)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and value != ""


async def list_templates(request: web.Request) -> web.Response:
    """``GET /v3/templates/whatsapp``: the WABA templates (one demo template)."""
    if (refusal := _unauthorized(request)) is not None:
        return refusal
    return web.json_response([{
        "templateGuid": "tpl-1", "title": "appointment",
        "name": "appointment_reminder", "language": "ru", "category": "UTILITY",
        "status": "APPROVED", "components": [
            {"type": "BODY", "text": "{{1}}, напоминаем о записи.",
             "example": {"body_text": [["Анна"]]}}]}])


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v3/message", send_message)
    app.router.add_get("/v3/templates/whatsapp", list_templates)
    app.router.add_get("/v3/channels", list_channels)
    app.router.add_get("/v3/webhooks", get_webhooks)
    app.router.add_patch("/v3/webhooks", patch_webhooks)
