"""The bus: topology as data, its idempotent declaration, and publishing with confirms.

This is the only module that declares exchanges and queues. Every work queue ``Q`` is a durable
quorum queue with companions: ``Q.delay.<n>s`` (classic queues whose expired messages flow back
into ``Q``; the worker picks the tier for a retry's backoff) and ``Q.dlq`` (dead letters, kept
until replayed). Chat-scoped events carry a shard suffix in their routing key, so that all
messages of one chat land in the same single-active-consumer queue and are decided in order.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
import msgspec
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from pamqp.commands import Basic

from shared import events
from shared.errors import RetryableError
from shared.metrics import PUBLISHES, child

DELAY_TIERS = (1, 5, 30, 120, 600)
CHAT_SCOPED = frozenset({"message.received", "task.status_changed", "outbound.send"})
DELIVERY_LIMIT = 20  # a message that kills its consumer this often is dead-lettered by the broker
# what every bot-router process follows on its own broadcast queue to drop cached bot settings
BOT_CACHE_BROADCAST = ("scenarios.changed", "flows.changed")


class QueueSpec(msgspec.Struct, frozen=True):
    """One work queue: its name, the exchange it reads and the routing keys bound to it."""

    name: str
    exchange: str  # "events" | "commands"
    bindings: tuple[str, ...]
    single_active_consumer: bool = False


class Topology(msgspec.Struct, frozen=True):
    prefix: str
    shards: int

    def exchange_name(self, kind: str) -> str:
        return f"{self.prefix}.{kind}"

    def queue_name(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def queues(self) -> list[QueueSpec]:
        shards = [
            QueueSpec(f"bot_router.inbound.{n}", "events",
                      (f"message.received.{n}", f"task.status_changed.{n}"),
                      single_active_consumer=True)
            for n in range(self.shards)
        ]
        # a chat's send wakes in one queue with one active consumer; the sends themselves wait
        # in their chat's queue of records (shared.domain.sends), which keeps their order
        sends = [
            QueueSpec(send_queue(n), "commands", (f"outbound.send.{n}",),
                      single_active_consumer=True)
            for n in range(self.shards)
        ]
        return [
            *shards,
            *sends,
            QueueSpec("task_sync.commands", "commands", ("task.*", "directory.*")),
            QueueSpec("task_sync.events", "events",
                      ("send.succeeded", "send.failed", "status.updated", "channel.updated",
                       "media.stored", "media.failed", "template.status_changed",
                       "template.listed", "channel.webhook_seen")),
            QueueSpec("outbound_sender.media", "commands", ("media.fetch",)),
            # read marks, typing and reactions: not messages, so outside the chat's send order
            QueueSpec("outbound_sender.signals", "commands",
                      ("outbound.signal", "outbound.templates")),
        ]

    def queues_of(self, service: str) -> list[QueueSpec]:
        return [q for q in self.queues() if q.name.startswith(f"{service}.")]

    def shard_of(self, chat_key: str) -> int:
        return zlib.crc32(chat_key.encode()) % self.shards

    def route(self, message: events.Message) -> tuple[str, str]:
        """(exchange kind, routing key) of ``message``."""
        kind = "commands" if isinstance(message, events.Command) else "events"
        key = events.message_type(message)
        chat_key = events.chat_key_of(message)
        if key in CHAT_SCOPED and chat_key is not None:
            key = f"{key}.{self.shard_of(chat_key)}"
        return kind, key


def bot_inbound_queue(shard: int) -> str:
    """The name (unprefixed, as in ``Topology.queues``) of bot-router's inbound queue ``shard``."""
    return f"bot_router.inbound.{shard}"


def send_queue(shard: int) -> str:
    """The name (unprefixed) of outbound-sender's send queue ``shard``."""
    return f"outbound_sender.sends.{shard}"


def parse_shards(text: str, total: int) -> list[int]:
    """``"0-3,6"`` → [0, 1, 2, 3, 6]; empty means every shard. ``ValueError`` when malformed."""
    if not text.strip():
        return list(range(total))
    chosen: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        first, last = int(low), int(high or low)
        if not 0 <= first <= last < total:
            raise ValueError(f"shard range {part.strip()!r} is outside 0-{total - 1}")
        chosen.update(range(first, last + 1))
    return sorted(chosen)


def delay_queue_name(queue: str, tier: int) -> str:
    return f"{queue}.delay.{tier}s"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


async def declare(channel: AbstractChannel, topology: Topology) -> dict[str, AbstractExchange]:
    """Declare every exchange and queue (idempotent; every service does it at start)."""
    exchanges = {
        kind: await channel.declare_exchange(
            topology.exchange_name(kind), aio_pika.ExchangeType.TOPIC, durable=True)
        for kind in ("events", "commands")
    }
    for spec in topology.queues():
        name = topology.queue_name(spec.name)
        dlq = dead_letter_queue_name(name)
        await channel.declare_queue(dlq, durable=True, arguments={"x-queue-type": "quorum"})
        arguments: dict[str, Any] = {
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dlq,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        if spec.single_active_consumer:
            arguments["x-single-active-consumer"] = True
        queue = await channel.declare_queue(name, durable=True, arguments=arguments)
        for key in spec.bindings:
            await queue.bind(exchanges[spec.exchange], key)
        for tier in DELAY_TIERS:
            await channel.declare_queue(
                delay_queue_name(name, tier), durable=True,
                arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": name},
            )
    return exchanges


def routing_key_of(message_type: type[events.Envelope]) -> str:
    """The routing key of ``message_type``'s messages, before any shard suffix."""
    tag: str = message_type.__struct_config__.tag  # type: ignore[assignment]
    return tag


async def declare_broadcast_queue(
    channel: AbstractChannel, topology: Topology, routing_keys: Sequence[str]
) -> aio_pika.abc.AbstractQueue:
    """A private, auto-deleted queue per process for cache invalidation events."""
    exchange = await channel.get_exchange(topology.exchange_name("events"))
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    for key in routing_keys:
        await queue.bind(exchange, key)
    return queue


def amqp_message(
    message: events.Message, headers: dict[str, Any] | None = None
) -> aio_pika.Message:
    return aio_pika.Message(
        body=events.encode(message),
        content_type="application/msgpack",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.id,
        correlation_id=message.correlation_id,
        type=events.message_type(message),
        timestamp=datetime.now(UTC),
        headers={"x-schema-version": message.schema_version, **(headers or {})},
    )


def _metric_key(routing_key: str) -> str:
    """The routing key without its shard suffix (bounded label values)."""
    return routing_key.rsplit(".", 1)[0] if routing_key[-1].isdigit() else routing_key


class Bus:
    """A connection, a confirming publish channel and the declared exchanges."""

    def __init__(
        self,
        connection: AbstractRobustConnection,
        channel: AbstractChannel,
        exchanges: dict[str, AbstractExchange],
        topology: Topology,
    ) -> None:
        self.connection = connection
        self.channel = channel
        self.exchanges = exchanges
        self.topology = topology

    @classmethod
    async def connect(cls, url: str, topology: Topology) -> Bus:
        connection = await aio_pika.connect_robust(url, client_properties={"product": "wabridge"})
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchanges = await declare(channel, topology)
        return cls(connection, channel, exchanges, topology)

    async def publish(self, message: events.Message, *, timeout: float = 10.0) -> None:
        """Publish and wait for the broker's confirm; ``RetryableError`` when it does not come
        within ``timeout`` seconds (waiting for a lost connection to come back included)."""
        kind, key = self.topology.route(message)
        properties = Basic.Properties(
            content_type="application/msgpack", delivery_mode=2, message_id=message.id,
            correlation_id=message.correlation_id, message_type=events.message_type(message),
            timestamp=datetime.now(UTC), headers={"x-schema-version": message.schema_version})
        try:
            async with asyncio.timeout(timeout):
                # straight to aiormq: aio-pika's Message wrapper costs ~20% of a publish's CPU,
                # and ingest publishes on its hot path; a returned (unroutable) message raises
                raw_channel = await self.channel.get_underlay_channel()
                confirmation = await raw_channel.basic_publish(
                    events.encode(message), exchange=self.exchanges[kind].name,
                    routing_key=key, properties=properties, mandatory=True)
        except (TimeoutError, aio_pika.exceptions.AMQPError, ConnectionError,
                aio_pika.exceptions.ChannelInvalidStateError) as exc:
            raise RetryableError(
                f"broker did not confirm {key} {message.id}: {exc!r}", code="BUS_UNAVAILABLE"
            ) from exc
        if not isinstance(confirmation, Basic.Ack):
            raise RetryableError(f"broker refused {key} {message.id}: {confirmation!r}",
                                 code="BUS_UNAVAILABLE")
        child(PUBLISHES, kind, _metric_key(key)).inc()

    async def publish_all(self, messages: Sequence[events.Message], *,
                          timeout: float = 10.0) -> None:
        """Publish concurrently (confirms pipeline); raises if any one was not confirmed."""
        if len(messages) <= 1:
            for message in messages:
                await self.publish(message, timeout=timeout)
            return
        results = await asyncio.gather(*(self.publish(m, timeout=timeout) for m in messages),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def send_to_queue(
        self, queue: str, body: bytes, *, headers: dict[str, Any],
        properties: dict[str, Any], expiration: float | None = None,
    ) -> None:
        """Put raw bytes on a named queue (retry delay or dead letter), confirmed."""
        msg = aio_pika.Message(
            body=body, headers=headers, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            expiration=expiration, **properties,
        )
        try:
            await self.channel.default_exchange.publish(msg, routing_key=queue, mandatory=True,
                                                        timeout=10)
        except (TimeoutError, aio_pika.exceptions.AMQPError, ConnectionError) as exc:
            raise RetryableError(f"broker did not confirm a message for {queue}: {exc!r}",
                                 code="BUS_UNAVAILABLE") from exc

    async def check(self) -> None:
        """Readiness: the connection is open and the broker answers a passive declare."""
        if self.connection.is_closed:
            raise ConnectionError("broker connection is closed")
        await self.channel.get_exchange(self.topology.exchange_name("events"), ensure=True)

    async def close(self) -> None:
        await self.connection.close()


# What every task-sync replica follows for its consoles' live updates: (exchange, routing key)
CONSOLE_FEED: tuple[tuple[str, str], ...] = (
    ("events", "task.activity"), ("events", "send.succeeded"), ("events", "send.failed"),
    ("events", "status.updated"), ("events", "media.stored"), ("events", "media.failed"),
    ("commands", "task.add_comment"), ("commands", "task.add_comments"),
    ("events", "sla.breached"), ("events", "desk.notice"),  # issue 13: deadlines and notices
)


async def declare_follower_queue(
    channel: AbstractChannel, topology: Topology,
    bindings: Sequence[tuple[str, str]] = CONSOLE_FEED,
) -> aio_pika.abc.AbstractQueue:
    """A private, auto-deleted queue per process that sees a copy of every bound message
    (the work queues are not affected: each exchange copies to every bound queue)."""
    queue = await channel.declare_queue(exclusive=True, auto_delete=True,
                                        arguments={"x-max-length": 100_000})
    for kind, key in bindings:
        await queue.bind(await channel.get_exchange(topology.exchange_name(kind)), key)
    return queue
