"""ingest: gateway webhooks in, typed events out. Stateless: no database on the hot path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from services.ingest.directory import LOOKUP_TIMEOUT_S, DirectoryLookup
from services.ingest.webhook_times import WebhookTimes, run_reporter
from services.ingest.webhooks import DEPS, Deps, routes
from shared.bus import Bus, Topology
from shared.channels_config import load_channels
from shared.config import IngestSettings, load
from shared.ops import add_ops_routes, request_context
from shared.runtime import main_entry, serve_until_stopped, with_start_retries


async def run() -> None:
    settings = load(IngestSettings)
    # fail on bad channel configuration before connecting
    channels = load_channels(needs=("webhook_token",))
    topology = Topology(settings.wabridge_bus_prefix, settings.wabridge_bus_shards)
    bus = await with_start_retries("RabbitMQ", lambda: Bus.connect(settings.rabbitmq_url, topology))
    # the body limit is enforced by ingest itself (413 with a reason), not aiohttp's default
    app = web.Application(middlewares=[request_context],
                          client_max_size=settings.ingest_max_body_bytes)
    add_ops_routes(app, {"broker": bus.check})
    directory: DirectoryLookup | None = None
    cleanup: list[Callable[[], Awaitable[None]]] = [bus.close]
    if settings.wabridge_directory_url and settings.wabridge_directory_token:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=LOOKUP_TIMEOUT_S))
        directory = DirectoryLookup(session, settings.wabridge_directory_url,
                                    settings.wabridge_directory_token)
        cleanup.append(session.close)
    times = WebhookTimes()
    app[DEPS] = Deps(bus=bus, channels=channels, max_body_bytes=settings.ingest_max_body_bytes,
                     directory=directory, webhook_times=times)
    routes(app)
    await serve_until_stopped("ingest", settings, settings.ingest_port, app, [], None,
                              background=[lambda stop: run_reporter(times, bus, stop)],
                              cleanup=cleanup, reuse_port=True)


if __name__ == "__main__":
    main_entry("ingest", run)
