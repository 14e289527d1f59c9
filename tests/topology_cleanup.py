"""Removing a test run's queues and exchanges from the shared local broker."""

from __future__ import annotations

import aio_pika

from shared.bus import DELAY_TIERS, Topology, dead_letter_queue_name, delay_queue_name


async def delete_topology(url: str, topology: Topology) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for spec in topology.queues():
            name = topology.queue_name(spec.name)
            for queue in (name, dead_letter_queue_name(name),
                          *(delay_queue_name(name, t) for t in DELAY_TIERS)):
                await channel.queue_delete(queue)
        for kind in ("events", "commands"):
            await channel.exchange_delete(topology.exchange_name(kind))
