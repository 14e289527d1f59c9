"""The bus and the worker loop on the real local RabbitMQ."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import pytest

from shared import events
from shared import worker as worker_module
from shared.bus import Bus, dead_letter_queue_name, declare
from shared.errors import PermanentError, RetryableError, WabridgeError
from shared.worker import RetryPolicy, Worker

FAST = RetryPolicy(base_seconds=0.05, max_attempts=3)


def received(chat_id: str, text: str = "hi", n: int = 0) -> events.MessageReceived:
    chat = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                          chat_id=chat_id)
    eid = events.derive_id("test", chat_id, text, str(n))
    return events.MessageReceived(id=eid, correlation_id=eid, occurred_at=events.utcnow(),
                                  chat=chat, gateway_message_id=eid, content_type="text",
                                  text=text)


def send(n: int = 0) -> events.SetTaskStatus:
    """A command for an unordered work queue (task-sync's)."""
    return events.SetTaskStatus(id=f"send-{n}", correlation_id="c", occurred_at=events.utcnow(),
                                task_id="t", status=f"status {n}")


WORK_QUEUE = "task_sync.commands"


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def get_one(
    bus: Bus, queue: str, timeout: float = 10.0
) -> aio_pika.abc.AbstractIncomingMessage:
    channel = await bus.connection.channel()
    q = await channel.get_queue(queue)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        msg = await q.get(no_ack=True, fail=False)
        if msg is not None:
            return msg
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"nothing arrived on {queue}")
        await asyncio.sleep(0.05)


async def queue_depth(bus: Bus, queue: str) -> int:
    channel = await bus.connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    await channel.close()
    return int(declared.declaration_result.message_count or 0)


async def test_declaring_the_topology_twice_is_harmless(bus: Bus) -> None:
    channel = await bus.connection.channel()
    await declare(channel, bus.topology)
    await declare(channel, bus.topology)


async def test_messages_of_one_chat_always_land_in_the_same_shard_queue(bus: Bus) -> None:
    shard = bus.topology.shard_of(received("79011112233").chat.key)
    for n in range(3):
        await bus.publish(received("79011112233", n=n))
    queue = bus.topology.queue_name(f"bot_router.inbound.{shard}")
    await wait_for_depth(bus, queue, 3)
    other = bus.topology.queue_name(f"bot_router.inbound.{1 - shard}")
    assert await queue_depth(bus, other) == 0


async def wait_for_depth(bus: Bus, queue: str, depth: int) -> None:
    for _ in range(100):
        if await queue_depth(bus, queue) == depth:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{queue} never reached depth {depth}")


def sends_worker(bus: Bus, handler: Any, **kw: Any) -> Worker:
    spec = next(q for q in bus.topology.queues() if q.name == WORK_QUEUE)
    return Worker(bus, spec, handler, policy=kw.pop("policy", FAST), **kw)


async def test_worker_acks_after_the_handler_succeeds(bus: Bus) -> None:
    seen: list[str] = []

    async def handler(message: events.Message) -> None:
        seen.append(message.id)

    worker = sends_worker(bus, handler)
    await worker.start()
    await bus.publish(send(1))
    await wait_for(lambda: seen == ["send-1"])
    await worker.stop()
    assert await queue_depth(bus, bus.topology.queue_name(WORK_QUEUE)) == 0


async def test_retryable_error_is_retried_through_the_delay_queue_until_it_succeeds(
    bus: Bus,
) -> None:
    attempts: list[int] = []
    retried_at: list[Any] = []

    async def handler(message: events.Message) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise RetryableError("gateway 503", code="HTTP_503")

    async def on_failure(message: events.Message, error: WabridgeError, retry_at: Any) -> None:
        retried_at.append(retry_at)

    worker = sends_worker(bus, handler, policy=RetryPolicy(base_seconds=0.05, max_attempts=5),
                          on_failure=on_failure)
    await worker.start()
    await bus.publish(send(2))
    await wait_for(lambda: len(attempts) == 3)
    await worker.stop()
    assert len(retried_at) == 2 and all(r is not None for r in retried_at)
    dlq = dead_letter_queue_name(bus.topology.queue_name(WORK_QUEUE))
    assert await queue_depth(bus, dlq) == 0


async def test_permanent_error_is_dead_lettered_at_once_with_its_reason(bus: Bus) -> None:
    calls: list[str] = []
    notified: list[Any] = []

    async def handler(message: events.Message) -> None:
        calls.append(message.id)
        raise PermanentError("Wazzup refused: bad contact", code="BAD_CONTACT")

    async def on_failure(message: events.Message, error: WabridgeError, retry_at: Any) -> None:
        notified.append((error.code, retry_at))

    worker = sends_worker(bus, handler, on_failure=on_failure)
    await worker.start()
    await bus.publish(send(3))
    dlq = dead_letter_queue_name(bus.topology.queue_name(WORK_QUEUE))
    dead = await get_one(bus, dlq)
    await worker.stop()
    assert calls == ["send-3"]
    assert notified == [("BAD_CONTACT", None)]
    assert dead.headers["x-error-code"] == "BAD_CONTACT"
    assert "bad contact" in str(dead.headers["x-last-error"])
    assert dead.headers["x-original-routing-key"] == "task.set_status"
    assert events.decode(dead.body).id == "send-3"


async def test_message_past_the_attempt_limit_is_dead_lettered(bus: Bus) -> None:
    attempts: list[int] = []

    async def handler(message: events.Message) -> None:
        attempts.append(1)
        raise RetryableError("still down", code="HTTP_500")

    worker = sends_worker(bus, handler)
    await worker.start()
    await bus.publish(send(4))
    dlq = dead_letter_queue_name(bus.topology.queue_name(WORK_QUEUE))
    dead = await get_one(bus, dlq)
    await worker.stop()
    assert len(attempts) == FAST.max_attempts
    assert dead.headers["x-attempts"] == FAST.max_attempts
    assert dead.headers["x-error-kind"] == "RetryableError"


async def test_undecodable_body_is_dead_lettered_as_bad_payload(bus: Bus) -> None:
    async def handler(message: events.Message) -> None:
        raise AssertionError("must not be called")

    worker = sends_worker(bus, handler)
    await worker.start()
    await bus.channel.default_exchange.publish(
        aio_pika.Message(body=b"\x81\xa4junk"),
        routing_key=bus.topology.queue_name(WORK_QUEUE))
    dlq = dead_letter_queue_name(bus.topology.queue_name(WORK_QUEUE))
    dead = await get_one(bus, dlq)
    await worker.stop()
    assert dead.headers["x-error-kind"] == "BadPayload"


async def test_ordered_queue_retries_in_place_so_the_chat_keeps_its_order(bus: Bus) -> None:
    order: list[str] = []
    failed_once: set[str] = set()

    async def handler(message: events.Message) -> None:
        assert isinstance(message, events.MessageReceived)
        if message.text == "first" and "first" not in failed_once:
            failed_once.add("first")
            raise RetryableError("database hiccup")
        order.append(message.text)

    chat = "79015550000"
    shard = bus.topology.shard_of(received(chat).chat.key)
    spec = next(q for q in bus.topology.queues() if q.name == f"bot_router.inbound.{shard}")
    worker = Worker(bus, spec, handler, policy=FAST)
    await worker.start()
    await bus.publish(received(chat, "first"))
    await bus.publish(received(chat, "second"))
    await wait_for(lambda: len(order) == 2)
    await worker.stop()
    assert order == ["first", "second"]


async def test_ordered_queue_waits_in_place_even_when_told_to_wait_long(
        bus: Bus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "INLINE_RETRY_MAX_S", 0.1)
    order: list[str] = []
    failed_once: set[str] = set()

    async def handler(message: events.Message) -> None:
        assert isinstance(message, events.MessageReceived)
        if message.text == "first" and "first" not in failed_once:
            failed_once.add("first")
            raise RetryableError("busy", retry_after=600)  # the delay queue would reorder
        order.append(message.text)

    chat = "79015550001"
    shard = bus.topology.shard_of(received(chat).chat.key)
    spec = next(q for q in bus.topology.queues() if q.name == f"bot_router.inbound.{shard}")
    worker = Worker(bus, spec, handler, policy=FAST)
    await worker.start()
    await bus.publish(received(chat, "first"))
    await bus.publish(received(chat, "second"))
    await wait_for(lambda: len(order) == 2)
    await worker.stop()
    assert order == ["first", "second"]


async def test_stop_waits_for_the_message_in_flight(bus: Bus) -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def handler(message: events.Message) -> None:
        started.set()
        await asyncio.sleep(0.5)
        finished.append(message.id)

    worker = sends_worker(bus, handler)
    await worker.start()
    await bus.publish(send(5))
    await started.wait()
    await worker.stop()
    assert finished == ["send-5"]
    assert await queue_depth(bus, bus.topology.queue_name(WORK_QUEUE)) == 0


@pytest.mark.parametrize("n", [20])
async def test_publish_all_confirms_every_message(bus: Bus, n: int) -> None:
    await bus.publish_all([send(i) for i in range(n)])
    await wait_for_depth(bus, bus.topology.queue_name(WORK_QUEUE), n)


async def test_a_message_no_queue_would_take_is_refused_not_lost(bus: Bus) -> None:
    chat = events.ChatRef(provider="wazzup", channel_id="c", chat_type="whatsapp", chat_id="1")
    orphan = events.ChannelUpdated(id="x", correlation_id="x", occurred_at=events.utcnow(),
                                   provider="wazzup", channel_id=chat.channel_id, state="qr")
    channel = await bus.connection.channel()
    queue = await channel.get_queue(bus.topology.queue_name("task_sync.events"))
    await queue.unbind(bus.topology.exchange_name("events"), "channel.updated")
    with pytest.raises(RetryableError, match="NO_ROUTE"):
        await bus.publish(orphan)
