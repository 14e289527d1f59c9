"""The sandbox's chaos knobs: storms refuse sends before anything happens; latency answers
after the send was accepted."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
SEND = {"channelId": "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59", "chatType": "whatsapp",
        "chatId": "79011112233", "text": "hello"}
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    settings = SandboxSettings(wazzup_api_key=KEY, wazzup_webhook_token="test-token",
                               ingest_url="http://127.0.0.1:9/")
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


async def delivered(client: Client) -> int:
    records = await (await client.get("/sandbox/requests?delivered=true")).json()
    return len(records)


async def test_a_storm_refuses_sends_with_retry_after_and_delivers_nothing(client: Client) -> None:
    await client.post("/sandbox/chaos", json={"fail_status": 429, "retry_after": 2})

    answer = await client.post("/v3/message", json=SEND, headers=AUTH)

    assert (answer.status, answer.headers["Retry-After"]) == (429, "2")
    assert await delivered(client) == 0
    await client.post("/sandbox/chaos", json={})
    assert (await client.post("/v3/message", json=SEND, headers=AUTH)).status == 201


async def test_latency_answers_late_a_send_that_was_accepted(client: Client) -> None:
    await client.post("/sandbox/chaos", json={"latency_s": 0.3})

    started = time.monotonic()
    answer = await client.post("/v3/message", json=SEND, headers=AUTH)

    assert answer.status == 201 and time.monotonic() - started >= 0.3
    assert await delivered(client) == 1


async def test_a_storm_can_spare_other_gateways(client: Client) -> None:
    await client.post("/sandbox/chaos", json={"fail_status": 500, "providers": ["meta"]})
    assert (await client.post("/v3/message", json=SEND, headers=AUTH)).status == 201


async def test_a_malformed_chaos_setting_is_refused(client: Client) -> None:
    answer = await client.post("/sandbox/chaos", json={"fail_ratio": 2})
    assert answer.status == 400
