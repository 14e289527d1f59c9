"""The fake chat-api.com API: ``/chat-api/instance{N}/sendMessage`` and ``/sendFile``.

The token travels in the query (``?token=``), as chat-api had it; the recorder keeps only the
path, so it never stores the token. ``sendFile`` downloads its ``body`` URL at once.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from aiohttp import web

from services.sandbox.fetching import fetch_like_gateway, too_big
from services.sandbox.keys import HTTP, SETTINGS, STATE
from services.sandbox.recording import json_or_none, mark_delivered, note_fetched
from services.sandbox.state import FailureSpec

MAX_TEXT = 10_000


def _refusal(request: web.Request) -> web.Response | None:
    settings = request.app[SETTINGS]
    if request.match_info["instance"] != settings.chat_api_instance:
        return web.json_response({"error": "Instance not found"}, status=404)
    given = request.query.get("token", "").encode()
    if not hmac.compare_digest(given, settings.chat_api_token.encode()):
        return web.json_response(
            {"error": "Wrong token. Please provide token as a GET parameter."}, status=401)
    return None


def _not_sent(message: str) -> web.Response:
    # chat-api refuses a message it cannot send with 200 and `sent: false`.
    return web.json_response({"sent": False, "message": message})


async def send_message(request: web.Request) -> web.Response:
    body, refusal = await _checked(request)
    if refusal is not None:
        return refusal
    text = body.get("body")
    if not isinstance(text, str) or not text or len(text) > MAX_TEXT:
        return _not_sent(f"body must be 1 to {MAX_TEXT} characters")
    return _accepted(request, body)


async def send_file(request: web.Request) -> web.Response:
    body, refusal = await _checked(request)
    if refusal is not None:
        return refusal
    source, file_name = body.get("body"), body.get("filename")
    if not isinstance(source, str) or not source or not isinstance(file_name, str) or \
            not file_name:
        return _not_sent("body (an URL or data URI) and filename are required")
    fetched = await fetch_like_gateway(request.app[HTTP], source)
    note_fetched(request, fetched)
    if fetched.status != 200 or too_big(fetched):
        return _not_sent(f"Failed to download the file (HTTP {fetched.status})")
    return _accepted(request, body)


async def _checked(request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
    if (refusal := _refusal(request)) is not None:
        return {}, refusal
    if (failure := request.app[STATE].failures.take("chat_api")) is not None:
        return {}, _injected(failure)
    body = json_or_none(await request.read())
    if not isinstance(body, dict):
        return {}, web.json_response({"error": "Request body must be a JSON object"}, status=400)
    chat_id = body.get("chatId")
    if not isinstance(chat_id, str) or not chat_id.endswith(("@c.us", "@g.us")):
        return {}, _not_sent("chatId must look like 79011112233@c.us or ...@g.us")
    return body, None


def _accepted(request: web.Request, body: dict[str, Any]) -> web.Response:
    mark_delivered(request)
    chat_id = body["chatId"]
    return web.json_response({"sent": True, "message": f"Sent to {chat_id}",
                              "id": f"true_{chat_id}_{secrets.token_hex(10).upper()}",
                              "queueNumber": secrets.randbelow(1000)})


def _injected(failure: FailureSpec) -> web.Response:
    headers = {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
    if failure.error is None:
        return web.Response(status=failure.status, headers=headers)
    message = failure.description or failure.error
    if failure.status == 200:
        return web.json_response({"sent": False, "message": message}, headers=headers)
    return web.json_response({"error": message}, status=failure.status, headers=headers)


async def read_chat(request: web.Request) -> web.Response:
    """``readChat``: the chat's messages are marked read on the phone."""
    _body, refusal = await _checked(request)
    if refusal is not None:
        return refusal
    return web.json_response({"read": True})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/chat-api/instance{instance}/sendMessage", send_message)
    app.router.add_post("/chat-api/instance{instance}/readChat", read_chat)
    app.router.add_post("/chat-api/instance{instance}/sendFile", send_file)
