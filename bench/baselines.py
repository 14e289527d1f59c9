"""The same-run baselines: bare aiohttp, raw aio-pika publish/consume, raw store round trips.

Each runs in its own process, so the thing measured never shares an event loop with the load.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

from bench.httpload import closed_loop
from deploy.stack import ROOT


async def _child(module: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE)


async def _json_child(module: str, *args: str) -> dict[str, Any]:
    proc = await _child(module, *args)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{module} exited with {proc.returncode}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def bare_aiohttp(body_of: Callable[[int], bytes], *, concurrency: int, seconds: float,
                       warmup_s: float) -> dict[str, Any]:
    """Requests/s of a bare aiohttp handler taking the same webhook bodies on 50 connections."""
    proc = await _child("bench.bare_server")
    try:
        assert proc.stdout is not None
        port = int((await asyncio.wait_for(proc.stdout.readline(), 20)).decode())
        result = await closed_loop(port, "/webhooks/wazzup/token", body_of,
                                   concurrency=concurrency, seconds=seconds, warmup_s=warmup_s)
    finally:
        proc.terminate()
        await proc.wait()
    return {**result.as_dict(), "concurrency": concurrency,
            "handler": "read body, msgspec JSON decode, json_response"}


async def broker(url: str, name: str, size: int, seconds: float,
                 concurrency: int) -> dict[str, Any]:
    return await _json_child("bench.broker_baseline", "--url", url, "--name", name,
                             "--size", str(size), "--seconds", str(seconds),
                             "--concurrency", str(concurrency))


async def store(url: str, db: str, seconds: float) -> dict[str, Any]:
    return await _json_child("bench.store_baseline", "--url", url, "--db", db,
                             "--seconds", str(seconds / 2))
