"""bot-router: decides the bot dialogue per chat, in order. Composition root only."""

from __future__ import annotations

import asyncio
from functools import partial

from aio_pika.abc import AbstractIncomingMessage

from services.bot_router.decide import BotPolicy
from services.bot_router.flow_cache import FlowCache
from services.bot_router.handlers import Deps, handle
from shared.bus import (
    BOT_CACHE_BROADCAST,
    bot_inbound_queue,
    declare_broadcast_queue,
    parse_shards,
)
from shared.config import BotRouterSettings, load
from shared.runtime import (
    Connections,
    main_entry,
    new_app,
    retry_policy,
    serve_until_stopped,
)
from shared.send_queue import QueueingPublisher
from shared.store import conversations, flows, identities, scenarios
from shared.store.sends import MongoSendLedger
from shared.worker import Worker


def policy_from(settings: BotRouterSettings) -> BotPolicy:
    return BotPolicy(
        status_bot=settings.wabridge_status_bot, status_manager=settings.wabridge_status_manager,
        status_closed=settings.wabridge_status_closed, robot_user=settings.wabridge_robot_user,
        group_bot_user=settings.wabridge_group_bot_user, greeting=settings.wabridge_greeting,
        handover_text=settings.wabridge_handover_text,
        bot_in_groups=settings.wabridge_bot_in_groups,
        quiet_kinds=frozenset(k.strip() for k in settings.wabridge_bot_quiet_kinds.split(",")
                              if k.strip()))


async def run() -> None:
    settings = load(BotRouterSettings)
    conns = await Connections.open(settings)
    await conversations.ensure_indexes(conns.db)
    await identities.ensure_indexes(conns.db)
    policy = policy_from(settings)
    cache = FlowCache(partial(flows.live, conns.db), partial(scenarios.load, conns.db),
                      greeting=policy.greeting, handover_text=policy.handover_text)
    # a decided send is queued in its chat's send queue, then woken (shared.send_queue)
    publisher = QueueingPublisher(conns.bus, MongoSendLedger(conns.db))
    deps = Deps(conversations=conversations.MongoConversations(conns.db), publisher=publisher,
                policy=policy, flows=cache,
                identities=identities.MongoIdentities(conns.db))
    mine = {bot_inbound_queue(n) for n in
            parse_shards(settings.bot_router_shards, settings.wabridge_bus_shards)}
    workers = [
        Worker(conns.bus, spec, partial(handle, deps), policy=retry_policy(settings),
               prefetch=settings.wabridge_prefetch)
        for spec in conns.bus.topology.queues_of("bot_router") if spec.name in mine
    ]

    async def follow_bot_changes(stop: asyncio.Event) -> None:
        channel = await conns.bus.connection.channel()
        queue = await declare_broadcast_queue(channel, conns.bus.topology,
                                              list(BOT_CACHE_BROADCAST))

        async def on_change(message: AbstractIncomingMessage) -> None:
            cache.invalidate()
            await message.ack()

        await queue.consume(on_change)
        await stop.wait()

    await serve_until_stopped("bot-router", settings, settings.bot_router_port, new_app(conns),
                              workers, conns, background=[follow_bot_changes])


if __name__ == "__main__":
    main_entry("bot-router", run)
