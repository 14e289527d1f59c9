"""outbound-sender: the only service that calls gateways. Composition root only."""

from __future__ import annotations

import asyncio
from functools import partial
from urllib.parse import urlsplit

import aiohttp
from aio_pika.abc import AbstractIncomingMessage

from services.outbound_sender.channel_poll import run_channel_poll
from services.outbound_sender.dead_letter import BusDeadLetters
from services.outbound_sender.deps import ChannelStates, Deps
from services.outbound_sender.gateway import GatewayClient
from services.outbound_sender.handlers import (
    FAILURE_REPORTS,
    HANDLERS,
    dispatch,
    report_failure,
)
from services.outbound_sender.report_marks import run_report_marks
from services.outbound_sender.waker import channel_changed, run_waker
from shared import events
from shared.bus import declare_broadcast_queue, routing_key_of
from shared.channels_config import load_channels
from shared.config import OutboundSenderSettings, load
from shared.logs import get_logger
from shared.runtime import Connections, main_entry, new_app, retry_policy, serve_until_stopped
from shared.store import sends
from shared.store.sender_views import MongoChannelStates, MongoFiles
from shared.store.sends import MongoSendLedger
from shared.worker import Worker

log = get_logger(__name__)


async def run() -> None:
    settings = load(OutboundSenderSettings)
    channels = load_channels(needs=("api_key",))
    conns = await Connections.open(settings)
    await sends.ensure_indexes(conns.db)
    timeout = aiohttp.ClientTimeout(total=settings.gateway_timeout_seconds)
    session = aiohttp.ClientSession(timeout=timeout)
    hosts = {h.strip().lower() for h in settings.wabridge_media_hosts.split(",") if h.strip()}
    hosts |= {urlsplit(c.api_url).hostname or "" for c in channels}
    deps = Deps(sends=MongoSendLedger(conns.db), files=MongoFiles(conns.db), bus=conns.bus,
                gateway=GatewayClient(session, {c.id: c.rate for c in channels}),
                channels=channels, settings=settings,
                channel_states=ChannelStates(MongoChannelStates(conns.db)),
                media_hosts=frozenset(h for h in hosts if h),
                dead_letters=BusDeadLetters(conns.bus), retry=retry_policy(settings))
    workers = [
        Worker(conns.bus, spec, partial(dispatch, HANDLERS, deps),
               policy=retry_policy(settings), prefetch=settings.wabridge_prefetch,
               on_failure=partial(report_failure, FAILURE_REPORTS, deps))
        for spec in conns.bus.topology.queues_of("outbound_sender")
    ]
    await serve_until_stopped("outbound-sender", settings, settings.outbound_sender_port,
                              new_app(conns), workers, conns, cleanup=[session.close],
                              background=[partial(follow_channel_states, conns, deps),
                                          partial(run_channel_poll, deps),
                                          partial(run_waker, deps),
                                          partial(run_report_marks, deps.report_marks,
                                                  deps.sends)])


async def follow_channel_states(conns: Connections, deps: Deps, stop: asyncio.Event) -> None:
    """Learn channel state changes as they happen (sends to an inactive number wait, and go
    as soon as it is connected again)."""
    channel = await conns.bus.connection.channel()
    queue = await declare_broadcast_queue(channel, conns.bus.topology,
                                          [routing_key_of(events.ChannelUpdated)])

    async def on_update(message: AbstractIncomingMessage) -> None:
        try:
            event = events.decode(message.body)
            if isinstance(event, events.ChannelUpdated):
                await channel_changed(deps, event)
        except Exception:  # a broadcast copy: the channel poll and the timer heal a missed one
            log.exception("could not follow a channel state change")
        finally:
            await message.ack()

    await queue.consume(on_update)
    await stop.wait()


if __name__ == "__main__":
    main_entry("outbound-sender", run)
