"""Webhook endpoints: verify the caller, parse every item, publish with confirms, then answer.

The gateway hears 200 only after the broker confirmed every event of the delivery, so a 200
means nothing can be lost; anything else makes the gateway deliver again, and the events' ids
(derived from the gateway's ids) let the consumers drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from shared import events
from shared.bus import Bus
from shared.errors import BadPayload, RetryableError
from shared.logs import get_logger
from shared.metrics import EVENTS_PARSED, WEBHOOKS
from shared.ops import error_response
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    bus: Bus
    accounts: dict[str, GatewayAccount]
    max_body_bytes: int


DEPS = web.AppKey("deps", Deps)


def routes(app: web.Application) -> None:
    app.router.add_post("/webhooks/{provider}/{token}", receive)


async def receive(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    name = request.match_info["provider"]
    response = await _receive(deps, request, name)
    WEBHOOKS.labels(name if name in REGISTRY else "unknown", str(response.status)).inc()
    return response


async def _receive(deps: Deps, request: web.Request, name: str) -> web.Response:
    provider = REGISTRY.get(name)
    account = deps.accounts.get(name)
    if provider is None or account is None:
        return error_response(404, "unknown_provider", f"no gateway {name!r} is configured here")
    if request.content_length is not None and request.content_length > deps.max_body_bytes:
        return _too_large(deps)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(deps)
    if not provider.verify_webhook(account, request.match_info["token"], request.headers, body):
        log.warning("webhook refused: wrong credentials", provider=name, remote=request.remote)
        return error_response(401, "unauthorized", "the webhook token is not valid")
    try:
        parsed = provider.parse_webhook(body, received_at=events.utcnow(), account=account)
    except BadPayload as exc:
        log.warning("webhook refused: bad payload", provider=name, reason=exc.reason,
                    body_prefix=body[:300].decode("utf-8", "replace"))
        return error_response(400, "bad_payload", exc.reason)
    try:
        await deps.bus.publish_all(parsed.events)
    except RetryableError as exc:
        log.error("webhook not accepted: broker did not confirm; the gateway will redeliver",
                  provider=name, reason=str(exc), events=len(parsed.events))
        return error_response(503, "unavailable", "could not queue the delivery; retry later")
    for event in parsed.events:
        EVENTS_PARSED.labels(name, events.message_type(event)).inc()
    if parsed.ignored:
        log.info("webhook parts accepted but not acted on", provider=name, ignored=parsed.ignored)
    if parsed.reply is not None:
        return web.json_response(parsed.reply)
    return web.json_response({"ok": True, "events": len(parsed.events)})


def _too_large(deps: Deps) -> web.Response:
    return error_response(413, "too_large", f"body over {deps.max_body_bytes} bytes")
