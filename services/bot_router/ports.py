"""What bot-router needs from the outside: its conversation store, the scenarios, a publisher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.scenarios import ScenarioSet


class ConversationStore(Protocol):
    """Conversations and the decision record (one decision per event id, stored before effects)."""

    async def find_open(self, chat_key: str) -> Conversation | None: ...

    async def get(self, conversation_id: str) -> Conversation | None: ...

    async def find_decision(self, event_id: str) -> Decision | None: ...

    async def record_decision(self, decision: Decision, now: datetime) -> bool:
        """Store the decision; False when this event was decided before."""
        ...

    async def discard_decision(self, event_id: str) -> None: ...

    async def apply(self, decision: Decision, *, replay: bool = False) -> bool:
        """Write the decision's conversation (idempotent); False if the state moved elsewhere."""
        ...


class ScenarioSource(Protocol):
    """The current scenario set (may be cached)."""

    async def get(self) -> ScenarioSet: ...


class Publisher(Protocol):
    """Publishes messages, returning once the broker has confirmed them."""

    async def publish(self, message: events.Message) -> None: ...

    async def publish_all(self, messages: Sequence[events.Message]) -> None: ...
