"""The sandbox's Meta dialect of 2026, checked against the bridge's own Meta module: BSUIDs and
usernames, system messages, flows, edits and revokes, echoes, reactions both ways, read marks
and typing, sends to a BSUID, the template list and template status webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings
from shared.events import ChatRef, MessageReceived, SendSignal, TemplateStatusChanged
from shared.providers.meta_cloud import META
from tests.unit.test_sandbox_dialects import (
    PNID,
    Client,
    FakeIngest,
    command,
    meta_account,
    parse_delivery,
    perform,
    records,
)


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


BSUID_CHAT = ChatRef(provider="meta", channel_id=PNID, chat_type="whatsapp", chat_id="ES.1")


async def inbound(client: Client, ingest: tuple[FakeIngest, TestServer],
                  **spec: Any) -> Any:
    answer = await client.post("/sandbox/inbound", json={"provider": "meta"} | spec)
    assert answer.status == 200, await answer.text()
    [event] = parse_delivery("meta", ingest[0].received[-1][2])
    return event


async def test_username_user_arrives_with_bsuid_and_username_and_no_phone(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    event = await inbound(client, ingest, chat_id="", user_id="ES.1", username="@ana",
                          parent_user_id="ES.P", phone_hidden=True, text="hi")
    assert isinstance(event, MessageReceived)
    assert (event.chat.chat_id, event.contact_phone, event.username, event.parent_user_id) == (
        "ES.1", None, "@ana", "ES.P")


async def test_system_message_changes_number(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    event = await inbound(client, ingest, chat_id="34600111222", kind="system",
                          new_phone="34600999888", text="Ana changed number")
    assert (event.system_kind, event.new_phone, event.content_type) == (
        "user_changed_number", "34600999888", "system")


async def test_flow_edit_revoke_reaction_and_unsupported_parse_as_the_bridge_expects(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    flow = await inbound(client, ingest, chat_id="346", kind="flow", flow_name="survey",
                         flow_response={"screen_0_Rating_0": "5"})
    assert [(f.label, f.value) for f in flow.form] == [("Rating", "5")]
    edit = await inbound(client, ingest, chat_id="346", kind="edit", text="new",
                         target_message_id="wamid.A")
    assert edit.is_edited and (edit.gateway_message_id, edit.text) == ("wamid.A", "new")
    revoke = await inbound(client, ingest, chat_id="346", kind="revoke",
                           target_message_id="wamid.A")
    assert revoke.is_deleted and revoke.gateway_message_id == "wamid.A"
    reaction = await inbound(client, ingest, chat_id="346", kind="reaction", emoji="👍",
                             target_message_id="wamid.B")
    assert (reaction.reaction, reaction.quoted_gateway_message_id) == ("👍", "wamid.B")
    unsupported = await inbound(client, ingest, chat_id="346", kind="unsupported")
    assert unsupported.text.startswith("Message type unknown")


async def test_a_batch_is_one_body_with_every_message_in_order_and_its_own_sender(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    answer = await client.post("/sandbox/inbound", json={
        "provider": "meta", "chat_id": "346", "text": "first", "batch": [
            {"chat_id": "346", "kind": "system", "new_phone": "347", "text": "changed"},
            {"chat_id": "", "user_id": "ES.9", "phone_hidden": True, "text": "other"}]})
    assert answer.status == 200, await answer.text()
    body = msgspec.json.decode(ingest[0].received[-1][2])
    assert len(ingest[0].received[-1:]) == 1 and len(body["entry"][0]["changes"]) == 1
    events = parse_delivery("meta", ingest[0].received[-1][2])
    assert [(e.text, e.content_type, e.chat.chat_id) for e in events] == [
        ("first", "text", "346"), ("changed", "system", "346"), ("other", "text", "ES.9")]


async def test_a_batch_refuses_files_echoes_and_other_dialects(client: Client) -> None:
    for spec in ({"provider": "wazzup", "chat_id": "1", "batch": [{"chat_id": "1"}]},
                 {"provider": "meta", "chat_id": "1", "is_echo": True,
                  "batch": [{"chat_id": "1"}]},
                 {"provider": "meta", "chat_id": "1", "batch": [{"chat_id": "1",
                                                                 "media_id": "m"}]}):
        answer = await client.post("/sandbox/inbound", json=spec)
        assert answer.status == 400, spec


async def test_echo_is_a_coexistence_echo(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    echo = await inbound(client, ingest, chat_id="34600111222", is_echo=True, text="from app")
    assert echo.is_echo and echo.chat.chat_id == "34600111222"


async def test_send_to_a_bsuid_goes_as_recipient_and_is_recorded_for_that_chat(
        client: Client) -> None:
    status, body, headers = await perform(
        client, META.build_send(meta_account(client), command(BSUID_CHAT), None))
    assert status == 200 and META.interpret_send(status, body, headers).gateway_message_id
    [record] = await records(client, "provider=meta&delivered=true&chat_id=ES.1")
    assert record["json"]["recipient"] == "ES.1" and "to" not in record["json"]


def signal(kind: str, emoji: str = "") -> SendSignal:
    return SendSignal(id="g1", correlation_id="c", occurred_at=datetime.now(UTC),
                      chat=BSUID_CHAT, kind=kind, gateway_message_id="wamid.IN",  # type: ignore[arg-type]
                      emoji=emoji)


async def test_read_mark_typing_and_reactions_are_accepted(client: Client) -> None:
    for sig in (signal("read"), signal("typing"), signal("reaction", "👍"),
                signal("reaction", "")):
        request = META.build_signal(meta_account(client), sig)
        assert request is not None
        status, body, headers = await perform(client, request)
        META.interpret_signal(status, body, headers)
    found = await records(client, "provider=meta")
    assert [r["json"].get("typing_indicator") for r in found[:2]] == [None, {"type": "text"}]
    assert [r["json"]["reaction"]["emoji"] for r in found[2:]] == ["👍", ""]


async def test_template_list_and_a_status_change_webhook(
        client: Client, ingest: tuple[FakeIngest, TestServer]) -> None:
    answer = await client.get("/meta/v21.0/100000000000099/message_templates",
                              headers={"Authorization": "Bearer sandbox-meta-token"})
    names = [t["name"] for t in (await answer.json())["data"]]
    assert "order_update" in names
    delivered = await client.post("/sandbox/meta/template-status",
                                  json={"name": "welcome_back", "event": "APPROVED"})
    assert delivered.status == 200
    [event] = parse_delivery("meta", ingest[0].received[-1][2])
    assert isinstance(event, TemplateStatusChanged)
    assert (event.name, event.status) == ("welcome_back", "approved")


async def test_chat_api_marks_a_chat_read_and_has_no_other_signals(client: Client) -> None:
    from shared.providers.chat_api import CHAT_API
    from tests.unit.test_sandbox_dialects import chat_api_account

    chat = ChatRef(provider="chat_api", channel_id="100001", chat_type="whatsapp",
                   chat_id="79011112233@c.us")
    read = msgspec.structs.replace(signal("read"), chat=chat)
    request = CHAT_API.build_signal(chat_api_account(client), read)
    assert request is not None and request.url.split("?")[0].endswith("/readChat")
    status, body, headers = await perform(client, request)
    CHAT_API.interpret_signal(status, body, headers)
    assert CHAT_API.build_signal(chat_api_account(client), signal("typing")) is None
