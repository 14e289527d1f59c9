"""ingest with a broker that is away: a bounded wait, then 503 with Retry-After (a gateway
gives up after about 30 s, so holding its webhook open longer only loses time)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.ingest import webhooks
from shared.bus import Bus, Topology
from shared.channels_config import ChannelConfig

TOKEN = "hook-token-1"
WEBHOOK = {"messages": [{
    "messageId": "m-1", "dateTime": "2025-06-02T09:15:07.120Z", "channelId": "ch-1",
    "chatType": "whatsapp", "chatId": "79011112233", "type": "text", "isEcho": False,
    "status": "inbound", "text": "Привет"}]}


class _Away:
    """The broker connection while RabbitMQ is down: the channel never comes back."""

    async def get_underlay_channel(self) -> Any:
        await asyncio.sleep(3600)


class _Exchange:
    name = "wa.events"


def app_with_broker_away() -> web.Application:
    bus = Bus(cast(Any, None), cast(Any, _Away()), cast(Any, {"events": _Exchange()}),
              Topology("wa", 2))
    app = web.Application()
    app[webhooks.DEPS] = webhooks.Deps(
        bus=bus, max_body_bytes=1 << 20,
        channels=[ChannelConfig(id="wazzup", provider="wazzup", api_url="https://x",
                                api_key="k", webhook_token=TOKEN)])
    webhooks.routes(app)
    return app


async def test_a_webhook_gets_503_with_retry_after_within_seconds_when_the_broker_is_away(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "PUBLISH_TIMEOUT_S", 0.3)
    async with TestClient(TestServer(app_with_broker_away())) as client:
        started = time.monotonic()
        response = await client.post(f"/webhooks/wazzup/{TOKEN}", json=WEBHOOK)
        elapsed = time.monotonic() - started

    assert response.status == 503
    assert response.headers["Retry-After"] == str(webhooks.RETRY_AFTER_S)
    assert elapsed < 2


def test_ingest_waits_for_the_broker_a_few_seconds_at_most() -> None:
    assert webhooks.PUBLISH_TIMEOUT_S <= 5
