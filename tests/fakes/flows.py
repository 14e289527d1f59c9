"""In-memory fakes of the flow ports (issue 12): the flow store, a task system with past
conversations, and an audit log that keeps its entries."""

from __future__ import annotations

from datetime import datetime

import msgspec

from shared.domain.audit import AuditEntry
from shared.domain.drafts import FlowDraft, KeyInfo, PublishConflict, VersionInfo
from shared.domain.flows import FlowSet, FlowVersion
from shared.domain.past_chats import PastConversation, PastMessage
from tests.fakes.task_sync import FakeTaskSystem


class FakeFlows:
    """``FlowStore`` in dictionaries, with the store's numbering and conflict rules.

    ``interleave``: a publish to run between this publish's read of the live version and its
    write (to show what a concurrent publish does)."""

    def __init__(self) -> None:
        self.live_versions: dict[str, FlowVersion] = {}
        self.history: dict[tuple[str, int], FlowVersion] = {}
        self.drafts: dict[str, FlowDraft] = {}
        self.interleave: FlowSet | None = None

    async def live(self, key: str) -> FlowVersion | None:
        return self.live_versions.get(key)

    async def get_version(self, key: str, version: int) -> FlowVersion | None:
        return self.history.get((key, version))

    async def versions(self, key: str) -> list[VersionInfo]:
        found = sorted((v for (k, _), v in self.history.items() if k == key),
                       key=lambda v: -v.version)
        return [VersionInfo(version=v.version, published_at=v.published_at,
                            published_by=v.published_by, note=v.note) for v in found]

    async def publish(self, key: str, flow: FlowSet, *, published_at: str,
                      published_by: str | None = None, note: str = "",
                      expected_version: int | None = None) -> FlowVersion:
        current = self.live_versions.get(key)
        number = current.version if current else 0
        if expected_version is not None and expected_version != number:
            raise PublishConflict(f"flow {key} is at version {number}")
        if self.interleave is not None:
            other, self.interleave = self.interleave, None
            await self.publish(key, other, published_at=published_at)
        now = self.live_versions.get(key)
        if (now.version if now else 0) != number:
            raise PublishConflict(f"flow {key} was published meanwhile")
        new = FlowVersion(key=key, version=number + 1, flow=msgspec.structs.replace(flow, key=key),
                          published_at=published_at, published_by=published_by, note=note)
        self.live_versions[key] = new
        self.history[(key, new.version)] = new
        return new

    async def get_draft(self, key: str) -> FlowDraft | None:
        return self.drafts.get(key)

    async def save_draft(self, draft: FlowDraft) -> None:
        self.drafts[draft.key] = draft

    async def delete_draft(self, key: str, *, if_updated_at: str | None = None) -> bool:
        found = self.drafts.get(key)
        if found is None or (if_updated_at is not None and found.updated_at != if_updated_at):
            return False
        del self.drafts[key]
        return True

    async def keys(self) -> list[KeyInfo]:
        names = sorted(self.live_versions.keys() | self.drafts.keys())
        return [KeyInfo(key=k, live_version=self.live_versions[k].version
                        if k in self.live_versions else None,
                        draft_updated_at=self.drafts[k].updated_at if k in self.drafts else None)
                for k in names]


class FakeHistoryTasks(FakeTaskSystem):
    """A task system that also lists past conversations (as the built-in store does)."""

    async def customer_messages_since(self, since: datetime, *, category: str, limit: int,
                                      per_conversation: int) -> list[PastConversation]:
        tasks = sorted((t for t in self.tasks.values()
                        if t.category == category and t.created_at >= since),
                       key=lambda t: t.created_at)[:limit]
        found: list[PastConversation] = []
        for task in tasks:
            said = sorted((c for c in self.comments.values()
                           if c.task_id == task.id and c.direction == "in"),
                          key=lambda c: c.order)[:per_conversation]
            found.append(PastConversation(
                task_id=task.id, title=task.title, created_at=task.created_at,
                channel_id=task.chat.channel_id,
                messages=[PastMessage(at=c.at, text=c.text, kind=c.content_type) for c in said]))
        return found


class KeptAudit:
    """An audit log in a list."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def find(self, *, actor_id: str | None = None, action: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   limit: int = 100) -> list[AuditEntry]:
        return [e for e in reversed(self.entries)
                if action is None or e.action == action][:limit]

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]
