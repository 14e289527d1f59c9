"""``/sandbox/*``: what tests use to look inside the gateway and to steer it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec
from aiohttp import web

from services.sandbox.keys import HTTP, SETTINGS, STATE
from services.sandbox.state import FailureSpec
from services.sandbox.webhooks import InboundSpec, inbound_delivery, json_or_text, post_to_ingest


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        content_type="application/json")


def _bad_request(reason: str) -> web.Response:
    return _json({"error": reason}, status=400)


async def list_requests(request: web.Request) -> web.Response:
    """Recorded API calls, oldest first; filtered by path, delivered, chat_id, after (seq)."""
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
    request.app[STATE].failures.arm(spec)
    return _json(request.app[STATE].failures.remaining())


async def show_failure(request: web.Request) -> web.Response:
    return _json(request.app[STATE].failures.remaining())


async def send_inbound(request: web.Request) -> web.Response:
    """Build a customer's message webhook and deliver it to ingest."""
    try:
        spec = msgspec.json.decode(await request.read(), type=InboundSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _bad_request(f"invalid inbound message: {exc}")
    settings = request.app[SETTINGS]
    delivery = inbound_delivery(spec, channel_id=settings.sandbox_channel_id,
                                now=datetime.now(UTC))
    return await _deliver(request, msgspec.json.encode(delivery), delivery)


async def forward_webhook(request: web.Request) -> web.Response:
    """Deliver a given Wazzup webhook body to ingest byte for byte (statuses, probes, ...)."""
    raw = await request.read()
    if not raw:
        return _bad_request("empty body: give the Wazzup webhook JSON to forward")
    return await _deliver(request, raw, json_or_text(raw))


async def _deliver(request: web.Request, body: bytes, shown: Any) -> web.Response:
    url = request.app[SETTINGS].ingest_webhook_url
    try:
        answer = await post_to_ingest(request.app[HTTP], url, body)
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = f"ingest unreachable: {type(exc).__name__}: {exc}"
        return _json({"error": reason, "webhook": shown}, status=502)
    return _json({"ingest_status": answer.status, "ingest_body": answer.body, "webhook": shown})


async def healthz(request: web.Request) -> web.Response:
    return _json({"ok": True})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sandbox/requests", list_requests)
    app.router.add_delete("/sandbox/requests", clear_requests)
    app.router.add_post("/sandbox/fail", arm_failure)
    app.router.add_get("/sandbox/fail", show_failure)
    app.router.add_post("/sandbox/inbound", send_inbound)
    app.router.add_post("/sandbox/webhook", forward_webhook)
    app.router.add_get("/healthz", healthz)
