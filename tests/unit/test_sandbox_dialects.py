"""The sandbox's Meta and chat-api dialects, media, statuses and file fetching, driven through
the bridge's own provider modules so both sides are checked against each other."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings, load_settings
from shared.errors import PermanentError, RetryableError
from shared.events import ChatRef, MediaRef, MessageReceived, SendMessage, StatusUpdated
from shared.providers import get_provider
from shared.providers.base import GatewayAccount, HttpRequest, OutboundMedia
from shared.providers.chat_api import CHAT_API
from shared.providers.meta_cloud import META, signature_state

PNID = "100000000000001"
SECRET = "sandbox-meta-app-secret"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
Client = TestClient[web.Request, web.Application]


class FakeIngest:
    """Records webhook POSTs; ``GET /redirect`` answers 302 like a link that is not the file."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.app = web.Application()
        self.app.router.add_post("/{tail:.*}", self._receive)
        self.app.router.add_get("/redirect", self._redirect)

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append((request.path, dict(request.headers), await request.read()))
        return web.json_response({"ok": True})

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere.png")


@pytest.fixture
async def ingest() -> AsyncIterator[tuple[FakeIngest, TestServer]]:
    fake = FakeIngest()
    server = TestServer(fake.app)
    await server.start_server()
    yield fake, server
    await server.close()


@pytest.fixture
async def client(ingest: tuple[FakeIngest, TestServer]) -> AsyncIterator[Client]:
    settings = SandboxSettings(ingest_url=str(ingest[1].make_url("/")))
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


def meta_account(client: Client) -> GatewayAccount:
    return GatewayAccount(api_url=str(client.make_url("/meta/v21.0")),
                          api_key="sandbox-meta-token", webhook_token="t", app_secret=SECRET,
                          sender_id=PNID)


def chat_api_account(client: Client) -> GatewayAccount:
    return GatewayAccount(api_url=str(client.make_url("/chat-api/instance100001")),
                          api_key="sandbox-chat-api-token", webhook_token="t")


def command(chat: ChatRef, **overrides: Any) -> SendMessage:
    fields: dict[str, Any] = {"id": "s-1", "correlation_id": "c-1",
                              "occurred_at": datetime.now(UTC), "chat": chat, "task_id": "T",
                              "comment_id": "cm", "text": "hello"}
    return SendMessage(**(fields | overrides))


META_CHAT = ChatRef(provider="meta", channel_id=PNID, chat_type="whatsapp", chat_id="34600111222")
CHAT_API_CHAT = ChatRef(provider="chat_api", channel_id="100001", chat_type="whatsapp",
                        chat_id="34600111222@c.us")


async def perform(client: Client, request: HttpRequest) -> tuple[int, bytes, dict[str, str]]:
    async with client.session.request(request.method, request.url, headers=request.headers,
                                      json=request.json, data=request.body) as answer:
        return answer.status, await answer.read(), dict(answer.headers)


async def upload(client: Client, content: bytes = PNG, mime: str = "image/png",
                 name: str = "box.png") -> dict[str, Any]:
    answer = await client.post(f"/sandbox/media?filename={name}", data=content,
                               headers={"Content-Type": mime})
    assert answer.status == 200
    body: dict[str, Any] = await answer.json()
    return body


async def records(client: Client, query: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await (await client.get(f"/sandbox/requests?{query}")).json()
    return found


def parse_delivery(provider: str, raw: bytes) -> list[Any]:
    account = GatewayAccount(api_url="x", api_key="k", webhook_token="t", app_secret=SECRET)
    parsed = get_provider(provider).parse_webhook(raw, received_at=datetime.now(UTC),
                                                  account=account)
    return list(parsed.events)


# ---- settings --------------------------------------------------------------------------------


def test_dialect_settings_have_defaults_and_their_own_webhook_urls() -> None:
    settings = load_settings({"INGEST_URL": "http://i", "META_WEBHOOK_TOKEN": "mw"})
    assert settings.webhook_url("meta") == "http://i/webhooks/meta/mw"
    assert settings.webhook_url("chat_api") == (
        "http://i/webhooks/chat_api/sandbox-chat-api-webhook-token")
    assert (settings.meta_phone_number_id, settings.chat_api_instance) == (PNID, "100001")


# ---- Meta API --------------------------------------------------------------------------------


async def test_meta_send_built_by_the_provider_is_accepted_with_a_wamid(client: Client) -> None:
    status, body, headers = await perform(
        client, META.build_send(meta_account(client), command(META_CHAT), None))
    result = META.interpret_send(status, body, headers)
    assert status == 200 and result.gateway_message_id is not None
    assert result.gateway_message_id.startswith("wamid.")
    [record] = await records(client, "provider=meta&delivered=true&chat_id=34600111222")
    assert record["json"]["text"] == {"body": "hello"}


async def test_meta_send_with_a_wrong_token_is_a_permanent_190(client: Client) -> None:
    account = GatewayAccount(api_url=str(client.make_url("/meta/v21.0")), api_key="nope",
                             webhook_token="t", sender_id=PNID)
    status, body, headers = await perform(client, META.build_send(account, command(META_CHAT),
                                                                  None))
    with pytest.raises(PermanentError) as caught:
        META.interpret_send(status, body, headers)
    assert (status, caught.value.code) == (401, "190")


async def test_meta_send_without_messaging_product_is_invalid_parameter(client: Client) -> None:
    answer = await client.post(f"/meta/v21.0/{PNID}/messages", json={"to": "1", "type": "text"},
                               headers={"Authorization": "Bearer sandbox-meta-token"})
    assert answer.status == 400 and (await answer.json())["error"]["code"] == 100


async def test_meta_injected_rate_limit_reaches_meta_sends_only(client: Client) -> None:
    await client.post("/sandbox/fail", json={"provider": "meta", "count": 1, "status": 400,
                                             "error": "130429"})
    wazzup_send = await client.post("/v3/message", headers={
        "Authorization": "Bearer sandbox-wazzup-key"}, json={
        "channelId": "c", "chatType": "whatsapp", "chatId": "7901", "text": "x"})
    assert wazzup_send.status == 201
    status, body, headers = await perform(
        client, META.build_send(meta_account(client), command(META_CHAT), None))
    with pytest.raises(RetryableError) as caught:
        META.interpret_send(status, body, headers)
    assert caught.value.code == "130429"


async def test_meta_upload_lookup_and_download_return_the_same_bytes(client: Client) -> None:
    account = meta_account(client)
    media = OutboundMedia(file_name="box.png", mime_type="image/png")
    upload_request = META.build_media_upload(account, media, PNG)
    assert upload_request is not None
    media_id = META.interpret_media_upload(*await perform(client, upload_request))
    [record] = await records(client, "path=/meta/v21.0/" + PNID + "/media")
    assert record["json"]["file"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    ref = MediaRef(media_id=media_id)
    status, body, headers = await perform(client, META.build_media_fetch(account, ref))
    located = META.interpret_media_fetch(status, body, headers, ref)
    assert located is not None and located.size == len(PNG)
    status, body, headers = await perform(client, META.build_media_fetch(account, located))
    assert META.interpret_media_fetch(status, body, headers, located) is None and body == PNG


async def test_meta_download_without_bearer_is_refused(client: Client) -> None:
    media_id = (await upload(client))["id"]
    assert (await client.get(f"/meta/media-download/{media_id}")).status == 401


async def test_meta_send_of_an_uploaded_image_by_id_is_accepted(client: Client) -> None:
    media_id = (await upload(client))["id"]
    media = OutboundMedia(file_name="box.png", mime_type="image/png", media_id=media_id)
    request = META.build_send(meta_account(client), command(META_CHAT, text="box"), media)
    assert (await perform(client, request))[0] == 200


async def test_meta_send_of_an_unknown_media_id_is_refused(client: Client) -> None:
    media = OutboundMedia(file_name="b.png", mime_type="image/png", media_id="999")
    request = META.build_send(meta_account(client), command(META_CHAT), media)
    assert (await perform(client, request))[0] == 400


# ---- chat-api API ----------------------------------------------------------------------------


async def test_chat_api_send_message_is_sent_with_an_id(client: Client) -> None:
    request = CHAT_API.build_send(chat_api_account(client), command(CHAT_API_CHAT), None)
    result = CHAT_API.interpret_send(*await perform(client, request))
    assert result.gateway_message_id is not None
    assert result.gateway_message_id.startswith("true_34600111222@c.us_")
    [record] = await records(client, "provider=chat_api&delivered=true")
    assert "token" not in json.dumps(record) and record["path"].endswith("/sendMessage")


async def test_chat_api_wrong_token_is_401(client: Client) -> None:
    answer = await client.post("/chat-api/instance100001/sendMessage?token=bad",
                               json={"chatId": "1@c.us", "body": "x"})
    assert answer.status == 401


async def test_chat_api_send_file_fetches_the_url_byte_identical(client: Client) -> None:
    stored = await upload(client)
    media = OutboundMedia(file_name="box.png", mime_type="image/png", url=stored["url"])
    request = CHAT_API.build_send(chat_api_account(client), command(CHAT_API_CHAT), media)
    CHAT_API.interpret_send(*await perform(client, request))
    [record] = await records(client, "provider=chat_api")
    assert record["fetched"] == {"status": 200, "sha256": hashlib.sha256(PNG).hexdigest(),
                                 "size": len(PNG)}


# ---- Wazzup file fetching --------------------------------------------------------------------


async def wazzup_file_send(client: Client, uri: str) -> tuple[int, dict[str, Any]]:
    answer = await client.post("/v3/message", headers={
        "Authorization": "Bearer sandbox-wazzup-key"}, json={
        "channelId": "c", "chatType": "whatsapp", "chatId": "79011112233", "contentUri": uri})
    return answer.status, await answer.json()


async def test_wazzup_content_uri_is_fetched_and_recorded(client: Client) -> None:
    stored = await upload(client)
    assert (await wazzup_file_send(client, stored["url"]))[0] == 201
    [record] = await records(client, "path=/v3/message&delivered=true")
    assert record["fetched"] == {"status": 200, "sha256": stored["sha256"], "size": len(PNG)}


async def test_wazzup_content_uri_that_redirects_is_a_download_error(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    status, body = await wazzup_file_send(client, str(ingest[1].make_url("/redirect")))
    assert (status, body["error"]) == (400, "MESSAGE_DOWNLOAD_CONTENT_ERROR")
    [record] = await records(client, "path=/v3/message")
    assert record["fetched"]["status"] == 302 and not record["delivered"]


# ---- webhooks in each dialect ----------------------------------------------------------------


async def test_meta_inbound_is_signed_and_parses_into_the_message(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    answer = await client.post("/sandbox/inbound", json={
        "provider": "meta", "chat_id": "34600111222", "text": "hola", "name": "Ana",
        "quoted_message_id": "wamid.OUT1"})
    assert answer.status == 200
    [(path, headers, raw)] = ingest[0].received
    assert path == "/webhooks/meta/sandbox-meta-webhook-token"
    account = GatewayAccount(api_url="x", api_key="k", webhook_token="t", app_secret=SECRET)
    assert signature_state(account, headers, raw) == "ok"
    [event] = parse_delivery("meta", raw)
    assert isinstance(event, MessageReceived)
    assert (event.chat.chat_id, event.text, event.contact_name) == ("34600111222", "hola", "Ana")
    assert event.quoted_gateway_message_id == "wamid.OUT1" and event.chat.channel_id == PNID


async def test_meta_inbound_image_refers_to_a_media_id_the_api_serves(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    stored = await upload(client)
    await client.post("/sandbox/inbound", json={"provider": "meta", "chat_id": "34600111222",
                                                "media_id": stored["id"], "text": "box"})
    [event] = parse_delivery("meta", ingest[0].received[0][2])
    assert isinstance(event, MessageReceived) and event.content_type == "image"
    assert event.media == MediaRef(media_id=stored["id"], mime_type="image/png")
    assert event.text == "box"


async def test_wazzup_inbound_media_points_at_the_sandbox_file(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    stored = await upload(client, b"%PDF-1.4 act", "application/pdf", "Act 482.pdf")
    await client.post("/sandbox/inbound", json={"chat_id": "79011112233",
                                                "media_id": stored["id"]})
    [event] = parse_delivery("wazzup", ingest[0].received[0][2])
    assert isinstance(event, MessageReceived) and event.content_type == "document"
    assert event.media is not None and event.media.url is not None
    assert event.media.file_name == "Act_482.pdf"
    async with client.session.get(event.media.url) as served:
        assert await served.read() == b"%PDF-1.4 act"


async def test_wazzup_inbound_echo_and_quote(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    await client.post("/sandbox/inbound", json={"chat_id": "79011112233", "text": "ok",
                                                "is_echo": True, "quoted_message_id": "m-0"})
    [event] = parse_delivery("wazzup", ingest[0].received[0][2])
    assert isinstance(event, MessageReceived)
    assert event.is_echo and event.quoted_gateway_message_id == "m-0"


async def test_chat_api_group_inbound_names_the_participant(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    await client.post("/sandbox/inbound", json={
        "provider": "chat_api", "chat_id": "17680561234-1479621234", "chat_type": "whatsgroup",
        "text": "hi", "name": "House 12", "participant_phone": "79012345678",
        "participant_name": "Olga"})
    path, _, raw = ingest[0].received[0]
    assert path == "/webhooks/chat_api/sandbox-chat-api-webhook-token"
    [event] = parse_delivery("chat_api", raw)
    assert isinstance(event, MessageReceived) and event.chat.chat_type == "whatsgroup"
    assert (event.participant_phone, event.participant_name) == ("79012345678", "Olga")


async def test_meta_inbound_group_is_refused(client: Client) -> None:
    answer = await client.post("/sandbox/inbound", json={
        "provider": "meta", "chat_id": "1", "chat_type": "whatsgroup"})
    assert answer.status == 400


async def test_meta_status_of_a_send_goes_to_its_recipient(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    _, body, _ = await perform(
        client, META.build_send(meta_account(client), command(META_CHAT), None))
    wamid = json.loads(body)["messages"][0]["id"]
    await client.post("/sandbox/status", json={"provider": "meta", "message_id": wamid,
                                               "status": "failed", "error": "131047",
                                               "description": "Re-engagement message"})
    [event] = parse_delivery("meta", ingest[0].received[0][2])
    assert isinstance(event, StatusUpdated)
    assert (event.gateway_message_id, event.status, event.chat_id) == (
        wamid, "failed", "34600111222")
    assert (event.error_code, event.error_text) == ("131047", "Re-engagement message")


async def test_chat_api_status_viewed_arrives_as_read(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    await client.post("/sandbox/status", json={"provider": "chat_api", "message_id": "true_1",
                                               "status": "read", "chat_id": "1@c.us"})
    raw = ingest[0].received[0][2]
    assert json.loads(raw)["ack"][0]["status"] == "viewed"
    [event] = parse_delivery("chat_api", raw)
    assert isinstance(event, StatusUpdated) and event.status == "read"


async def test_wazzup_status_error_carries_code(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    await client.post("/sandbox/status", json={"message_id": "m-1", "status": "error",
                                               "error": "BAD_CONTACT"})
    [event] = parse_delivery("wazzup", ingest[0].received[0][2])
    assert isinstance(event, StatusUpdated) and event.error_code == "BAD_CONTACT"


async def test_status_of_an_unknown_meta_send_without_chat_is_400(client: Client) -> None:
    answer = await client.post("/sandbox/status", json={"provider": "meta",
                                                        "message_id": "wamid.x", "status": "read"})
    assert answer.status == 400


async def test_forwarded_meta_webhook_is_signed(
    client: Client, ingest: tuple[FakeIngest, TestServer]
) -> None:
    raw = b'{"object": "whatsapp_business_account", "entry": []}'
    await client.post("/sandbox/webhook?provider=meta", data=raw)
    _, headers, received = ingest[0].received[0]
    account = GatewayAccount(api_url="x", api_key="k", webhook_token="t", app_secret=SECRET)
    assert received == raw and signature_state(account, headers, raw) == "ok"
