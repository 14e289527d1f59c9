"""Webhook endpoints: verify the caller, parse every item, publish with confirms, then answer.

The gateway hears 200 only after the broker confirmed every event of the delivery, so a 200
means nothing can be lost; anything else makes the gateway deliver again, and the events' ids
(derived from the gateway's ids) let the consumers drop the repeat.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import msgspec
from aiohttp import web

from services.ingest.directory import DirectoryLookup
from services.ingest.webhook_times import WebhookTimes
from shared import events
from shared.bus import Bus
from shared.channels_config import ChannelConfig
from shared.errors import BadPayload, RetryableError
from shared.logs import get_logger
from shared.metrics import EVENTS_PARSED, WEBHOOKS, child
from shared.ops import error_response
from shared.providers import REGISTRY
from shared.providers.base import ParsedWebhook, Provider
from shared.providers.contact_requests import answered_with

log = get_logger(__name__)
PUBLISH_TIMEOUT_S = 3.0  # the longest a webhook waits for the broker's confirms
RETRY_AFTER_S = 5


@dataclass(frozen=True)
class Deps:
    bus: Bus
    channels: list[ChannelConfig]
    max_body_bytes: int
    directory: DirectoryLookup | None = None  # who has a phone (createContact); None: not asked
    webhook_times: WebhookTimes | None = None  # each channel's last accepted webhook


DEPS = web.AppKey("deps", Deps)


def routes(app: web.Application) -> None:
    app.router.add_post("/webhooks/{provider}/{token}", receive)
    app.router.add_get("/webhooks/{provider}/{token}", handshake)


def _connections(deps: Deps, name: str) -> tuple[Provider | None, list[ChannelConfig]]:
    return REGISTRY.get(name), [c for c in deps.channels if c.provider == name]


async def handshake(request: web.Request) -> web.Response:
    """A gateway's GET subscription check (Meta's hub.challenge)."""
    provider, connections = _connections(request.app[DEPS], request.match_info["provider"])
    token = request.match_info["token"]
    for connection in connections:
        if provider is not None and hmac.compare_digest(connection.webhook_token.encode(),
                                                        token.encode()):
            answer = provider.answer_verification(connection.account, request.query)
            if answer is not None:
                return web.Response(text=answer)
    log.warning("webhook handshake refused", provider=request.match_info["provider"])
    return error_response(403, "forbidden", "verification token does not match")


async def receive(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    name = request.match_info["provider"]
    response = await _receive(deps, request, name)
    child(WEBHOOKS, name if name in REGISTRY else "unknown", str(response.status)).inc()
    return response


async def _receive(deps: Deps, request: web.Request, name: str) -> web.Response:
    provider, connections = _connections(deps, name)
    if provider is None or not connections:
        return error_response(404, "unknown_provider", f"no gateway {name!r} is configured here")
    if request.content_length is not None and request.content_length > deps.max_body_bytes:
        return _too_large(deps)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(deps)
    token = request.match_info["token"]
    connection = next((c for c in connections
                       if provider.verify_webhook(c.account, token, request.headers, body)), None)
    if connection is None:
        status = provider.refusal_status(connections[0].account, request.headers, body)
        log.warning("webhook refused: wrong credentials", provider=name, status=status,
                    remote=request.remote)
        return error_response(status, "unauthorized" if status == 401 else "forbidden",
                              "the webhook credentials are not valid")
    try:
        parsed = provider.parse_webhook(body, received_at=events.utcnow(),
                                        account=connection.account)
    except RecursionError:  # the decoder's depth limit: nested deeper than any gateway sends
        log.warning("webhook refused: bad payload", provider=name, reason="nested too deeply")
        return error_response(400, "bad_payload", "the body is nested too deeply")
    except BadPayload as exc:
        log.warning("webhook refused: bad payload", provider=name, reason=exc.reason)
        log.debug("refused webhook body", provider=name,
                  body_prefix=body[:300].decode("utf-8", "replace"))
        return error_response(400, "bad_payload", exc.reason)
    parsed = await _known_contact(deps, parsed)
    stamped = [_stamp(event, connection, connections) for event in parsed.events]
    try:
        # bounded: a gateway gives up after about 30 s, and a broker that is away answers
        # nothing at all; a quick 503 with Retry-After lets it deliver again sooner
        await deps.bus.publish_all(stamped, timeout=PUBLISH_TIMEOUT_S)
    except RetryableError as exc:
        log.error("webhook not accepted: broker did not confirm; the gateway will redeliver",
                  provider=name, reason=str(exc), events=len(stamped))
        refused = error_response(503, "unavailable", "could not queue the delivery; retry later")
        refused.headers["Retry-After"] = str(RETRY_AFTER_S)
        return refused
    for event in stamped:
        child(EVENTS_PARSED, name, events.message_type(event)).inc()
    if deps.webhook_times is not None:
        for channel_id in _channels_of(stamped, connection):
            deps.webhook_times.seen(name, channel_id, events.utcnow())
    # the request id is bound by the middleware: one line ties the HTTP call to its events
    log.info("webhook accepted", provider=name, events=len(stamped),
             correlation_ids=sorted({e.correlation_id for e in stamped})[:50])
    if parsed.ignored:
        log.info("webhook parts accepted but not acted on", provider=name, ignored=parsed.ignored)
    if parsed.reply is not None:
        return web.json_response(parsed.reply)
    return web.json_response({"ok": True, "events": len(stamped)})


async def _known_contact(deps: Deps, parsed: ParsedWebhook) -> ParsedWebhook:
    """A contact request for a phone the directory knows is answered with that contact."""
    asked = parsed.contact_request
    if asked is None or parsed.reply is None or deps.directory is None:
        return parsed
    known = await deps.directory.contact_of(asked.phones)
    if known is None:
        return parsed
    reply, kept = answered_with(parsed.reply, parsed.events, asked, known)
    log.info("contact request answered with the existing contact", contact_id=known.id)
    return msgspec.structs.replace(parsed, reply=reply, events=kept)


def _stamp(event: events.Message, matched: ChannelConfig,
           connections: list[ChannelConfig]) -> events.Message:
    """Record which connection a chat's message arrived on: the one serving that number (one
    webhook may cover several numbers), else the one whose credentials the call carried."""
    if not isinstance(event, events.MessageReceived):
        return event
    serving = next((c for c in connections if c.serves(event.chat.channel_id)), matched)
    chat = msgspec.structs.replace(event.chat, connection=serving.id)
    return msgspec.structs.replace(event, chat=chat)


def _channels_of(stamped: list[events.Message], connection: ChannelConfig) -> set[str]:
    """The company numbers a webhook spoke of; its connection's own when it named none."""
    found: set[str] = set()
    for event in stamped:
        if isinstance(event, events.MessageReceived):
            found.add(event.chat.channel_id)
        elif isinstance(event, events.StatusUpdated | events.ChannelUpdated) and event.channel_id:
            found.add(event.channel_id)
    found.discard("")
    return found or ({connection.account.channel_id} if connection.account.channel_id else set())


def _too_large(deps: Deps) -> web.Response:
    return error_response(413, "too_large", f"body over {deps.max_body_bytes} bytes")
