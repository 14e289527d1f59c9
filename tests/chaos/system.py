"""The system under test: its own RabbitMQ node, the MongoDB stand-in with a proxy in front of
it per service, and the services and sandbox as processes on free ports (``deploy.stack``)."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
from pymongo import AsyncMongoClient

from deploy.stack import PORT_VARS, SERVICES, Stack, free_port, service_of
from services.sandbox.first_form_world import bridge_env
from shared import events
from shared.bus import Topology, dead_letter_queue_name
from tests.chaos.broker import PrivateBroker
from tests.chaos.proxy import TcpProxy

STATEFUL = ("task_sync", "bot_router", "outbound_sender")
SHARDS = 4


@dataclass
class ChaosStack(Stack):
    """A ``Stack`` whose stateful services each reach MongoDB through a proxy of their own."""

    proxies: dict[str, TcpProxy] = field(default_factory=dict)

    def start(self) -> None:
        self.start_mongo()
        mongo_port = urlsplit(self.env["MONGODB_URL"]).port or 27017
        for service in STATEFUL:
            self.proxies[service] = proxy = TcpProxy(mongo_port)
            proxy.start()
        super().start()

    def replica_env(self, name: str) -> dict[str, str]:
        env = super().replica_env(name)
        proxy = self.proxies.get(service_of(name))
        if proxy is not None:
            env["MONGODB_URL"] = f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true"
        return env

    def stop(self, timeout_s: float = 20) -> None:
        super().stop(timeout_s)
        for proxy in self.proxies.values():
            proxy.stop()


class System:
    """Everything the scenarios act on, and what the checks read."""

    def __init__(self, var_dir: Path, replicas: int = 1, task_system: str = "builtin") -> None:
        self.var_dir = var_dir
        self.task_system = task_system
        self.broker = PrivateBroker(var_dir / "rabbitmq")
        self.prefix = f"chaos{uuid.uuid4().hex[:6]}"
        self.replicas = replicas
        self.stack: ChaosStack | None = None

    def start(self) -> None:
        self.broker.start()
        env = {var: str(free_port()) for var in PORT_VARS.values()}
        env |= {"RABBITMQ_URL": self.broker.url, "WABRIDGE_BUS_PREFIX": self.prefix,
                "WABRIDGE_BUS_SHARDS": str(SHARDS), "WABRIDGE_RETRY_BASE_SECONDS": "0.5",
                "WABRIDGE_MAX_ATTEMPTS": "10", "WABRIDGE_OUTBOX_SWEEP_SECONDS": "2",
                "WABRIDGE_RECONCILE_AFTER_SECONDS": "30", "GATEWAY_TIMEOUT_SECONDS": "3",
                "WABRIDGE_REPLICAS": str(self.replicas), "LOG_LEVEL": "warning"}
        if self.task_system == "first_form":  # the sandbox's First Form (issue 15)
            env |= bridge_env(f"http://127.0.0.1:{env['SANDBOX_PORT']}") | {
                "FIRST_FORM_POLL_SECONDS": "0.5", "FIRST_FORM_REQUESTS_PER_SECOND": "200",
                "FIRST_FORM_TIMEOUT_SECONDS": "5"}
        self.stack = ChaosStack(var_dir=self.var_dir, env=env, memory_db=True,
                                sandbox_only=True)
        self.stack.start()

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        self.broker.stop()

    @property
    def running(self) -> ChaosStack:
        assert self.stack is not None
        return self.stack

    def processes(self, services: tuple[str, ...] = SERVICES) -> list[str]:
        return [n for s in services for n in self.running.replica_names(s)]

    def kill_and_restart(self, name: str) -> None:
        """SIGKILL, as a crash would, and start it again at once (as an orchestrator would)."""
        self.running.kill(name)
        self.running.restart(name)

    def kill_random(self) -> str:
        name = random.choice(self.processes())
        self.kill_and_restart(name)
        return name

    async def open_sends(self) -> int:
        """Sends still in a chat's queue."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self.running.env["MONGODB_URL"])
        try:
            db = client[self.running.setting("WABRIDGE_DB") or "wabridge"]
            return int(await db.sends.count_documents({"queue_key": {"$exists": True}}))
        finally:
            await client.close()

    async def interrupted_sends(self) -> dict[str, int]:
        """Per gateway: sends whose attempt was cut short by a crash of their holder."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self.running.env["MONGODB_URL"])
        found: dict[str, int] = {}
        try:
            db = client[self.running.setting("WABRIDGE_DB") or "wabridge"]
            async for doc in db.sends.find({"interrupted": {"$gt": 0}}, {"command": 1}):
                provider = events.decode(doc["command"]).chat.provider  # type: ignore[union-attr]
                found[provider] = found.get(provider, 0) + 1
        finally:
            await client.close()
        return found

    async def queue_depths(self) -> tuple[int, dict[str, int]]:
        """Messages waiting in the work queues, and the dead letters per queue."""
        topology = Topology(self.prefix, SHARDS)
        waiting, dead = 0, {}
        connection = await aio_pika.connect(self.broker.url)
        async with connection:
            for spec in topology.queues():
                name = topology.queue_name(spec.name)
                channel = await connection.channel()
                work = await channel.declare_queue(name, passive=True)
                dlq = await channel.declare_queue(dead_letter_queue_name(name), passive=True)
                waiting += work.declaration_result.message_count or 0
                if dlq.declaration_result.message_count:
                    dead[name] = dlq.declaration_result.message_count
                await channel.close()
        return waiting, dead


async def in_thread(call: Any, *args: Any) -> Any:
    """Run a blocking step (a restart waits for readiness) without stopping the load."""
    return await asyncio.to_thread(call, *args)
