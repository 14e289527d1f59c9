"""The faults, each applied while a scenario's load runs. A fault returns what it did."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from deploy.stack import SERVICES
from tests.chaos.system import STATEFUL, System, in_thread

CHANNEL = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"  # the sandbox's Wazzup number


@dataclass
class Context:
    system: System
    http: aiohttp.ClientSession

    async def sandbox(self, path: str, body: dict[str, Any],
                      query: str = "") -> None:
        url = f"http://127.0.0.1:{self.system.running.ports['sandbox']}{path}{query}"
        async with self.http.post(url, json=body) as answer:
            answer.raise_for_status()


Fault = Callable[[Context, float], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Fault
    duration_s: float
    chats: int
    unkeyed: int = 0  # chats on a gateway without a duplicate key (chat-api)
    latency_s: float = 0.0  # the gateway's round trip while the scenario runs


async def kills(ctx: Context, duration_s: float) -> dict[str, Any]:
    """SIGKILL a random service every few seconds (restarted at once)."""
    killed: list[str] = []
    until = time.monotonic() + duration_s
    while time.monotonic() < until:
        await asyncio.sleep(random.uniform(1.5, 4.0))
        killed.append(await in_thread(ctx.system.kill_random))
    return {"kills": len(killed), "killed": sorted(set(killed)),
            "outbound_sender_kills": sum(k.startswith("outbound_sender") for k in killed)}


async def sender_kills(ctx: Context, duration_s: float) -> dict[str, Any]:
    """Only outbound-sender is killed, every few seconds, while each gateway call takes 300 ms:
    the kills land inside calls the gateway has already acted on. Wazzup drops the repeat
    (crmMessageId); chat-api has no such key, so its copies measure the crash window."""
    killed = 0
    until = time.monotonic() + duration_s
    while time.monotonic() < until:
        await asyncio.sleep(random.uniform(1.5, 3.0))
        await in_thread(ctx.system.kill_and_restart,
                        random.choice(ctx.system.processes(("outbound_sender",))))
        killed += 1
    return {"outbound_sender_kills": killed}


async def replica_kills(ctx: Context, duration_s: float) -> dict[str, Any]:
    """Kill one replica of each service in turn (the others carry on), restarting each."""
    killed = []
    for service in SERVICES:
        name = random.choice(ctx.system.processes((service,)))
        await asyncio.sleep(duration_s / len(SERVICES))
        await in_thread(ctx.system.kill_and_restart, name)
        killed.append(name)
    return {"kills": len(killed), "killed": killed}


async def broker_restart(ctx: Context, duration_s: float) -> dict[str, Any]:
    """The broker goes away for ``duration_s`` and comes back (queues recovered from disk)."""
    await asyncio.sleep(3)
    await in_thread(ctx.system.broker.restart, duration_s)
    return {"broker_down_s": duration_s}


async def broker_blip(ctx: Context, duration_s: float) -> dict[str, Any]:
    """A short broker outage: stopped and started again at once."""
    await asyncio.sleep(3)
    started = time.monotonic()
    await in_thread(ctx.system.broker.restart, 0)
    return {"broker_down_s": round(time.monotonic() - started, 1)}


async def storms(ctx: Context, duration_s: float) -> dict[str, Any]:
    """The gateway answers most sends with 500, then with 429 and Retry-After."""
    await asyncio.sleep(2)
    await ctx.sandbox("/sandbox/chaos", {"fail_status": 500, "fail_ratio": 0.8})
    await asyncio.sleep(duration_s / 2)
    await ctx.sandbox("/sandbox/chaos", {"fail_status": 429, "fail_ratio": 0.8,
                                         "retry_after": 3})
    await asyncio.sleep(duration_s / 2)
    return {"storm_s": duration_s}


async def slow_gateway(ctx: Context, duration_s: float) -> dict[str, Any]:
    """The gateway answers after the bridge's timeout (it did accept the sends)."""
    await asyncio.sleep(2)
    await ctx.sandbox("/sandbox/chaos", {"latency_s": 4.5})
    await asyncio.sleep(duration_s)
    return {"slow_s": duration_s, "latency_s": 4.5, "timeout_s": 3}


async def channel_down(ctx: Context, duration_s: float) -> dict[str, Any]:
    """The company number disconnects and comes back (Wazzup's channelsUpdates webhooks)."""
    async def state(value: str) -> None:
        update = {"channelsUpdates": [{"channelId": CHANNEL, "state": value,
                                       "timestamp": int(time.time() * 1000)}]}
        await ctx.sandbox("/sandbox/webhook", update, "?provider=wazzup")

    await asyncio.sleep(3)
    await state("phoneUnavailable")
    await asyncio.sleep(duration_s)
    await state("active")
    return {"channel_down_s": duration_s}


async def database_cut(ctx: Context, duration_s: float) -> dict[str, Any]:
    """Each stateful service in turn cannot reach MongoDB for ``duration_s``."""
    cut = []
    for service in STATEFUL:
        await asyncio.sleep(2)
        proxy = ctx.system.running.proxies[service]
        proxy.cut()
        await asyncio.sleep(duration_s)
        proxy.restore()
        cut.append(service)
    return {"without_database_s": duration_s, "services": cut}


QUICK = [
    Scenario("kills", kills, 20, chats=10, unkeyed=4, latency_s=0.3),
    Scenario("broker_blip", broker_blip, 0, chats=8),
    Scenario("gateway_storms", storms, 14, chats=8),
]
FULL = [
    Scenario("kills", kills, 60, chats=30, unkeyed=10, latency_s=0.3),
    Scenario("crash_window", sender_kills, 60, chats=20, unkeyed=20, latency_s=0.3),
    Scenario("broker_restart", broker_restart, 15, chats=20),
    Scenario("broker_blip", broker_blip, 0, chats=20),
    Scenario("gateway_storms", storms, 40, chats=20),
    Scenario("slow_gateway", slow_gateway, 20, chats=20),
    Scenario("channel_down", channel_down, 30, chats=20),
    Scenario("database_cut", database_cut, 20, chats=20),
]
REPLICAS = Scenario("replica_kills", replica_kills, 40, chats=20, latency_s=0.3)
# make test's version: a kill every 3 s, each while chats are still arriving
REPLICAS_QUICK = Scenario("replica_kills", replica_kills, 12, chats=8, latency_s=0.3)
