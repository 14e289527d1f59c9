"""How the database grows per message: documents and BSON bytes per collection, measured on a
running stack (the stand-in in memory, unless MONGODB_URL is set), for the README's capacity
figures.

    .venv/bin/python -m deploy.growth [--chats 100]

Phase "new chat": each chat's first message (a task opens, the bot greets). Phase "code": one
more message per chat answered by a scenario. Phase "manager": one manager comment per chat.
Index and storage-engine overhead come on top on real MongoDB (indexes roughly a third of
the data for these collections; WiredTiger's compression takes about half off the data).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aio_pika
import aiohttp
import bson
from pymongo import AsyncMongoClient

from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from shared.bus import DELAY_TIERS, Topology, dead_letter_queue_name, delay_queue_name

ADMIN = {"Authorization": "Bearer demo-admin-token"}


async def sizes(url: str, db_name: str) -> dict[str, tuple[int, int]]:
    """Collection -> (documents, BSON bytes)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        db = client[db_name]
        out = {}
        for name in sorted(await db.list_collection_names()):
            docs = [doc async for doc in db[name].find({})]
            out[name] = (len(docs), sum(len(bson.encode(d)) for d in docs))
        return out
    finally:
        await client.close()


async def wait_for(probe: Any, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the stack did not finish the phase")
        await asyncio.sleep(0.2)


async def drive(stack: Stack, chats: list[str], db: tuple[str, str]) -> dict[str, Any]:
    base = {n: f"http://127.0.0.1:{p}" for n, p in stack.ports.items()}
    phases: dict[str, Any] = {}
    async with aiohttp.ClientSession() as http:
        async def sent() -> int:
            async with http.get(f"{base['sandbox']}/sandbox/requests",
                                params={"delivered": "true"}) as resp:
                return len(await resp.json())

        async def inbound(text: str) -> None:
            for chat in chats:
                async with http.post(f"{base['sandbox']}/sandbox/inbound",
                                     json={"chat_id": chat, "text": text}) as resp:
                    assert resp.status == 200, await resp.text()

        async def comment() -> None:
            async with http.get(f"{base['task_sync']}/api/v1/tasks?limit=500",
                                headers=ADMIN) as resp:
                tasks = (await resp.json())["items"]
            for task in tasks:
                async with http.post(f"{base['task_sync']}/api/v1/tasks/{task['id']}/comments",
                                     json={"text": "Ответ менеджера по вашему вопросу."},
                                     headers=ADMIN) as resp:
                    assert resp.status == 201, await resp.text()

        before = await sizes(*db)
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("new chat", partial(inbound, "Здравствуйте")), ("code", partial(inbound, "1")),
            ("manager", comment)]
        for n, (phase, step) in enumerate(steps, start=1):
            await step()
            await wait_for(partial(_at_least, sent, n * len(chats)))
            await asyncio.sleep(2)  # statuses and results settle
            after = await sizes(*db)
            phases[phase] = {name: {"docs_per_message": round((d - before.get(name, (0, 0))[0])
                                                              / len(chats), 2),
                                    "bytes_per_message": round((b - before.get(name, (0, 0))[1])
                                                               / len(chats))}
                             for name, (d, b) in after.items()
                             if (d, b) != before.get(name, (0, 0))}
            before = after
    return phases


async def _at_least(count: Any, n: int) -> bool:
    return bool(await count() >= n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=100)
    args = parser.parse_args()
    prefix = f"growth{uuid.uuid4().hex[:6]}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_BUS_PREFIX": prefix, "WABRIDGE_DB": prefix, "LOG_LEVEL": "warning"}
    stack = Stack(var_dir=ROOT / ".var" / prefix, env=env, memory_db=True, sandbox_only=True)
    try:
        stack.start()
        url = stack.env.get("MONGODB_URL") or os.environ["MONGODB_URL"]
        chats = ["7997" + str(uuid.uuid4().int)[:7] for _ in range(args.chats)]
        result = asyncio.run(drive(stack, chats, (url, prefix)))
        print(json.dumps({"chats": args.chats, "phases": result}, indent=2, ensure_ascii=False))
    finally:
        stack.stop()
        asyncio.run(delete_queues(stack.base_env()["RABBITMQ_URL"], Topology(prefix, 8)))


async def delete_queues(url: str, topology: Topology) -> None:
    """Remove this run's work queues and exchanges from the broker (the rest expire)."""
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


if __name__ == "__main__":
    main()
