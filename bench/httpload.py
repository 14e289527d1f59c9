"""A lean HTTP/1.1 keep-alive client for the closed-loop throughput phases.

aiohttp's client costs about as much CPU per request as its server; on a 2-core machine that
would make the load generator, not the server under test, the limit. This client writes
pre-built requests and reads only the status line, the headers and ``Content-Length`` bytes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.stats import summary_ms

WAZZUP_CONTENT_TYPE = b"application/json; charset-utf-8"


class RawConnection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (path.encode(), self.host.encode(), self.port, WAZZUP_CONTENT_TYPE, len(body))
            + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError(f"response without Content-Length: {head[:200]!r}")
        end = lower.index(b"\r\n", at + 2)
        data = await self.reader.readexactly(int(lower[at + 17:end]))
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class ClosedLoopResult:
    seconds: float
    ok: int = 0
    ok_including_warmup: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"requests_per_s": round(self.ok / self.seconds, 1), "requests_ok": self.ok,
                "requests_ok_including_warmup": self.ok_including_warmup,
                "errors": self.errors, "statuses": self.statuses,
                "latency_ms": summary_ms(self.latencies)}


async def closed_loop(port: int, path: str, body_of: Callable[[int], bytes], *,
                      concurrency: int, seconds: float, warmup_s: float) -> ClosedLoopResult:
    """``concurrency`` connections each posting back to back; counts only the measured window."""
    conns = [RawConnection("127.0.0.1", port) for _ in range(concurrency)]
    await asyncio.gather(*(c.open() for c in conns))
    loop = asyncio.get_running_loop()
    begin = loop.time() + warmup_s
    end = begin + seconds
    result = ClosedLoopResult(seconds=seconds)
    counter = iter(range(10**12))

    async def worker(conn: RawConnection) -> None:
        while (now := loop.time()) < end:
            started = time.perf_counter()
            try:
                status, _ = await conn.post(path, body_of(next(counter)))
            except (OSError, asyncio.IncompleteReadError, RuntimeError):
                result.errors += 1
                await conn.open()
                continue
            if status == 200:
                result.ok_including_warmup += 1
            if now < begin:
                continue
            result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
            if status == 200:
                result.ok += 1
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors += 1

    try:
        await asyncio.gather(*(worker(c) for c in conns))
    finally:
        for c in conns:
            c.close()
    return result
