"""Conversations and decisions on MongoDB (or the stand-in): one open conversation per chat,
idempotent application of decisions, decisions stored with their commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from shared import events
from shared.store import conversations
from shared.store.conversations import Conversation, Decision

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


@pytest.fixture
async def db(db: Any) -> Any:
    await conversations.ensure_indexes(db)
    return db


# ---- one open conversation per chat ---------------------------------------------------------


async def test_opening_a_conversation_makes_it_the_open_one_of_its_chat(db: Any) -> None:
    conv = conversation("c1")
    assert await conversations.apply(db, opening(conv)) is True
    assert await conversations.find_open(db, conv.chat.key) == conv


async def test_second_open_conversation_in_the_same_chat_is_refused(db: Any) -> None:
    first, second = conversation("c1"), conversation("c2")
    await conversations.apply(db, opening(first))

    assert await conversations.apply(db, opening(second)) is False
    assert await conversations.find_open(db, first.chat.key) == first
    assert await conversations.get(db, "c2") is None


async def test_open_conversations_of_different_chats_coexist(db: Any) -> None:
    a, b = conversation("c1", chat_id="111"), conversation("c2", chat_id="222")
    assert await conversations.apply(db, opening(a)) is True
    assert await conversations.apply(db, opening(b)) is True
    assert await conversations.find_open(db, a.chat.key) == a
    assert await conversations.find_open(db, b.chat.key) == b


async def test_closing_a_conversation_frees_its_chat_for_a_new_one(db: Any) -> None:
    first = conversation("c1")
    await conversations.apply(db, opening(first))

    assert await conversations.apply(db, moving(first, "ev-close", state="closed")) is True
    assert await conversations.find_open(db, first.chat.key) is None
    closed = await conversations.get(db, "c1")
    assert closed is not None and closed.state == "closed" and closed.version == 2

    second = conversation("c2")
    assert await conversations.apply(db, opening(second)) is True
    assert await conversations.find_open(db, first.chat.key) == second


async def test_conversation_opened_already_closed_does_not_hold_its_chat(db: Any) -> None:
    closed = conversation("c1", state="closed")
    assert await conversations.apply(db, opening(closed)) is True
    assert await conversations.find_open(db, closed.chat.key) is None
    assert await conversations.apply(db, opening(conversation("c2"))) is True


# ---- applying decisions ---------------------------------------------------------------------


async def test_applying_the_same_opening_decision_twice_reports_success_and_stores_one(
    db: Any,
) -> None:
    decision = opening(conversation("c1"))
    assert await conversations.apply(db, decision) is True
    assert await conversations.apply(db, decision) is True
    assert await db.conversations.count_documents({}) == 1


async def test_applying_the_same_update_twice_moves_the_version_once(db: Any) -> None:
    conv = conversation("c1")
    await conversations.apply(db, opening(conv))
    decision = moving(conv, "ev-2", state="manager")

    assert await conversations.apply(db, decision) is True
    assert await conversations.apply(db, decision) is True
    stored = await conversations.get(db, "c1")
    assert stored is not None and (stored.state, stored.version) == ("manager", 2)


async def test_decision_on_a_stale_version_is_refused_and_changes_nothing(db: Any) -> None:
    conv = conversation("c1")
    await conversations.apply(db, opening(conv))
    await conversations.apply(db, moving(conv, "ev-2", state="manager"))

    stale = moving(conv, "ev-3", state="closed")  # decided on version 1, now at 2
    assert await conversations.apply(db, stale) is False
    stored = await conversations.get(db, "c1")
    assert stored is not None and (stored.state, stored.version) == ("manager", 2)
    assert await conversations.find_open(db, conv.chat.key) is not None


async def test_decision_without_conversation_change_applies_as_no_op(db: Any) -> None:
    decision = Decision(event_id="ev-1", conversation=None, previous_version=None, commands=[])
    assert await conversations.apply(db, decision) is True
    assert await db.conversations.count_documents({}) == 0


async def test_update_keeps_the_stored_fields_of_the_new_state(db: Any) -> None:
    conv = conversation("c1")
    await conversations.apply(db, opening(conv))
    later = NOW + timedelta(minutes=5)
    new = msgspec.structs.replace(conv, state="manager", version=2, last_inbound_at=later,
                                  contact_name="Anna K.")
    await conversations.apply(db, Decision(event_id="ev-2", conversation=new,
                                           previous_version=1, commands=[]))
    assert await conversations.get(db, "c1") == new


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


async def test_recorded_decision_round_trips_with_its_commands(db: Any) -> None:
    decision = decision_with_commands()
    await conversations.record_decision(db, decision, events.utcnow())

    found = await conversations.find_decision(db, "ev-1")
    assert found == decision
    assert [type(c) for c in found.commands] == [events.OpenTask, events.AddComment,
                                                 events.SendMessage]


async def test_recording_a_decision_again_keeps_the_first(db: Any) -> None:
    first = decision_with_commands()
    await conversations.record_decision(db, first, events.utcnow())
    replay = msgspec.structs.replace(first, commands=[])
    await conversations.record_decision(db, replay, events.utcnow())

    assert await conversations.find_decision(db, "ev-1") == first


async def test_unknown_event_has_no_decision(db: Any) -> None:
    assert await conversations.find_decision(db, "never-seen") is None


async def test_replaying_an_older_applied_decision_succeeds_and_changes_nothing(db: Any) -> None:
    conv = conversation("c1")
    await conversations.apply(db, opening(conv))
    first = moving(conv, "ev-2", state="manager")
    await conversations.apply(db, first)
    second = moving(first.conversation, "ev-3", state="bot")  # type: ignore[arg-type]
    await conversations.apply(db, second)

    # the gateway delivers ev-2 again: its recorded decision is replayed, not decided anew
    assert await conversations.apply(db, first, replay=True) is True
    stored = await conversations.get(db, "c1")
    assert stored is not None and (stored.state, stored.version) == ("bot", 3)
    # a fresh decision on that old version is still a conflict
    assert await conversations.apply(db, first) is False
