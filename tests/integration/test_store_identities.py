"""The identity store's contract, on MongoDB (or the stand-in) and on the in-memory fake: one
customer per identifier, links recorded, the older customer absorbs the newer, changes become
current. Plus the conversation store's lookup of a customer's open conversations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.bot_router.ports import IdentityStore
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.identities import Identifier, LinkSource
from shared.store import conversations, identities
from tests.fakes.bot_router import FakeConversations, FakeIdentities

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
PHONE = Identifier(kind="phone", value="+34600111222")
BSUID = Identifier(kind="bsuid", value="ES.84920571")
USERNAME = Identifier(kind="username", value="ana_p")


def source(n: int, reason: str = "") -> LinkSource:
    return LinkSource(event_id=f"ev-{n}", gateway_message_id=f"wamid.{n}", reason=reason)


@pytest.fixture(params=["mongo", "fake"])
async def store(request: pytest.FixtureRequest, db: Any) -> IdentityStore:
    if request.param == "fake":
        return FakeIdentities()
    await identities.ensure_indexes(db)
    return identities.MongoIdentities(db)


async def test_a_new_identifier_makes_a_new_customer_with_its_chat_id(
        store: IdentityStore) -> None:
    found = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    assert found.customer.chat_ids == ["34600111222"] and found.linked == [PHONE]
    again = await store.resolve("meta", [PHONE], ["34600111222"], source(2), NOW)
    assert again.customer.id == found.customer.id and again.linked == []


async def test_a_message_carrying_two_identifiers_links_them(store: IdentityStore) -> None:
    first = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    both = await store.resolve("meta", [BSUID, PHONE], ["ES.84920571", "34600111222"],
                               source(2), NOW)
    assert both.customer.id == first.customer.id and both.linked == [BSUID]
    by_bsuid = await store.resolve("meta", [BSUID], ["ES.84920571"], source(3), NOW)
    assert by_bsuid.customer.id == first.customer.id
    assert set(by_bsuid.customer.chat_ids) == {"34600111222", "ES.84920571"}


async def test_identifiers_are_scoped_to_their_gateway(store: IdentityStore) -> None:
    meta = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    wazzup = await store.resolve("wazzup", [PHONE], ["34600111222"], source(2), NOW)
    assert meta.customer.id != wazzup.customer.id


async def test_two_customers_found_to_be_one_merge_into_the_older(store: IdentityStore) -> None:
    older = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    newer = await store.resolve("meta", [BSUID], ["ES.84920571"], source(2),
                                NOW + timedelta(seconds=1))
    assert older.customer.id != newer.customer.id
    merged = await store.resolve("meta", [BSUID, PHONE], ["ES.84920571"], source(3),
                                 NOW + timedelta(seconds=2))
    assert merged.customer.id == older.customer.id
    assert merged.merged == [newer.customer.id]
    assert set(merged.customer.chat_ids) == {"34600111222", "ES.84920571"}
    later = await store.resolve("meta", [BSUID], ["ES.84920571"], source(4), NOW)
    assert later.customer.id == older.customer.id and later.merged == []


async def test_a_changed_number_is_linked_and_becomes_current(store: IdentityStore) -> None:
    first = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    new_phone = Identifier(kind="phone", value="+34600999888")
    changed = await store.resolve("meta", [PHONE], ["34600111222"],
                                  source(2, "user_changed_number"), NOW, [new_phone])
    assert changed.customer.id == first.customer.id and changed.linked == [new_phone]
    assert changed.customer.phone == "+34600999888"
    by_new = await store.resolve("meta", [new_phone], ["34600999888"], source(3), NOW)
    assert by_new.customer.id == first.customer.id


async def test_links_record_what_linked_them(db: Any) -> None:
    store = identities.MongoIdentities(db)
    first = await store.resolve("meta", [PHONE], ["34600111222"], source(1), NOW)
    await store.resolve("meta", [BSUID, PHONE, USERNAME], ["ES.84920571"], source(2), NOW)
    links = {link.kind: link for link in await identities.links_of(db, [first.customer.id])}
    assert links["phone"].reason == "first message"
    assert links["bsuid"].gateway_message_id == "wamid.2"
    assert links["bsuid"].reason == "in one message with phone:+34600111222, username:ana_p"


async def test_concurrent_first_messages_of_one_identifier_make_one_customer(db: Any) -> None:
    store = identities.MongoIdentities(db)
    results = await asyncio.gather(*(
        store.resolve("meta", [PHONE], ["34600111222"], source(n), NOW) for n in range(5)))
    assert len({r.customer.id for r in results}) == 1


def conv(conv_id: str, chat_id: str, opened: datetime) -> Conversation:
    chat = events.ChatRef(provider="meta", channel_id="pn1", chat_type="whatsapp",
                          chat_id=chat_id)
    return Conversation(id=conv_id, chat=chat, task_id=f"task-{conv_id}", state="bot",
                        version=1, opened_at=opened)


@pytest.mark.parametrize("kind", ["mongo", "fake"])
async def test_open_conversations_of_a_customer_are_found_oldest_first_and_retired(
        kind: str, db: Any) -> None:
    store: Any = FakeConversations() if kind == "fake" else conversations.MongoConversations(db)
    if kind == "mongo":
        await conversations.ensure_indexes(db)
    newer, older = conv("c2", "ES.84920571", NOW + timedelta(minutes=1)), conv(
        "c1", "34600111222", NOW)
    for c in (newer, older):
        await store.apply(Decision(event_id=f"ev-{c.id}", conversation=c, previous_version=None,
                                   commands=[]))
    keys = ["pn1:whatsapp:34600111222", "pn1:whatsapp:ES.84920571", "pn1:whatsapp:other"]
    assert [c.id for c in await store.find_open_any(keys)] == ["c1", "c2"]
    assert await store.retire(newer, "c1")
    assert [c.id for c in await store.find_open_any(keys)] == ["c1"]
    assert await store.find_open("pn1:whatsapp:ES.84920571") is None
    retired = await store.get("c2")
    assert retired is not None and retired.merged_into == "c1" and not retired.is_open
