"""What bot-router needs from the outside: its conversation store, the flows, a publisher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.flows import FlowVersion
from shared.domain.identities import Identifier, LinkSource, Resolution


class ConversationStore(Protocol):
    """Conversations and the decision record (one decision per event id, stored before effects)."""

    async def find_open(self, chat_key: str) -> Conversation | None: ...

    async def get(self, conversation_id: str) -> Conversation | None: ...

    async def find_open_any(self, chat_keys: list[str]) -> list[Conversation]:
        """The open conversations among these chat keys, oldest first."""
        ...

    async def retire(self, conv: Conversation, merged_into: str) -> bool:
        """Stop ``conv`` receiving messages (another took over); False if it changed."""
        ...

    async def find_decision(self, event_id: str) -> Decision | None: ...

    async def record_decision(self, decision: Decision, now: datetime) -> bool:
        """Store the decision; False when this event was decided before."""
        ...

    async def discard_decision(self, event_id: str) -> None: ...

    async def apply(self, decision: Decision, *, replay: bool = False) -> bool:
        """Write the decision's conversation (idempotent); False if the state moved elsewhere."""
        ...


class IdentityStore(Protocol):
    """Customers and their linked identifiers (links and merges are recorded, never undone)."""

    async def resolve(self, scope: str, identifiers: list[Identifier], chat_ids: list[str],
                      source: LinkSource, now: datetime,
                      changed: list[Identifier] | None = None) -> Resolution:
        """The customer these identifiers name, created, linked or merged as needed."""
        ...


class FlowSource(Protocol):
    """The flow a channel's bot runs now (cached: ``flow_cache``)."""

    async def get(self, channel_id: str) -> FlowVersion: ...


class Publisher(Protocol):
    """Publishes messages, returning once the broker has confirmed them."""

    async def publish(self, message: events.Message) -> None: ...

    async def publish_all(self, messages: Sequence[events.Message]) -> None: ...
