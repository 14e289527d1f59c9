"""Conversations and the bot's decisions about them (pure types, persisted by the store)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from shared import events
from shared.domain.flow_engine import FlowState


class Conversation(msgspec.Struct, kw_only=True):
    """One task's dialogue with one chat; ``version`` orders the changes bot-router makes."""

    id: str
    chat: events.ChatRef
    task_id: str
    state: events.ConversationState
    version: int = 0
    opened_at: datetime
    last_inbound_at: datetime | None = None
    contact_name: str | None = None
    # the customer it is with, and the identifiers (``kind:value``) already linked to it: a
    # message naming only these needs no identity lookup
    customer_id: str | None = None
    identifiers: list[str] = []
    # another open conversation of the same customer took over (its task gets the messages)
    merged_into: str | None = None
    # where the customer is in the bot's flow (issue 12), and the version that position is in
    flow: FlowState = msgspec.field(default_factory=FlowState)
    flow_version: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state != "closed" and self.merged_into is None

    def knows(self, keys: list[str]) -> bool:
        """Whether every identifier key is linked to this conversation's customer already."""
        return self.customer_id is not None and set(keys) <= set(self.identifiers)


class Decision(msgspec.Struct, kw_only=True):
    """What handling one event did: the conversation after it, and the commands to publish."""

    event_id: str
    conversation: Conversation | None
    previous_version: int | None  # None: the decision opened the conversation
    commands: list[events.Command]
    # the flow the bot answered with: its key ("default", a channel id, or "scenarios" for
    # the flat scenarios) and version; None when the bot did not answer
    flow_key: str | None = None
    flow_version: int | None = None
