"""Operability: request metrics by route template, queue-depth gauges, the build-info metric,
and ingest's one log line per accepted webhook."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from services.ingest import webhooks
from shared.bus import Bus
from shared.channels_config import ChannelConfig
from shared.ops import request_context
from shared.runtime import sample_queue_depths
from tests.unit.test_ingest_broker_away import TOKEN, WEBHOOK


def metric(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_requests_are_counted_by_route_template_never_by_path() -> None:
    async def hook(_: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application(middlewares=[request_context])
    app.router.add_post("/webhooks/{provider}/{token}", hook)
    async with TestClient(TestServer(app)) as client:
        await client.post("/webhooks/wazzup/a-secret-token")

    assert metric("wabridge_http_requests_total", method="POST",
                  route="/webhooks/{provider}/{token}", status="200") == 1.0
    secret_labels = [s for m in REGISTRY.collect() for s in m.samples
                     if "a-secret-token" in str(s.labels)]
    assert secret_labels == []


class _Declared:
    def __init__(self, count: int) -> None:
        self.declaration_result = type("R", (), {"message_count": count})()


class _Channel:
    is_closed = False

    async def declare_queue(self, name: str, passive: bool) -> _Declared:
        return _Declared(7 if name.endswith(".dlq") else 3)


class _Connection:
    async def channel(self) -> _Channel:
        return _Channel()


async def test_queue_and_dead_letter_depths_are_sampled_into_gauges() -> None:
    bus = cast(Bus, type("B", (), {"connection": _Connection()})())
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_queue_depths(bus, ["wa.task_sync.events"], stop, 0.01))
    await asyncio.sleep(0.05)
    stop.set()
    await sampler
    assert metric("wabridge_queue_messages", queue="wa.task_sync.events") == 3.0
    assert metric("wabridge_dead_letters", queue="wa.task_sync.events") == 7.0


class _Confirming:
    async def publish_all(self, messages: Any, *, timeout: float = 10.0) -> None:
        return None


async def test_ingest_logs_each_accepted_webhook_with_its_correlation_ids() -> None:
    app = web.Application(middlewares=[request_context])
    app[webhooks.DEPS] = webhooks.Deps(
        bus=cast(Bus, _Confirming()), max_body_bytes=1 << 20,
        channels=[ChannelConfig(id="wazzup", provider="wazzup", api_url="https://x",
                                api_key="k", webhook_token=TOKEN)])
    webhooks.routes(app)
    async with TestClient(TestServer(app)) as client:
        with capture_logs() as logs:
            response = await client.post(f"/webhooks/wazzup/{TOKEN}", json=WEBHOOK,
                                         headers={"X-Request-Id": "req-42"})
    assert response.status == 200 and response.headers["X-Request-Id"] == "req-42"
    [accepted] = [e for e in logs if e["event"] == "webhook accepted"]
    assert accepted["events"] == 1 and len(accepted["correlation_ids"]) == 1


def test_the_build_is_a_metric() -> None:
    from shared.metrics import BUILD

    BUILD.info({"service": "test", "version": "0.0.0"})
    assert metric("wabridge_build_info", service="test", version="0.0.0") == 1.0
