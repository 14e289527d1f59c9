"""Polling each connection's channel list (states, and transports: Wazzup's ``wapi`` is a
WhatsApp Business channel, whose 24-hour window task-sync enforces). Webhooks report state
changes as they happen; the poll fills in what webhooks never say and heals missed ones."""

from __future__ import annotations

import asyncio

from services.outbound_sender.deps import Deps
from services.outbound_sender.waker import channel_changed
from shared import events
from shared.errors import WabridgeError
from shared.logs import get_logger
from shared.providers import REGISTRY

log = get_logger(__name__)


async def poll_once(deps: Deps) -> int:
    """Publish every listed channel's state; returns how many."""
    published = 0
    for connection in deps.channels:
        provider = REGISTRY[connection.provider]
        request = provider.build_channel_list(connection.account)
        if request is None:
            continue
        try:
            answer = await deps.gateway.call(provider.name, connection.id, request)
            listed = provider.interpret_channel_list(answer.status, answer.body, answer.headers,
                                                     events.utcnow())
            for event in listed:
                await channel_changed(deps, event)
            await deps.bus.publish_all(listed)
            published += len(listed)
        except WabridgeError as exc:
            log.warning("could not list the gateway's channels; trying again next round",
                        connection=connection.id, reason=str(exc))
    return published


async def run_channel_poll(deps: Deps, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await poll_once(deps)
        try:
            await asyncio.wait_for(stop.wait(), deps.settings.wabridge_channel_poll_seconds)
        except TimeoutError:
            pass
