"""Each task-sync replica follows the whole stream of task messages on its own exclusive
queue and feeds its consoles' live updates (``application/live_feed.py``)."""

from __future__ import annotations

import asyncio

from aio_pika.abc import AbstractIncomingMessage

from services.task_sync.application.live_feed import LiveFeed
from services.task_sync.deps import Deps
from shared import events
from shared.bus import Bus, declare_follower_queue
from shared.logs import get_logger

log = get_logger(__name__)


async def follow(deps: Deps, bus: Bus, stop: asyncio.Event, robot_name: str) -> None:
    """Consume until ``stop``; a message that cannot be shown is logged and dropped (the
    console's next reload shows the state from the database)."""
    feed = LiveFeed(deps.tasks, deps.live, robot_name)
    channel = await bus.connection.channel()
    await channel.set_qos(prefetch_count=256)
    queue = await declare_follower_queue(channel, bus.topology)

    async def on_message(message: AbstractIncomingMessage) -> None:
        try:
            await feed.on_message(events.decode(message.body))
        except Exception:  # a live update is never worth a stuck queue
            log.exception("live update dropped", routing_key=message.routing_key)
        await message.ack()

    await queue.consume(on_message)
    await stop.wait()
    await channel.close()
