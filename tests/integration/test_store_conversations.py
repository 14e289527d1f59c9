"""The conversation store's contract, on MongoDB (or the stand-in) and on the in-memory fake:
one open conversation per chat, idempotent application of decisions, decisions stored with
their commands. Running both keeps the fake honest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from services.bot_router.ports import ConversationStore
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.flow_engine import FlowState
from shared.store import conversations
from tests.fakes.bot_router import FakeConversations

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def chat(chat_id: str = "79011112233") -> events.ChatRef:
    return events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                          chat_id=chat_id)


def conversation(conv_id: str, *, chat_id: str = "79011112233", state: str = "bot",
                 version: int = 1) -> Conversation:
    return Conversation(id=conv_id, chat=chat(chat_id), task_id=f"task-{conv_id}",
                        state=state, version=version, opened_at=NOW,  # type: ignore[arg-type]
                        last_inbound_at=NOW, contact_name="Anna")


def opening(conv: Conversation, event_id: str | None = None) -> Decision:
    return Decision(event_id=event_id or f"ev-open-{conv.id}", conversation=conv,
                    previous_version=None, commands=[])


def moving(conv: Conversation, event_id: str, *, state: str) -> Decision:
    """A decision moving ``conv`` (as stored) to ``state``, one version on."""
    new = msgspec.structs.replace(conv, state=state, version=conv.version + 1)
    return Decision(event_id=event_id, conversation=new, previous_version=conv.version,
                    commands=[])


@pytest.fixture(params=["mongo", "fake"])
async def store(request: pytest.FixtureRequest, db: Any) -> ConversationStore:
    if request.param == "fake":
        return FakeConversations()
    await conversations.ensure_indexes(db)
    return conversations.MongoConversations(db)


# ---- one open conversation per chat ---------------------------------------------------------


async def test_opening_a_conversation_makes_it_the_open_one_of_its_chat(
    store: ConversationStore,
) -> None:
    conv = conversation("c1")
    assert await store.apply(opening(conv)) is True
    assert await store.find_open(conv.chat.key) == conv


async def test_second_open_conversation_in_the_same_chat_is_refused(
    store: ConversationStore,
) -> None:
    first, second = conversation("c1"), conversation("c2")
    await store.apply(opening(first))

    assert await store.apply(opening(second)) is False
    assert await store.find_open(first.chat.key) == first
    assert await store.get("c2") is None


async def test_open_conversations_of_different_chats_coexist(store: ConversationStore) -> None:
    a, b = conversation("c1", chat_id="111"), conversation("c2", chat_id="222")
    assert await store.apply(opening(a)) is True
    assert await store.apply(opening(b)) is True
    assert await store.find_open(a.chat.key) == a
    assert await store.find_open(b.chat.key) == b


async def test_closing_a_conversation_frees_its_chat_for_a_new_one(
    store: ConversationStore,
) -> None:
    first = conversation("c1")
    await store.apply(opening(first))

    assert await store.apply(moving(first, "ev-close", state="closed")) is True
    assert await store.find_open(first.chat.key) is None
    closed = await store.get("c1")
    assert closed is not None and closed.state == "closed" and closed.version == 2

    second = conversation("c2")
    assert await store.apply(opening(second)) is True
    assert await store.find_open(first.chat.key) == second


async def test_conversation_opened_already_closed_does_not_hold_its_chat(
    store: ConversationStore,
) -> None:
    closed = conversation("c1", state="closed")
    assert await store.apply(opening(closed)) is True
    assert await store.find_open(closed.chat.key) is None
    assert await store.apply(opening(conversation("c2"))) is True


# ---- applying decisions ---------------------------------------------------------------------


async def test_applying_the_same_opening_decision_twice_reports_success_and_stores_one(
    store: ConversationStore,
) -> None:
    decision = opening(conversation("c1"))
    assert await store.apply(decision) is True
    assert await store.apply(decision) is True
    assert await store.get("c1") == decision.conversation
    assert await store.find_open(conversation("c1").chat.key) == decision.conversation


async def test_applying_the_same_update_twice_moves_the_version_once(
    store: ConversationStore,
) -> None:
    conv = conversation("c1")
    await store.apply(opening(conv))
    decision = moving(conv, "ev-2", state="manager")

    assert await store.apply(decision) is True
    assert await store.apply(decision) is True
    stored = await store.get("c1")
    assert stored is not None and (stored.state, stored.version) == ("manager", 2)


async def test_decision_on_a_stale_version_is_refused_and_changes_nothing(
    store: ConversationStore,
) -> None:
    conv = conversation("c1")
    await store.apply(opening(conv))
    await store.apply(moving(conv, "ev-2", state="manager"))

    stale = moving(conv, "ev-3", state="closed")  # decided on version 1, now at 2
    assert await store.apply(stale) is False
    stored = await store.get("c1")
    assert stored is not None and (stored.state, stored.version) == ("manager", 2)
    assert await store.find_open(conv.chat.key) is not None


async def test_decision_without_conversation_change_applies_as_no_op(
    store: ConversationStore,
) -> None:
    decision = Decision(event_id="ev-1", conversation=None, previous_version=None, commands=[])
    assert await store.apply(decision) is True
    assert await store.find_open(chat().key) is None


async def test_update_keeps_the_stored_fields_of_the_new_state(store: ConversationStore) -> None:
    conv = conversation("c1")
    await store.apply(opening(conv))
    later = NOW + timedelta(minutes=5)
    new = msgspec.structs.replace(conv, state="manager", version=2, last_inbound_at=later,
                                  contact_name="Anna K.")
    await store.apply(Decision(event_id="ev-2", conversation=new,
                                           previous_version=1, commands=[]))
    assert await store.get("c1") == new


# ---- decisions ------------------------------------------------------------------------------


def decision_with_commands() -> Decision:
    conv = conversation("c1")
    base: dict[str, Any] = {"correlation_id": "corr", "occurred_at": NOW}
    return Decision(event_id="ev-1", conversation=conv, previous_version=None, commands=[
        events.OpenTask(id="cmd-1", **base, task_id=conv.task_id, conversation_id=conv.id,
                        chat=conv.chat, status="bot", phone="79011112233"),
        events.AddComment(id="cmd-2", **base, comment_id="cm-1", task_id=conv.task_id,
                          author_kind="customer", direction="in", text="hello",
                          at=NOW + timedelta(microseconds=1)),
        events.SendMessage(id="send-1", **base, chat=conv.chat, task_id=conv.task_id,
                           comment_id="cm-2", text="greeting", clear_unanswered=False),
    ])


async def test_recorded_decision_round_trips_with_its_commands(store: ConversationStore) -> None:
    decision = decision_with_commands()
    await store.record_decision(decision, events.utcnow())

    found = await store.find_decision("ev-1")
    assert found == decision
    assert [type(c) for c in found.commands] == [events.OpenTask, events.AddComment,
                                                 events.SendMessage]


async def test_recording_a_decision_again_keeps_the_first(store: ConversationStore) -> None:
    first = decision_with_commands()
    assert await store.record_decision(first, events.utcnow()) is True
    replay = msgspec.structs.replace(first, commands=[])
    assert await store.record_decision(replay, events.utcnow()) is False

    assert await store.find_decision("ev-1") == first


async def test_a_discarded_decision_is_gone_and_its_event_can_be_decided_again(
    store: ConversationStore,
) -> None:
    first = decision_with_commands()
    await store.record_decision(first, events.utcnow())
    await store.discard_decision("ev-1")

    assert await store.find_decision("ev-1") is None
    again = msgspec.structs.replace(first, commands=[])
    assert await store.record_decision(again, events.utcnow()) is True
    assert await store.find_decision("ev-1") == again


async def test_unknown_event_has_no_decision(store: ConversationStore) -> None:
    assert await store.find_decision("never-seen") is None


async def test_replaying_an_older_applied_decision_succeeds_and_changes_nothing(
    store: ConversationStore,
) -> None:
    conv = conversation("c1")
    await store.apply(opening(conv))
    first = moving(conv, "ev-2", state="manager")
    await store.apply(first)
    second = moving(first.conversation, "ev-3", state="bot")  # type: ignore[arg-type]
    await store.apply(second)

    # the gateway delivers ev-2 again: its recorded decision is replayed, not decided anew
    assert await store.apply(first, replay=True) is True
    stored = await store.get("c1")
    assert stored is not None and (stored.state, stored.version) == ("bot", 3)
    # a fresh decision on that old version is still a conflict
    assert await store.apply(first) is False


# ---- the flow position (issue 12) -----------------------------------------------------------


async def test_the_flow_position_and_version_survive_a_round_trip(
    store: ConversationStore,
) -> None:
    conv = msgspec.structs.replace(
        conversation("c-flow"), flow=FlowState(node_id="delivery", waiting="ask", tries=1),
        flow_version=3)
    assert await store.apply(opening(conv))
    found = await store.find_open(conv.chat.key)
    assert found is not None and found.flow == conv.flow and found.flow_version == 3
    decided = Decision(event_id="ev-flow", conversation=conv, previous_version=None,
                       commands=[], flow_key="default", flow_version=3)
    assert await store.record_decision(decided, events.utcnow())
    again = await store.find_decision("ev-flow")
    assert again is not None and (again.flow_key, again.flow_version) == ("default", 3)


async def test_a_conversation_stored_before_flows_reads_at_the_root(
    store: ConversationStore,
) -> None:
    conv = conversation("c-old")
    assert await store.apply(opening(conv))
    found = await store.find_open(conv.chat.key)
    assert found is not None and found.flow == FlowState() and found.flow_version is None
