"""``python -m services.sandbox``: serve the sandbox gateway until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from aiohttp import web

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings, load_settings


async def serve(settings: SandboxSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Installed before announcing, so a caller that signals right after the line is honoured.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.sandbox_host, settings.sandbox_port)
        await site.start()
        # SANDBOX_PORT=0 picks a free port; tell the caller which one.
        port = runner.addresses[0][1]
        print(f"sandbox listening on http://{settings.sandbox_host}:{port}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    # stdout carries only the "listening" line that scripts wait for; logs go to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    asyncio.run(serve(load_settings()))


if __name__ == "__main__":
    main()
