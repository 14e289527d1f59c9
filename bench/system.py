"""The system under test as the harness sees it: the stack's processes, ports, metrics, queues."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import metrics
from bench.load import AnswerWatcher
from deploy.stack import Stack
from shared.bus import Topology

SERVICES = ("ingest", "bot_router", "task_sync", "outbound_sender")
CONSUMERS = ("bot_router", "task_sync", "outbound_sender")


@dataclass
class Window:
    """Counters, CPU and wall time at the start of a measured window."""

    sample: dict[str, metrics.Sample]
    procs: dict[str, metrics.ProcSnapshot]
    started: float


@dataclass
class Delta:
    sample: dict[str, metrics.Sample]   # per service: counter increments
    cpu_s: dict[str, float]              # per process
    wall_s: float

    def merged(self) -> metrics.Sample:
        out: metrics.Sample = {}
        for sample in self.sample.values():
            for k, v in sample.items():
                out[k] = out.get(k, 0.0) + v
        return out

    def db_wait_share(self, service: str | None = None) -> float | None:
        """Database wait time over bus-handler time (time handlers spent, summed)."""
        names = [service] if service else list(CONSUMERS)
        db = sum(metrics.total(self.sample[n], "wabridge_db_seconds_total") for n in names)
        handler = sum(metrics.total(self.sample[n], "wabridge_handler_seconds_sum") for n in names)
        return round(db / handler, 3) if handler else None

    def utilisation(self) -> dict[str, float]:
        return {n: round(c / self.wall_s, 3) for n, c in self.cpu_s.items()} if self.wall_s else {}


@dataclass
class System:
    stack: Stack
    topology: Topology
    rabbitmq_url: str
    http: aiohttp.ClientSession
    depths: metrics.QueueDepths
    watcher: AnswerWatcher
    pids: dict[str, int] = field(default_factory=dict)

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports[service]}{path}"

    def service_ports(self, only: tuple[str, ...] = SERVICES) -> dict[str, int]:
        return {n: self.stack.ports[n] for n in only}

    def refresh_pids(self) -> None:
        self.pids = {n: p.pid for n, p in self.stack.procs.items()}
        self.pids["bench"] = os.getpid()
        if (broker := metrics.find_broker_pid()) is not None:
            self.pids["rabbitmq"] = broker

    async def window(self, only: tuple[str, ...] = SERVICES) -> Window:
        sample = await metrics.scrape_all(self.http, self.service_ports(only))
        return Window(sample, metrics.snapshots(self.pids), time.monotonic())

    async def delta(self, since: Window) -> Delta:
        after = await metrics.scrape_all(self.http, self.service_ports(tuple(since.sample)))
        procs = metrics.snapshots(self.pids)
        return Delta({n: metrics.diff(after[n], since.sample[n]) for n in after},
                     metrics.cpu_between(procs, since.procs), time.monotonic() - since.started)

    def pause_consumers(self, paused: bool) -> None:
        for name in CONSUMERS:
            self.stack.procs[name].send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

    async def handled(self) -> float:
        sample = await metrics.scrape_all(self.http, self.service_ports())
        return sum(metrics.total(s, "wabridge_messages_total") for s in sample.values())

    async def settle(self, timeout_s: float, quiet_s: float = 1.0) -> None:
        """Wait until the queues are empty and no service handles anything for ``quiet_s``."""
        give_up = time.monotonic() + timeout_s
        last, quiet_since = -1.0, time.monotonic()
        while time.monotonic() < give_up:
            now_handled = await self.handled()
            depth = await self.depths.total()
            if now_handled != last or depth:
                last, quiet_since = now_handled, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return
            await asyncio.sleep(0.2)

    async def clear_sandbox(self) -> None:
        async with self.http.delete(self.url("sandbox", "/sandbox/requests")) as resp:
            await resp.read()

    async def api(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": "Bearer demo-admin-token"}
        async with self.http.request(method, self.url("task_sync", path), headers=headers,
                                     **kw) as resp:
            return resp.status, await resp.json(content_type=None)


class DepthSampler:
    """Total ready messages in the run's queues, sampled in the background.

    It stops between samples: cancelling a queue declare midway makes aiormq close the
    channel that every later depth reading shares."""

    def __init__(self, system: System, interval_s: float = 0.5) -> None:
        self.system, self.interval_s = system, interval_s
        self.samples: list[tuple[float, int]] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, await self.system.depths.total()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_s)

    async def __aenter__(self) -> DepthSampler:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def summary(self, window_s: float) -> dict[str, float]:
        inside = [d for t, d in self.samples if t <= window_s] or [0]
        last_third = [d for t, d in self.samples if window_s * 2 / 3 <= t <= window_s] or [0]
        return {"max": max(inside), "last_third_mean": round(sum(last_third) / len(last_third), 1),
                "final": self.samples[-1][1] if self.samples else 0}
