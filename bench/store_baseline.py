"""Baseline: raw single-document round trips against the same database, in its own process.

A mix of ``insert_one``, ``find_one`` by ``_id`` and ``update_one`` by ``_id`` on ~300-byte
documents (the size of a conversation or comment), first one at a time, then from
``--concurrency`` concurrent tasks. The scratch database is dropped afterwards. Prints JSON.

    python -m bench.store_baseline --url URL --db NAME --seconds S
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
import uuid
from typing import Any

import uvloop
from pymongo import AsyncMongoClient


async def mixed_round_trips(coll: Any, seconds: float, concurrency: int) -> tuple[int, float]:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    done = 0
    steps = itertools.count()

    async def worker() -> None:
        nonlocal done
        while loop.time() < end:
            key = uuid.uuid4().hex
            doc = {"_id": key, "chat_key": f"chan:whatsapp:{key[:11]}", "state": "bot",
                   "task_id": key[::-1], "text": "x" * 200, "n": next(steps)}
            await coll.insert_one(doc)
            await coll.find_one({"_id": key})
            await coll.update_one({"_id": key}, {"$set": {"state": "manager"}})
            done += 3

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - started


async def run(args: argparse.Namespace) -> dict[str, object]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(args.url, tz_aware=True)
    try:
        coll = client[args.db]["raw"]
        await coll.find_one({"_id": "warm-up"})
        seq_n, seq_s = await mixed_round_trips(coll, args.seconds, 1)
        con_n, con_s = await mixed_round_trips(coll, args.seconds, args.concurrency)
    finally:
        await client.drop_database(args.db)
        await client.close()
    return {"sequential_round_trips_per_s": round(seq_n / seq_s, 1),
            "concurrent_round_trips_per_s": round(con_n / con_s, 1),
            "concurrency": args.concurrency,
            "mix": "insert_one + find_one(_id) + update_one(_id), ~300-byte documents"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    print(json.dumps(uvloop.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
