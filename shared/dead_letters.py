"""Dead-letter queues: what is in them, and putting messages back on their work queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aio_pika

from shared import events
from shared.bus import Topology, dead_letter_queue_name
from shared.config import Common, load


def _topology(settings: Common) -> Topology:
    return Topology(settings.wabridge_bus_prefix, settings.wabridge_bus_shards)


def _work_queues(topology: Topology, queue: str | None) -> list[str]:
    names = [topology.queue_name(q.name) for q in topology.queues()]
    if queue is None:
        return names
    wanted = queue if queue.startswith(f"{topology.prefix}.") else topology.queue_name(queue)
    matching = [n for n in names if n == wanted or n.startswith(f"{wanted}.")]
    if not matching:
        raise SystemExit(f"no work queue {queue!r}; known: "
                         f"{', '.join(q.name for q in topology.queues())}")
    return matching  # a sharded queue's name covers all its shards


def _describe(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}
    try:
        decoded = events.decode(message.body)
        summary = {"type": events.message_type(decoded), "id": decoded.id,
                   "correlation_id": decoded.correlation_id}
    except Exception as exc:  # a dead letter may be undecodable: that is often why it is here
        summary = {"undecodable": str(exc)[:200]}
    return summary | {k: headers.get(k) for k in (
        "x-error-code", "x-last-error", "x-attempts", "x-failed-at", "x-original-routing-key")
    } | {"can_succeed": can_succeed(headers)}


# refused for what the message is, not for the moment it came: a replay fails the same way
NEVER_SUCCEEDS = frozenset({"MEDIA_URL_REFUSED", "FILE_TOO_LARGE", "BAD_PAYLOAD", "BAD_DATA",
                            "TEMPLATES_NOT_SUPPORTED", "NO_MEDIA_URL"})


def can_succeed(headers: Mapping[str, Any]) -> bool:
    """False for a dead letter that a replay cannot fix (listed so, to be purged, not replayed);
    others (a gateway's refusal, a blocked channel) may go through once the cause is fixed."""
    return not (headers.get("x-error-kind") == "BadPayload"
                or headers.get("x-error-code") in NEVER_SUCCEEDS)


async def list_dead_letters(queue: str | None, limit: int) -> dict[str, Any]:
    """Peek (nothing is removed): messages are held unacknowledged, then returned in order."""
    settings = load(Common)
    topology = _topology(settings)
    report: dict[str, Any] = {}
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        for work in _work_queues(topology, queue):
            channel = await connection.channel()
            dlq = await channel.declare_queue(dead_letter_queue_name(work), passive=True)
            count = dlq.declaration_result.message_count or 0
            if not count and queue is None:
                await channel.close()
                continue
            seen = []
            for _ in range(min(limit, count)):
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                seen.append(_describe(message))
            await channel.close()  # returns the unacknowledged messages to the queue
            report[work] = {"count": count, "messages": seen}
    return report


async def replay_dead_letters(queue: str, limit: int, message_id: str | None) -> int:
    """Move dead letters back to their work queue (each shard's to its own) with a fresh
    attempt count; ``message_id`` picks one."""
    settings = load(Common)
    topology = _topology(settings)
    moved = 0
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        for work in _work_queues(topology, queue):
            moved += await _replay_queue(connection, work, limit - moved, message_id)
    return moved


async def _replay_queue(connection: aio_pika.abc.AbstractConnection, work: str, limit: int,
                        message_id: str | None) -> int:
    moved = 0
    channel = await connection.channel(publisher_confirms=True)
    dlq = await channel.declare_queue(dead_letter_queue_name(work), passive=True)
    skipped = []
    for _ in range(dlq.declaration_result.message_count or 0):
        if moved >= limit:
            break
        message = await dlq.get(no_ack=False, fail=False)
        if message is None:
            break
        if message_id and message.message_id != message_id:
            skipped.append(message)
            continue
        headers = {k: v for k, v in (message.headers or {}).items() if k != "x-attempt"}
        await channel.default_exchange.publish(aio_pika.Message(
            body=message.body, headers=headers | {"x-replayed": True},
            message_id=message.message_id, correlation_id=message.correlation_id,
            type=message.type, content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=work)
        await message.ack()
        moved += 1
    for message in skipped:
        await message.nack(requeue=True)
    await channel.close()
    return moved


async def purge_dead_letters(queue: str) -> int:
    """Drop every dead letter of a work queue (all its shards); how many were dropped."""
    settings = load(Common)
    topology = _topology(settings)
    purged = 0
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        for work in _work_queues(topology, queue):
            channel = await connection.channel()
            dlq = await channel.declare_queue(dead_letter_queue_name(work), passive=True)
            result = await dlq.purge()
            purged += result.message_count or 0
            await channel.close()
    return purged


def work_queue_names() -> list[str]:
    """The work queues (each shard on its own), without the bus prefix."""
    topology = _topology(load(Common))
    prefix = f"{topology.prefix}."
    return [q.removeprefix(prefix) for q in _work_queues(topology, None)]


class RabbitDeadLetters:
    """task-sync's ``DeadLetters`` port over RabbitMQ (a connection per call: admins' use)."""

    def queues(self) -> list[str]:
        return work_queue_names()

    async def list(self, queue: str | None, limit: int) -> dict[str, Any]:
        return await list_dead_letters(queue, limit)

    async def replay(self, queue: str, limit: int, message_id: str | None) -> int:
        return await replay_dead_letters(queue, limit, message_id)

    async def purge(self, queue: str) -> int:
        return await purge_dead_letters(queue)
