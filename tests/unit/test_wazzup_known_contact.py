"""A Wazzup createContact for a phone the directory knows is answered with that contact: the
provider's request, the rewritten answer, and ingest's bounded look-up with its fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestServer

from services.ingest.directory import DirectoryLookup
from shared.events import CreateContact, MessageReceived
from shared.providers.base import GatewayAccount
from shared.providers.contact_requests import KnownContact, answered_with
from shared.providers.wazzup import WAZZUP

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wazzup"
ACCOUNT = GatewayAccount(api_url="https://api.wazzup24.com", api_key="k" * 32,
                         webhook_token="s3cret-path-token")
SIDOROV = KnownContact(id="cnt-sidorov", name="Сидоров Пётр", responsible_user_id="usr-ivanova")


def create_contact() -> Any:
    return WAZZUP.parse_webhook((FIXTURES / "create_contact.json").read_bytes(),
                                received_at=datetime(2025, 6, 2, 12, tzinfo=UTC),
                                account=ACCOUNT)


def test_a_create_contact_asks_about_its_phones_and_names_the_event_that_would_create_it() -> None:
    parsed = create_contact()
    [event] = parsed.events
    assert isinstance(event, CreateContact)
    asked = parsed.contact_request
    assert asked is not None
    assert asked.phones == ["79011112233"] and asked.event_id == event.id
    assert parsed.reply is not None and parsed.reply["id"] == event.contact_id


def test_a_known_phone_is_answered_with_the_existing_contact_and_nothing_is_created() -> None:
    parsed = create_contact()
    assert parsed.reply is not None and parsed.contact_request is not None
    reply, kept = answered_with(parsed.reply, parsed.events, parsed.contact_request, SIDOROV)
    assert reply == {"id": "cnt-sidorov", "name": "Сидоров Пётр",
                     "responsibleUserId": "usr-ivanova",
                     "contactData": [{"chatType": "whatsapp", "chatId": "79011112233"}]}
    assert kept == []


def test_a_known_contact_without_a_responsible_keeps_the_one_wazzup_asked_for() -> None:
    parsed = create_contact()
    assert parsed.reply is not None and parsed.contact_request is not None
    nobodys = KnownContact(id="cnt-orlov", name="Орлов Денис")
    others = WAZZUP.parse_webhook((FIXTURES / "message_text.json").read_bytes(),
                                  received_at=datetime(2025, 6, 2, tzinfo=UTC),
                                  account=ACCOUNT).events
    assert others and all(isinstance(e, MessageReceived) for e in others)
    reply, kept = answered_with(parsed.reply, [*others, *parsed.events],
                                parsed.contact_request, nobodys)
    assert (reply["id"], reply["name"], reply["responsibleUserId"]) == (
        "cnt-orlov", "Орлов Денис", "u-7")
    assert kept == others


def test_messages_and_deals_ask_the_directory_nothing() -> None:
    for name in ("message_text", "statuses_error"):
        parsed = WAZZUP.parse_webhook((FIXTURES / f"{name}.json").read_bytes(),
                                      received_at=datetime(2025, 6, 2, tzinfo=UTC),
                                      account=ACCOUNT)
        assert parsed.contact_request is None
    deal = WAZZUP.parse_webhook(b'{"createDeal": {"responsibleUserId": "u-7", '
                                b'"contacts": ["c-1"], "source": "byUser"}}',
                                received_at=datetime(2025, 6, 2, tzinfo=UTC), account=ACCOUNT)
    assert deal.reply is not None and deal.contact_request is None


@pytest.fixture
async def directory() -> AsyncIterator[tuple[BaseTestServer, list[str]]]:
    """task-sync's contacts route: Sidorov's phone is known, 7900 is slow, 7401 is refused."""
    asked: list[str] = []

    async def contacts(request: web.Request) -> web.Response:
        phone = request.query["phone"]
        asked.append(phone)
        if request.headers.get("Authorization") != "Bearer t-ingest" or phone == "7401":
            return web.json_response({"error": "unauthenticated"}, status=401)
        if phone == "7900":
            await asyncio.sleep(5)
        items = [{"id": SIDOROV.id, "name": SIDOROV.name, "phones": ["79011112233"],
                  "responsible_user_id": SIDOROV.responsible_user_id}] \
            if phone == "79011112233" else []
        return web.json_response({"items": items})
    app = web.Application()
    app.router.add_get("/api/v1/contacts", contacts)
    async with TestServer(app) as server:
        yield server, asked


async def lookup(server: BaseTestServer, phones: list[str], token: str = "t-ingest",
                 timeout_s: float = 0.5) -> KnownContact | None:
    async with aiohttp.ClientSession() as session:
        found = DirectoryLookup(session, str(server.make_url("/")), token, timeout_s)
        return await found.contact_of(phones)


async def test_the_directory_names_the_contact_of_the_first_known_phone(
    directory: tuple[BaseTestServer, list[str]],
) -> None:
    server, asked = directory
    assert await lookup(server, ["79990000000", "79011112233"]) == SIDOROV
    assert asked == ["79990000000", "79011112233"]
    assert await lookup(server, ["79990000000"]) is None


async def test_a_slow_or_refusing_directory_means_a_new_contact_within_the_timeout(
    directory: tuple[BaseTestServer, list[str]],
) -> None:
    server, _ = directory
    started = asyncio.get_running_loop().time()
    assert await lookup(server, ["7900", "79011112233"]) is None
    assert asyncio.get_running_loop().time() - started < 2
    assert await lookup(server, ["7401"]) is None
    assert await lookup(server, ["79011112233"], token="wrong") is None
