"""Baseline: raw aio-pika against the same broker, in its own process; prints one JSON line.

Publishes persistent messages of the bus's message size to a durable quorum queue through a
topic exchange, with publisher confirms and ``mandatory``, from ``--concurrency`` concurrent
publishers on one channel (what ingest does with 50 connections); then consumes and acks them
with the services' prefetch. The queue and exchange are deleted afterwards.

    python -m bench.broker_baseline --url URL --name NAME --size BYTES --seconds S
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

import aio_pika
import uvloop


async def publish_phase(exchange: aio_pika.abc.AbstractExchange, body: bytes, concurrency: int,
                        seconds: float) -> tuple[int, float]:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    done = 0

    async def publisher() -> None:
        nonlocal done
        while loop.time() < end:
            message = aio_pika.Message(
                body=body, content_type="application/msgpack", message_id=os.urandom(16).hex(),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT, type="message.received",
                headers={"x-schema-version": 1})
            await exchange.publish(message, routing_key="message.received.0", mandatory=True,
                                   timeout=10)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(publisher() for _ in range(concurrency)))
    return done, time.perf_counter() - started


async def consume_phase(queue: aio_pika.abc.AbstractQueue, expected: int,
                        seconds: float) -> tuple[int, float]:
    got = 0
    first: float | None = None
    last = time.perf_counter()
    finished = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal got, first, last
        await message.ack()
        got += 1
        last = time.perf_counter()
        if first is None:
            first = last
        if got >= expected:
            finished.set()

    tag = await queue.consume(on_message)
    try:
        await asyncio.wait_for(finished.wait(), seconds)
    except TimeoutError:
        pass
    await queue.cancel(tag)
    # the rate from the first delivery on, so the consumer's registration is not counted
    return got, max(last - (first or last), 1e-9)


async def run(args: argparse.Namespace) -> dict[str, object]:
    connection = await aio_pika.connect(args.url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(f"{args.name}.x", aio_pika.ExchangeType.TOPIC,
                                                  durable=True)
        queue = await channel.declare_queue(args.name, durable=True,
                                            arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, "message.received.*")
        try:
            body = os.urandom(args.size)
            published, pub_s = await publish_phase(exchange, body, args.concurrency, args.seconds)
            consumer = await connection.channel()
            await consumer.set_qos(prefetch_count=args.prefetch)
            cqueue = await consumer.get_queue(args.name)
            consumed, con_s = await consume_phase(cqueue, published, max(args.seconds * 3, 10))
        finally:
            await channel.queue_delete(args.name)
            await channel.exchange_delete(f"{args.name}.x")
    return {
        "publish_confirmed": {"messages_per_s": round(published / pub_s, 1),
                              "messages": published, "message_bytes": args.size,
                              "concurrency": args.concurrency, "queue_type": "quorum",
                              "persistent": True},
        "consume_ack": {"messages_per_s": round(consumed / con_s, 1), "messages": consumed,
                        "prefetch": args.prefetch},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--prefetch", type=int, default=32)
    print(json.dumps(uvloop.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
