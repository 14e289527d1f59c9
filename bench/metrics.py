"""What the harness reads from the system: the services' /metrics, /proc of the processes, and
the depth of the run's queues (passive declares, no management plugin needed)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
import aiohttp
from prometheus_client.parser import text_string_to_metric_families

Sample = dict[tuple[str, tuple[tuple[str, str], ...]], float]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


async def scrape(http: aiohttp.ClientSession, port: int) -> Sample:
    """Every sample of one service's /metrics, keyed by (name, sorted labels)."""
    async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    out: Sample = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = float(s.value)
    return out


async def scrape_all(http: aiohttp.ClientSession, ports: dict[str, int]) -> dict[str, Sample]:
    names = list(ports)
    got = await asyncio.gather(*(scrape(http, ports[n]) for n in names))
    return dict(zip(names, got, strict=True))


def diff(after: Sample, before: Sample) -> Sample:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v - before.get(k, 0.0)}


def total(sample: Sample, name: str, **match: str) -> float:
    return sum(v for (n, labels), v in sample.items()
               if n == name and all(dict(labels).get(k) == want for k, want in match.items()))


def by_label(sample: Sample, name: str, label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for (n, labels), v in sample.items():
        if n == name:
            key = dict(labels).get(label, "")
            out[key] = out.get(key, 0.0) + v
    return out


@dataclass(frozen=True)
class ProcSnapshot:
    cpu_s: float
    rss_mb: float
    peak_rss_mb: float


def proc_snapshot(pid: int) -> ProcSnapshot | None:
    """CPU seconds (user+system) and resident/peak memory of one process; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
    except (FileNotFoundError, ProcessLookupError):
        return None
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)

    def kib(key: str) -> float:
        return int(status.get(key, "0 kB").split()[0]) / 1024

    return ProcSnapshot(cpu_s=cpu, rss_mb=round(kib("VmRSS"), 1),
                        peak_rss_mb=round(kib("VmHWM"), 1))


def snapshots(pids: dict[str, int]) -> dict[str, ProcSnapshot]:
    return {name: s for name, pid in pids.items() if (s := proc_snapshot(pid)) is not None}


def cpu_between(after: dict[str, ProcSnapshot],
                before: dict[str, ProcSnapshot]) -> dict[str, float]:
    return {n: after[n].cpu_s - before[n].cpu_s for n in after if n in before}


def find_broker_pid() -> int | None:
    """The local RabbitMQ node (beam.smp running rabbit), read-only, for its CPU share."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"beam.smp" in cmd and b"rabbit" in cmd:
            return int(entry)
    return None


class QueueDepths:
    """Samples the ready-message count of every queue of the run, by passive declare."""

    def __init__(self, url: str, names: Iterable[str]) -> None:
        self.url, self.names = url, list(names)
        self.connection: Any = None
        self.channel: Any = None

    async def open(self) -> None:
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel()

    async def total(self) -> int:
        depth = 0
        for name in self.names:
            queue = await self.channel.declare_queue(name, passive=True)
            depth += queue.declaration_result.message_count or 0
        return depth

    async def purge(self) -> None:
        for name in self.names:
            queue = await self.channel.declare_queue(name, passive=True)
            await queue.purge()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
