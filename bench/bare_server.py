"""Baseline: a bare aiohttp handler doing what any webhook receiver must (read, decode JSON,
answer JSON), in its own process. Prints its port on stdout, then serves until SIGTERM."""

from __future__ import annotations

import asyncio
import signal

import msgspec
import uvloop
from aiohttp import web


async def receive(request: web.Request) -> web.Response:
    msgspec.json.decode(await request.read())
    return web.json_response({"ok": True, "events": 1})


async def main() -> None:
    app = web.Application()
    app.router.add_post("/webhooks/{provider}/{token}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    uvloop.run(main())
