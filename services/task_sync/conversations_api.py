"""Starting a dialogue from our side (the bot or a manager may write first in WhatsApp), and
the channels (company numbers) with their state."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import conversations as use_cases
from services.task_sync.application.commands import StartConversation
from services.task_sync.auth import current_actor
from services.task_sync.http_json import json_response, read_body
from services.task_sync.schemas import ConversationIn


def routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/conversations", start_conversation)
    app.router.add_get("/api/v1/channels", list_channels)


async def list_channels(request: web.Request) -> web.Response:
    """The configured connections, and every channel's last reported state."""
    deps = request.app[DEPS]
    connections = [{"id": c.id, "provider": c.provider,
                    "channel_id": c.account.channel_id or None, "rate_per_second": c.rate}
                   for c in deps.connections]
    # last_webhook_at: the newest webhook any ingest replica accepted (reported every 30 s)
    items = [{"state": "unknown", "updated_at": None, "last_webhook_at": None} | c
             for c in await deps.channels.all()]
    return json_response({"connections": connections, "items": items})


async def start_conversation(request: web.Request) -> web.Response:
    """Create the task in the manager status and send the first message."""
    body = await read_body(request, ConversationIn)
    started = await use_cases.start_conversation(request.app[DEPS], StartConversation(
        actor=current_actor(request), idempotency_key=request.headers.get("Idempotency-Key"),
        **msgspec.structs.asdict(body)))
    return json_response({"task": started.task, "comment_id": started.comment_id},
                         status=201 if started.created else 200)
