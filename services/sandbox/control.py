"""``/sandbox/*``: what tests use to look inside the gateway and to steer it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec
from aiohttp import web

from services.sandbox import media, webhook_bodies
from services.sandbox.keys import HTTP, SETTINGS, STATE
from services.sandbox.meta_bodies import template_status
from services.sandbox.meta_extras import templates_of
from services.sandbox.settings import PROVIDERS
from services.sandbox.state import FailureSpec, Record
from services.sandbox.webhook_bodies import Outgoing
from services.sandbox.webhooks import (
    InboundSpec,
    MediaInfo,
    StatusSpec,
    json_or_text,
    post_to_ingest,
)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        content_type="application/json")


def _bad_request(reason: str) -> web.Response:
    return _json({"error": reason}, status=400)


async def list_requests(request: web.Request) -> web.Response:
    """Recorded API calls, oldest first; filtered by provider, path, delivered, chat_id, after."""
    query = request.query
    delivered_raw = query.get("delivered")
    after_raw = query.get("after")
    if delivered_raw not in (None, "true", "false"):
        return _bad_request("delivered must be true or false")
    if after_raw is not None and not after_raw.isdigit():
        return _bad_request("after must be a sequence number")
    records = request.app[STATE].recorder.select(
        path=query.get("path"),
        delivered=None if delivered_raw is None else delivered_raw == "true",
        chat_id=query.get("chat_id"),
        after=None if after_raw is None else int(after_raw),
        provider=query.get("provider"),
    )
    return _json(records)


async def clear_requests(request: web.Request) -> web.Response:
    request.app[STATE].recorder.clear()
    return _json({"ok": True})


async def arm_failure(request: web.Request) -> web.Response:
    try:
        spec = msgspec.json.decode(await request.read(), type=FailureSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _bad_request(f"invalid failure: {exc}")
    if spec.provider not in PROVIDERS:
        return _bad_request(f"invalid failure: provider must be one of {', '.join(PROVIDERS)}")
    request.app[STATE].failures.arm(spec)
    return _json(request.app[STATE].failures.remaining(spec.provider))


async def show_failure(request: web.Request) -> web.Response:
    provider = request.query.get("provider", "wazzup")
    return _json(request.app[STATE].failures.remaining(provider))


async def send_inbound(request: web.Request) -> web.Response:
    """Build a customer's message webhook in the asked dialect and deliver it to ingest."""
    try:
        spec = msgspec.json.decode(await request.read(), type=InboundSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _bad_request(f"invalid inbound message: {exc}")
    if spec.provider == "meta" and spec.chat_type != "whatsapp":
        return _bad_request("invalid inbound message: the Meta sandbox has no groups")
    if spec.provider != "meta" and (spec.kind or spec.user_id or spec.phone_hidden
                                    or spec.batch):
        return _bad_request("invalid inbound message: kinds, user ids and batches are Meta's "
                            "only")
    if any(one.media_id or one.is_echo or one.batch for one in spec.batch) or (
            spec.batch and spec.is_echo):
        return _bad_request("invalid inbound message: a batch carries no files, echoes or "
                            "batches of its own")
    file: MediaInfo | None = None
    if spec.media_id is not None:
        stored = request.app[STATE].files.get(spec.media_id)
        if stored is None:
            return _bad_request(f"invalid inbound message: no file {spec.media_id}")
        file = media.media_info(request, stored)
    settings = request.app[SETTINGS]
    payload = webhook_bodies.inbound(settings, spec, file, datetime.now(UTC))
    return await _deliver(request, webhook_bodies.outgoing(settings, spec.provider, payload))


async def send_status(request: web.Request) -> web.Response:
    """Deliver a status of a sent message; the chat is found from the recorded send."""
    try:
        spec = msgspec.json.decode(await request.read(), type=StatusSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _bad_request(f"invalid status: {exc}")
    chat_id = spec.chat_id or _chat_of_send(request.app[STATE].recorder.all(), spec.message_id)
    if chat_id is None and spec.provider != "wazzup":
        return _bad_request(f"invalid status: no recorded send {spec.message_id}; give chat_id")
    settings = request.app[SETTINGS]
    payload = webhook_bodies.status(settings, spec, chat_id, datetime.now(UTC))
    return await _deliver(request, webhook_bodies.outgoing(settings, spec.provider, payload))


def _chat_of_send(records: list[Record], message_id: str) -> str | None:
    for record in reversed(records):
        response, body = record.response, record.json
        if not (record.delivered and isinstance(response, dict) and isinstance(body, dict)):
            continue
        messages = response.get("messages")
        ids = {response.get("id"), response.get("messageId")}
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            ids.add(messages[0].get("id"))
        if message_id in ids:
            chat = body.get("to") or body.get("recipient") or body.get("chatId")
            return chat if isinstance(chat, str) else None
    return None


async def forward_webhook(request: web.Request) -> web.Response:
    """Deliver a given webhook body to ingest byte for byte (``?provider=``, Meta's is signed)."""
    raw = await request.read()
    provider = request.query.get("provider", "wazzup")
    if provider not in PROVIDERS:
        return _bad_request(f"provider must be one of {', '.join(PROVIDERS)}")
    if not raw:
        return _bad_request("empty body: give the webhook JSON to forward")
    settings = request.app[SETTINGS]
    return await _deliver(request, webhook_bodies.addressed(settings, provider, raw,
                                                            json_or_text(raw)))


class TemplateStatusSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A Meta template's review changes: ``event`` APPROVED, REJECTED, PAUSED, ..."""

    name: str
    event: str
    reason: str | None = None


async def send_template_status(request: web.Request) -> web.Response:
    """Change a sandbox Meta template's status and deliver Meta's webhook about it."""
    try:
        spec = msgspec.json.decode(await request.read(), type=TemplateStatusSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _bad_request(f"invalid template status: {exc}")
    template = next((t for t in templates_of(request).values() if t["name"] == spec.name), None)
    if template is None:
        return _bad_request(f"invalid template status: no template {spec.name!r}")
    template["status"] = spec.event.upper()
    payload = template_status(template, spec.event.upper(), spec.reason)
    return await _deliver(request, webhook_bodies.outgoing(request.app[SETTINGS], "meta",
                                                           payload))


async def _deliver(request: web.Request, out: Outgoing) -> web.Response:
    try:
        answer = await post_to_ingest(request.app[HTTP], out.url, out.body, out.headers)
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = f"ingest unreachable: {type(exc).__name__}: {exc}"
        return _json({"error": reason, "webhook": out.shown}, status=502)
    return _json({"ingest_status": answer.status, "ingest_body": answer.body,
                  "webhook": out.shown})


async def healthz(request: web.Request) -> web.Response:
    return _json({"ok": True})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sandbox/requests", list_requests)
    app.router.add_delete("/sandbox/requests", clear_requests)
    app.router.add_post("/sandbox/fail", arm_failure)
    app.router.add_get("/sandbox/fail", show_failure)
    app.router.add_post("/sandbox/inbound", send_inbound)
    app.router.add_post("/sandbox/status", send_status)
    app.router.add_post("/sandbox/webhook", forward_webhook)
    app.router.add_post("/sandbox/meta/template-status", send_template_status)
    app.router.add_get("/healthz", healthz)
    media.add_routes(app)
