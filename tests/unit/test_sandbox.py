"""The sandbox gateway as a real aiohttp app, driven through a TestClient."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings, load_settings
from shared.events import MessageReceived
from shared.providers.base import GatewayAccount
from shared.providers.wazzup import WAZZUP

KEY = "test-key"
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {KEY}"}
CHANNEL = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"
WAZZUP_ACCOUNT = GatewayAccount(api_url="http://sandbox", api_key=KEY, webhook_token=TOKEN)


def send_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"channelId": CHANNEL, "chatType": "whatsapp",
                            "chatId": "79011112233", "text": "hello"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class FakeIngest:
    """A stand-in for the bridge's ingest that records what it was sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, str, bytes]] = []
        self.app = web.Application()
        self.app.router.add_post("/{tail:.*}", self._receive)

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append((request.path, request.headers["Content-Type"], await request.read()))
        return web.json_response({"ok": True, "accepted": 1}, status=self.status)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def ingest() -> AsyncIterator[tuple[FakeIngest, TestServer]]:
    fake = FakeIngest()
    server = TestServer(fake.app)
    await server.start_server()
    yield fake, server
    await server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(
    ingest: tuple[FakeIngest, TestServer], clock: FakeClock
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    settings = SandboxSettings(
        wazzup_api_key=KEY,
        wazzup_webhook_token=TOKEN,
        ingest_url=str(ingest[1].make_url("/")),
        sandbox_channel_id=CHANNEL,
    )
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


Client = TestClient[web.Request, web.Application]


async def send(client: Client, body: Any, headers: dict[str, str] = AUTH) -> tuple[int, Any]:
    response = await client.post("/v3/message", json=body, headers=headers)
    return response.status, await response.json(content_type=None)


# ---- settings --------------------------------------------------------------------------------


def test_settings_come_from_the_documented_variables() -> None:
    settings = load_settings({"SANDBOX_PORT": "0", "WAZZUP_API_KEY": "k", "INGEST_URL": "http://i/"})
    assert (settings.sandbox_port, settings.wazzup_api_key) == (0, "k")
    assert settings.ingest_webhook_url == "http://i/webhooks/wazzup/sandbox-webhook-token"


# ---- /v3/message -----------------------------------------------------------------------------


async def test_send_without_bearer_key_is_401(client: Client) -> None:
    assert await send(client, send_body(), headers={}) == (401, {"error": "UNAUTHORIZED"})
    status, _ = await send(client, send_body(), headers={"Authorization": "Bearer wrong"})
    assert status == 401


async def test_valid_send_is_201_with_message_id_and_chat_id(client: Client) -> None:
    status, body = await send(client, send_body())
    assert status == 201
    assert body["chatId"] == "79011112233" and len(body["messageId"]) == 36


async def test_send_answer_is_understood_by_the_wazzup_provider(client: Client) -> None:
    response = await client.post("/v3/message", json=send_body(), headers=AUTH)
    result = WAZZUP.interpret_send(response.status, await response.read(), response.headers)
    assert result.gateway_message_id is not None and not result.already_sent


@pytest.mark.parametrize("missing", ["channelId", "chatType", "chatId"])
async def test_send_missing_routing_field_is_invalid_message_data(
    client: Client, missing: str
) -> None:
    status, body = await send(client, send_body(**{missing: None}))
    assert status == 400
    assert body["error"] == "INVALID_MESSAGE_DATA" and body["data"] == {"fields": [missing]}
    assert body["status"] == 400 and body["requestId"]


async def test_send_with_text_and_content_is_refused(client: Client) -> None:
    status, body = await send(client, send_body(contentUri="https://example.com/a.jpg"))
    assert (status, body["error"]) == (400, "MESSAGE_ONLY_TEXT_OR_CONTENT")


async def test_send_without_text_or_content_is_invalid(client: Client) -> None:
    status, body = await send(client, send_body(text=None))
    assert (status, body["error"]) == (400, "INVALID_MESSAGE_DATA")


async def test_repeated_crm_message_id_within_60s_is_refused_and_not_delivered(
    client: Client, clock: FakeClock
) -> None:
    assert (await send(client, send_body(crmMessageId="send-1")))[0] == 201
    clock.now += 59
    status, body = await send(client, send_body(crmMessageId="send-1"))
    assert (status, body["error"]) == (400, "REPEATED_CRM_MESSAGE_ID")
    delivered = await (await client.get("/sandbox/requests?delivered=true")).json()
    assert len(delivered) == 1


async def test_repeated_crm_message_id_after_60s_is_sent_again(
    client: Client, clock: FakeClock
) -> None:
    assert (await send(client, send_body(crmMessageId="send-1")))[0] == 201
    clock.now += 61
    assert (await send(client, send_body(crmMessageId="send-1")))[0] == 201


# ---- failure injection -----------------------------------------------------------------------


async def test_injected_failure_hits_exactly_the_next_count_sends(client: Client) -> None:
    armed = await client.post("/sandbox/fail", json={"count": 2, "status": 500,
                                                     "error": "UNKNOWN_ERROR"})
    assert armed.status == 200
    statuses = [(await send(client, send_body(crmMessageId=f"s-{i}")))[0] for i in range(3)]
    assert statuses == [500, 500, 201]
    assert (await (await client.get("/sandbox/fail")).json())["count"] == 0


async def test_injected_failure_uses_wazzup_error_body(client: Client) -> None:
    await client.post("/sandbox/fail", json={"count": 1, "status": 400,
                                             "error": "CHANNEL_BLOCKED", "description": "off"})
    status, body = await send(client, send_body())
    assert status == 400
    assert (body["error"], body["description"], body["status"]) == ("CHANNEL_BLOCKED", "off", 400)


async def test_injected_429_carries_retry_after(client: Client) -> None:
    await client.post("/sandbox/fail", json={"count": 1, "status": 429, "error": "TOO_MANY",
                                             "retry_after": 3})
    response = await client.post("/v3/message", json=send_body(), headers=AUTH)
    assert (response.status, response.headers["Retry-After"]) == (429, "3")


async def test_injected_failure_with_null_error_has_empty_body(client: Client) -> None:
    await client.post("/sandbox/fail", json={"count": 1, "status": 404, "error": None})
    response = await client.post("/v3/message", json=send_body(), headers=AUTH)
    assert (response.status, await response.read()) == (404, b"")


async def test_get_fail_shows_what_remains(client: Client) -> None:
    await client.post("/sandbox/fail", json={"count": 3, "status": 503})
    await send(client, send_body())
    remaining = await (await client.get("/sandbox/fail")).json()
    assert (remaining["count"], remaining["status"]) == (2, 503)


async def test_bad_failure_spec_is_400(client: Client) -> None:
    response = await client.post("/sandbox/fail", json={"count": -1})
    assert response.status == 400


# ---- request recording -----------------------------------------------------------------------


async def test_every_api_request_is_recorded_without_the_key(client: Client) -> None:
    await send(client, send_body(chatId="79010000001"))
    await send(client, send_body(chatId="79010000002"), headers={})
    await client.get("/v3/channels", headers=AUTH)
    records = await (await client.get("/sandbox/requests")).json()
    assert [(r["path"], r["response_status"], r["delivered"]) for r in records] == [
        ("/v3/message", 201, True), ("/v3/message", 401, False), ("/v3/channels", 200, False),
    ]
    assert records[0]["json"]["chatId"] == "79010000001"
    assert records[0]["response"]["chatId"] == "79010000001"
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert KEY not in str(records)


async def test_request_list_filters_by_path_delivered_and_chat(client: Client) -> None:
    await send(client, send_body(chatId="79010000001"))
    await send(client, send_body(chatId="79010000002"))
    await send(client, send_body(chatId="79010000002", text=None))
    await client.get("/v3/channels", headers=AUTH)

    async def count(query: str) -> int:
        return len(await (await client.get(f"/sandbox/requests?{query}")).json())

    assert await count("path=/v3/message") == 3
    assert await count("path=/v3/message&delivered=true") == 2
    assert await count("chat_id=79010000002") == 2
    assert await count("chat_id=79010000002&delivered=true") == 1


async def test_delete_clears_the_request_list(client: Client) -> None:
    await send(client, send_body())
    assert (await client.delete("/sandbox/requests")).status == 200
    assert await (await client.get("/sandbox/requests")).json() == []


# ---- webhooks to ingest ----------------------------------------------------------------------


async def test_inbound_posts_a_wazzup_message_webhook_to_ingest(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    response = await client.post(
        "/sandbox/inbound", json={"chat_id": "79011112233", "text": "1", "name": "Ivan Petrov"}
    )
    answer = await response.json()
    assert response.status == 200
    assert (answer["ingest_status"], answer["ingest_body"]) == (200, {"ok": True, "accepted": 1})
    [(path, content_type, raw)] = ingest[0].received
    assert path == f"/webhooks/wazzup/{TOKEN}"
    assert content_type.startswith("application/json")
    assert json.loads(raw) == answer["webhook"]
    message = answer["webhook"]["messages"][0]
    assert (message["chatId"], message["text"], message["channelId"]) == (
        "79011112233", "1", CHANNEL
    )
    assert message["dateTime"].endswith("Z") and message["status"] == "inbound"
    assert message["contact"]["name"] == "Ivan Petrov" and not message["isEcho"]


async def test_inbound_webhook_parses_into_the_message_it_describes(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    await client.post("/sandbox/inbound", json={
        "chat_id": "120363041234567890@g.us", "chat_type": "whatsgroup", "text": "hi",
        "message_id": "m-1",
    })
    raw = ingest[0].received[0][2]
    [event] = WAZZUP.parse_webhook(
        raw, received_at=datetime.now(UTC), account=WAZZUP_ACCOUNT).events
    assert isinstance(event, MessageReceived)
    assert (event.chat.chat_type, event.chat.chat_id) == ("whatsgroup", "120363041234567890@g.us")
    assert event.gateway_message_id == "m-1"


async def test_webhook_forwards_the_given_body_unchanged(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    body = b'{"statuses": [{"messageId": "m-1", "status": "read"}]}'
    response = await client.post("/sandbox/webhook", data=body)
    assert response.status == 200
    assert ingest[0].received[0][2] == body


async def test_inbound_when_ingest_is_unreachable_is_502() -> None:
    settings = SandboxSettings(ingest_url="http://127.0.0.1:9", wazzup_webhook_token=TOKEN)
    async with TestClient(TestServer(create_app(settings))) as unreachable:
        response = await unreachable.post("/sandbox/inbound", json={"chat_id": "79011112233"})
        answer = await response.json()
    assert response.status == 502 and "ingest unreachable" in answer["error"]


async def test_inbound_without_chat_id_is_400(client: Client) -> None:
    assert (await client.post("/sandbox/inbound", json={"text": "1"})).status == 400


# ---- channels, webhook settings, health ------------------------------------------------------


async def test_channels_list_a_personal_and_a_business_channel(client: Client) -> None:
    assert (await client.get("/v3/channels")).status == 401
    channels = await (await client.get("/v3/channels", headers=AUTH)).json()
    assert channels[0] == {"channelId": CHANNEL, "transport": "whatsapp",
                           "plainId": "79990000000", "state": "active", "name": "Sandbox"}
    assert channels[1]["transport"] == "wapi" and channels[1]["state"] == "active"


async def test_patch_webhooks_stores_uri_after_test_post_passes(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    uri = str(ingest[1].make_url(f"/webhooks/wazzup/{TOKEN}"))
    subscriptions = {"messagesAndStatuses": True, "channelsUpdates": True}
    response = await client.patch("/v3/webhooks", headers=AUTH,
                                  json={"webhooksUri": uri, "subscriptions": subscriptions})
    assert (response.status, await response.json()) == (200, {"ok": True})
    assert json.loads(ingest[0].received[0][2]) == {"test": True}
    stored = await (await client.get("/v3/webhooks", headers=AUTH)).json()
    assert stored == {"webhooksUri": uri, "subscriptions": subscriptions}


async def test_patch_webhooks_fails_when_test_post_is_not_200(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    ingest[0].status = 403
    uri = str(ingest[1].make_url("/hook"))
    response = await client.patch("/v3/webhooks", headers=AUTH, json={"webhooksUri": uri})
    body = await response.json()
    assert (response.status, body["error"], body["data"]) == (400, "testPostNotPassed", 403)
    stored = await (await client.get("/v3/webhooks", headers=AUTH)).json()
    assert stored["webhooksUri"] is None


async def test_patch_webhooks_refuses_an_invalid_uri(client: Client) -> None:
    response = await client.patch("/v3/webhooks", headers=AUTH, json={"webhooksUri": "nope"})
    assert (response.status, (await response.json())["error"]) == (400, "uriNotValid")


async def test_healthz_is_200(client: Client) -> None:
    assert (await client.get("/healthz")).status == 200
