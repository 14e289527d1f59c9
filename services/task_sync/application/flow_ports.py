"""What the flow use cases need (issue 12): the flow store, and the past conversations a
replay runs (a task system may not offer them: First Form does not)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from shared.domain.drafts import FlowDraft, KeyInfo, VersionInfo
from shared.domain.flows import FlowSet, FlowVersion
from shared.domain.past_chats import PastConversation


class FlowStore(Protocol):
    """Drafts, numbered immutable versions and the live version per key."""

    async def live(self, key: str) -> FlowVersion | None: ...

    async def get_version(self, key: str, version: int) -> FlowVersion | None: ...

    async def versions(self, key: str) -> list[VersionInfo]:
        """Newest first."""

    async def publish(self, key: str, flow: FlowSet, *, published_at: str,
                      published_by: str | None = None, note: str = "",
                      expected_version: int | None = None) -> FlowVersion:
        """The next version, made live atomically; ``PublishConflict`` when another publish
        came first (or the live version is not ``expected_version``)."""

    async def get_draft(self, key: str) -> FlowDraft | None: ...

    async def save_draft(self, draft: FlowDraft) -> None: ...

    async def delete_draft(self, key: str, *, if_updated_at: str | None = None) -> bool: ...

    async def keys(self) -> list[KeyInfo]:
        """Every key with a live version or a draft, sorted."""


@runtime_checkable
class ConversationHistory(Protocol):
    """A task system that can list its past conversations' customer messages."""

    async def customer_messages_since(self, since: datetime, *, category: str, limit: int,
                                      per_conversation: int) -> list[PastConversation]:
        """Tasks of ``category`` created since ``since`` (oldest first, at most ``limit``),
        each with its first ``per_conversation`` customer messages in order."""
