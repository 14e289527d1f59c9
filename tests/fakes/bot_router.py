"""In-memory fakes of bot-router's ports (``services/bot_router/ports.py``).

``FakeConversations`` mirrors ``shared/store/conversations.py`` rule for rule: one decision per
event id, at most one open conversation per chat, and ``apply``'s version compare-and-set with
its replay rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec
from pymongo.errors import DuplicateKeyError

from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.scenarios import Scenario, ScenarioSet


class _Row(msgspec.Struct, kw_only=True):
    """A stored conversation with the fields only the store keeps."""

    conversation: Conversation
    last_event_id: str | None = None


class FakeConversations:
    """A ``ConversationStore`` in dictionaries."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.decisions: dict[str, bytes] = {}  # encoded, as the store keeps them

    def add(self, conv: Conversation) -> None:
        """Store ``conv`` as if an earlier decision had written it."""
        self.rows[conv.id] = _Row(conversation=msgspec.structs.replace(conv))

    def stored(self, conversation_id: str) -> Conversation | None:
        row = self.rows.get(conversation_id)
        return msgspec.structs.replace(row.conversation) if row else None

    async def find_open(self, chat_key: str) -> Conversation | None:
        for row in self.rows.values():
            if row.conversation.is_open and row.conversation.chat.key == chat_key:
                return msgspec.structs.replace(row.conversation)
        return None

    async def get(self, conversation_id: str) -> Conversation | None:
        return self.stored(conversation_id)

    async def find_decision(self, event_id: str) -> Decision | None:
        body = self.decisions.get(event_id)
        return msgspec.msgpack.decode(body, type=Decision) if body is not None else None

    async def record_decision(self, decision: Decision, now: datetime) -> bool:
        if decision.event_id in self.decisions:
            return False
        self.decisions[decision.event_id] = msgspec.msgpack.encode(decision)
        return True

    async def discard_decision(self, event_id: str) -> None:
        self.decisions.pop(event_id, None)

    async def apply(self, decision: Decision, *, replay: bool = False) -> bool:
        conv = decision.conversation
        if conv is None:
            return True
        if decision.previous_version is None:
            if conv.id in self.rows or self._open_elsewhere(conv):
                # the store's duplicate-key path: fine only if this very conversation exists
                return conv.id in self.rows
            self._write(conv, decision.event_id)
            return True
        current = self.rows.get(conv.id)
        if current is not None and current.conversation.version == decision.previous_version:
            if self._open_elsewhere(conv):
                raise DuplicateKeyError("open_chat_key")  # what the unique index does
            self._write(conv, decision.event_id)
            return True
        if current is None:
            return False
        if current.last_event_id == decision.event_id:
            return True
        return replay and current.conversation.version > decision.previous_version

    def _open_elsewhere(self, conv: Conversation) -> bool:
        return conv.is_open and any(
            row.conversation.is_open and row.conversation.chat.key == conv.chat.key
            for cid, row in self.rows.items() if cid != conv.id)

    def _write(self, conv: Conversation, event_id: str) -> None:
        self.rows[conv.id] = _Row(conversation=msgspec.structs.replace(conv),
                                  last_event_id=event_id)


class FakeScenarios:
    """A ``ScenarioSource`` whose set a test replaces at will."""

    def __init__(self, items: list[Scenario] | None = None) -> None:
        self.current = ScenarioSet(version=1, items=items or [])

    def replace(self, items: list[Scenario]) -> None:
        self.current = ScenarioSet(version=self.current.version + 1, items=items)

    async def get(self) -> ScenarioSet:
        return self.current


class FakePublisher:
    """A ``Publisher`` that keeps what was published, in order, and each batch as published."""

    def __init__(self) -> None:
        self.published: list[events.Message] = []
        self.batches: list[list[events.Message]] = []

    async def publish(self, message: events.Message) -> None:
        self.published.append(message)
        self.batches.append([message])

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        self.published.extend(messages)
        if messages:
            self.batches.append(list(messages))
