"""In-memory fakes of task-sync's ports (``services/task_sync/application/ports.py``).

``FakeTaskSystem`` mirrors ``shared/store/task_system.py`` (over ``shared/store/comments.py``,
``tasks.py``, ``files.py`` and ``revisions.py``) rule for rule where the use cases rely on it;
``tests/integration/test_task_system_contract.py`` runs the same tests against both.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from pymongo.errors import DuplicateKeyError

from services.task_sync.application.channel_cache import CachedChannels
from services.task_sync.deps import Deps
from shared import events
from shared.channels_config import ChannelConfig
from shared.config import TaskSyncSettings, load
from shared.domain import access
from shared.domain.access import Actor, Viewer
from shared.domain.comments import DELIVERY_RANK, Comment, Revision
from shared.domain.directory import Contact, Group, User, digits
from shared.domain.files import AttachmentRecord, AttachmentState, StoredFile
from shared.domain.inbox import NOBODY, Activity, InboxQuery
from shared.domain.scenarios import Scenario, ScenarioSet
from shared.domain.tasks import Task
from shared.errors import RetryableError

_FAILURE_FIELDS = {"failure_code": None, "failure_reason": None, "retry_at": None}
_PENDING_LIMIT = 100  # the store reads the outbox and the announcements a hundred at a time


S = TypeVar("S", bound=msgspec.Struct)


def _copy(item: S) -> S:
    """A copy, so a caller changing what it got does not change what is stored."""
    return msgspec.structs.replace(item)


class FakeTaskSystem:
    """A ``TaskSystem`` in dictionaries; ``writes`` journals each write as (operation, id)."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.announcing: set[str] = set()  # the store's status_event_pending flag
        self.comments: dict[str, Comment] = {}
        self.part_refs: dict[str, tuple[str, int]] = {}  # gateway id → (comment id, part)
        self.revisions: dict[str, Revision] = {}
        self.attachments: dict[str, AttachmentRecord] = {}
        self.writes: list[tuple[str, str]] = []

    # ---- tasks ------------------------------------------------------------------------------

    async def create_task(self, task: Task, *, announce: bool = False) -> None:
        if task.id in self.tasks:
            return
        self.writes.append(("create_task", task.id))
        self.tasks[task.id] = _copy(task)
        if announce:
            self.announcing.add(task.id)

    async def get_task(self, task_id: str) -> Task | None:
        task = self.tasks.get(task_id)
        return _copy(task) if task else None

    async def find_tasks(self, *, status: str | None = None,
                         assignee_user_id: str | None = None,
                         assignee_group_id: str | None = None,
                         limit: int = 100, offset: int = 0,
                         viewer: Viewer | None = None) -> list[Task]:
        found = [t for t in self.tasks.values()
                 if (viewer is None or access.can_see(viewer, t))
                 and (status is None or t.status == status)
                 and (assignee_user_id is None or t.assignee_user_id == assignee_user_id)
                 and (assignee_group_id is None or t.assignee_group_id == assignee_group_id)]
        found.sort(key=lambda t: t.id)
        found.sort(key=lambda t: t.updated_at, reverse=True)
        return [_copy(t) for t in found[offset:offset + limit]]

    async def update_task(self, task_id: str, now: datetime, *, fields: dict[str, Any],
                          unset: tuple[str, ...] = (), announce: bool = False,
                          if_status_in: list[str] | None = None,
                          if_unassigned: bool = False) -> Task | None:
        task = self.tasks.get(task_id)
        if task is None or (if_status_in is not None and task.status not in if_status_in):
            return None
        if if_unassigned and task.assignee_user_id is not None:
            return None
        self.writes.append(("update_task", task_id))
        doc: dict[str, Any] = msgspec.to_builtins(task, builtin_types=(datetime,))
        doc |= fields | {"updated_at": now}
        for name in unset:
            doc.pop(name, None)
        if announce:
            doc["status_version"] = doc.get("status_version", 0) + 1
            self.announcing.add(task_id)
        self.tasks[task_id] = msgspec.convert(doc, Task, strict=False)
        return _copy(self.tasks[task_id])

    async def set_field(self, task_id: str, name: str, value: str) -> Task | None:
        task = self.tasks.get(task_id)
        if task is None:
            return None
        self.writes.append(("set_field", task_id))
        task.fields = {**task.fields, name: value}
        return _copy(task)

    async def task_by_number(self, number: int) -> Task | None:
        found = [t for t in self.tasks.values() if t.number == number]
        return _copy(found[0]) if found else None

    async def open_task_of_chat(self, chat_key: str, closed_status: str) -> Task | None:
        open_ones = [t for t in self.tasks.values()
                     if t.chat.key == chat_key and t.status != closed_status]
        return _copy(max(open_ones, key=lambda t: t.created_at)) if open_ones else None

    async def unannounced_tasks(self) -> list[Task]:
        return [_copy(self.tasks[i]) for i in sorted(self.announcing)][:_PENDING_LIMIT]

    async def mark_announced(self, task_id: str, status_version: int) -> None:
        task = self.tasks.get(task_id)
        if task is not None and task.status_version == status_version:
            self.announcing.discard(task_id)

    async def last_inbound_at(self, chat_key: str) -> datetime | None:
        task_ids = {t.id for t in self.tasks.values() if t.chat.key == chat_key}
        inbound = [c for c in self.comments.values()
                   if c.task_id in task_ids and c.direction == "in"]
        return max(inbound, key=lambda c: c.order).at if inbound else None

    # ---- comments ---------------------------------------------------------------------------

    async def add_comment(self, comment: Comment) -> bool:
        if comment.id in self.comments or self._holder_of(comment.gateway_message_id):
            return False
        self.writes.append(("add_comment", comment.id))
        self.comments[comment.id] = _copy(comment)
        return True

    async def add_comments(self, items: list[Comment]) -> int:
        return sum([await self.add_comment(c) for c in items])

    async def get_comment(self, comment_id: str) -> Comment | None:
        comment = self.comments.get(comment_id)
        return _copy(comment) if comment else None

    async def comment_by_gateway_id(self, gateway_message_id: str) -> Comment | None:
        holder = self._holder_of(gateway_message_id)
        if holder is None and gateway_message_id in self.part_refs:
            holder = self.comments.get(self.part_refs[gateway_message_id][0])
        return _copy(holder) if holder else None

    async def comments_of_task(self, task_id: str) -> list[Comment]:
        found = [c for c in self.comments.values()
                 if c.task_id == task_id and c.duplicate_of is None]
        return [_copy(c) for c in sorted(found, key=lambda c: (c.order, c.id))]

    async def comment_page(self, task_id: str, *, before: int | None = None,
                           limit: int = 50) -> tuple[list[Comment], bool]:
        found = [c for c in await self.comments_of_task(task_id)
                 if before is None or c.order < before]
        return found[-limit:] if limit else [], len(found) > limit

    async def comments_by_ids(self, comment_ids: list[str]) -> list[Comment]:
        return [_copy(self.comments[i]) for i in comment_ids if i in self.comments]

    async def unsent_people_comments(self, older_than: datetime,
                                     task_id: str | None = None) -> list[Comment]:
        return [_copy(c) for c in self.comments.values()
                if c.outbox is not None and c.at < older_than
                and task_id in (None, c.task_id)][:_PENDING_LIMIT]

    async def unsettled_comments(self, older_than: datetime) -> list[Comment]:
        found = [c for c in self.comments.values() if c.delivery == "queued"
                 and c.at < older_than and c.outbox is None]
        return [_copy(c) for c in sorted(found, key=lambda c: c.at)][:_PENDING_LIMIT]

    async def mark_published(self, comment_ids: list[str]) -> None:
        for comment_id in comment_ids:
            if comment_id in self.comments:
                self._set(comment_id, outbox=None)

    async def record_sent(self, comment_id: str, gateway_message_id: str | None, *,
                          after_failure: bool = False) -> bool:
        comment = self.comments.get(comment_id)
        if comment is None:
            return False
        rank = comment.delivery_rank
        allowed = (rank in (DELIVERY_RANK["queued"], DELIVERY_RANK["failed"]) if after_failure
                   else rank is not None and rank < DELIVERY_RANK["sent"])
        if not allowed:  # already further along: still remember the gateway id
            if gateway_message_id and comment.gateway_message_id is None:
                self._take_gateway_id(comment_id, gateway_message_id, absorb=False)
            return True
        if gateway_message_id:
            self._take_gateway_id(comment_id, gateway_message_id, absorb=True)
        self._set(comment_id, delivery="sent", delivery_rank=DELIVERY_RANK["sent"],
                  **_FAILURE_FIELDS)
        return True

    def _take_gateway_id(self, comment_id: str, gateway_message_id: str, *,
                         absorb: bool) -> None:
        """The unique index on ``gateway_message_id``: an echo of our own send steps aside
        (``absorb_echo``); any other holder is a duplicate key, as in the store."""
        holder = self._holder_of(gateway_message_id)
        if holder is not None and holder.id != comment_id:
            if not absorb or holder.send_id is not None:
                raise DuplicateKeyError("gateway_message_id")
            self._set(holder.id, duplicate_of=comment_id, gateway_message_id=None)
        self._set(comment_id, gateway_message_id=gateway_message_id)

    async def record_part_sent(self, comment_id: str, gateway_message_id: str,
                               part: int) -> None:
        self.part_refs[gateway_message_id] = (comment_id, part)

    async def sent_parts(self, comment: Comment) -> set[int]:
        parts = {part for owner, part in self.part_refs.values() if owner == comment.id}
        return parts | ({0} if comment.gateway_message_id else set())

    async def record_pricing(self, comment_id: str, category: str) -> None:
        if comment_id in self.comments:
            self.comments[comment_id] = msgspec.structs.replace(
                self.comments[comment_id], pricing_category=category)

    async def record_delivery(self, comment_id: str, status: str, *, code: str | None = None,
                              reason: str | None = None, retry_at: datetime | None = None
                              ) -> Comment | None:
        rank = DELIVERY_RANK[status]
        comment = self.comments.get(comment_id)
        if comment is None or comment.delivery_rank is None:
            return None
        if status == "waiting":
            applies = comment.delivery_rank <= 0
        elif status == "failed":  # a failure reported after delivery is stale
            applies = comment.delivery_rank < DELIVERY_RANK["delivered"]
        else:
            applies = comment.delivery_rank < rank
        if not applies:
            return None
        self._set(comment_id, delivery=status, delivery_rank=rank, failure_code=code,
                  failure_reason=reason, retry_at=retry_at)
        return _copy(self.comments[comment_id])

    async def reset_for_resend(self, comment_id: str, attempt: str, *,
                               first_part_sent: bool = False) -> bool:
        comment = self.comments.get(comment_id)
        if comment is None or comment.delivery != "failed":
            return False
        status = "sent" if first_part_sent else "queued"
        self._set(comment_id, delivery=status, delivery_rank=DELIVERY_RANK[status],
                  outbox=True, send_attempt=attempt, **_FAILURE_FIELDS)
        return True

    async def add_revision(self, revision: Revision) -> bool:
        if revision.id in self.revisions:
            return False
        self.writes.append(("add_revision", revision.id))
        self.revisions[revision.id] = _copy(revision)
        return True

    async def mark_revised(self, comment_id: str, *, deleted: bool, text: str) -> None:
        if comment_id not in self.comments:
            return
        if deleted:
            self._set(comment_id, deleted=True)
        else:
            self._set(comment_id, edited=True, current_text=text)

    async def revisions_of(self, comment_id: str) -> list[Revision]:
        found = [r for r in self.revisions.values() if r.comment_id == comment_id]
        return [_copy(r) for r in sorted(found, key=lambda r: r.at)]

    def _holder_of(self, gateway_message_id: str | None) -> Comment | None:
        if not gateway_message_id:
            return None
        return next((c for c in self.comments.values()
                     if c.gateway_message_id == gateway_message_id), None)

    def _set(self, comment_id: str, **fields: Any) -> None:
        self.comments[comment_id] = msgspec.structs.replace(self.comments[comment_id], **fields)

    # ---- attachments ------------------------------------------------------------------------

    async def add_attachment(self, record: AttachmentRecord) -> None:
        if record.id not in self.attachments:
            self.writes.append(("add_attachment", record.id))
            self.attachments[record.id] = _copy(record)

    async def set_attachment_state(self, file_id: str, state: AttachmentState, *,
                                   size: int | None = None, mime_type: str | None = None,
                                   reason: str | None = None,
                                   retry_at: datetime | None = None) -> bool:
        record = self.attachments.get(file_id)
        if record is None:
            return False
        if state != "stored" and record.state == "stored":  # never back from stored
            return True
        self.attachments[file_id] = msgspec.structs.replace(
            record, state=state, size=record.size if size is None else size,
            mime_type=record.mime_type if mime_type is None else mime_type,
            reason=reason, retry_at=retry_at)
        return True

    async def attachments_of_task(self, task_id: str) -> list[AttachmentRecord]:
        return [_copy(a) for i, a in sorted(self.attachments.items()) if a.task_id == task_id]

    async def attachments_of_comment(self, comment_id: str) -> list[AttachmentRecord]:
        return [_copy(a) for i, a in sorted(self.attachments.items())
                if a.comment_id == comment_id]

    async def attachments_of_comments(self, comment_ids: list[str], task_id: str | None = None
                                      ) -> list[AttachmentRecord]:
        return [_copy(a) for _, a in sorted(self.attachments.items())
                if a.comment_id in comment_ids and task_id in (None, a.task_id)]

    async def get_attachment(self, file_id: str) -> AttachmentRecord | None:
        record = self.attachments.get(file_id)
        return _copy(record) if record else None


class FakeInbox:
    """Mirrors ``shared/store/inbox.py`` over a ``FakeTaskSystem``'s tasks."""

    def __init__(self, tasks: FakeTaskSystem) -> None:
        self.tasks = tasks
        self.seen: dict[tuple[str, str], int] = {}
        self.writes = 0

    async def record_activity(self, items: list[Activity]) -> None:
        self.writes += 1
        for item in items:
            task = self.tasks.tasks.get(item.task_id)
            if task is None:
                continue
            newer = task.last_activity_at is None or task.last_activity_at < item.at
            fields: dict[str, Any] = {"inbound_count": task.inbound_count + item.inbound}
            if newer:
                fields |= {"last_activity_at": item.at, "last_preview": item.preview,
                           "last_direction": item.direction,
                           "last_author_kind": item.author_kind or None}
            if item.inbound_at and (task.last_inbound_at is None
                                    or task.last_inbound_at < item.inbound_at):
                fields["last_inbound_at"] = item.inbound_at
            self.tasks.tasks[task.id] = msgspec.structs.replace(task, **fields)

    async def find(self, query: InboxQuery) -> list[Task]:
        found = [t for t in self.tasks.tasks.values() if _in_list(query, t)]
        found.sort(key=lambda t: (t.last_activity_at or t.created_at, t.id), reverse=True)
        return [_copy(t) for t in found[:query.limit]]

    async def count(self, query: InboxQuery, cap: int) -> int:
        return min(cap, sum(1 for t in self.tasks.tasks.values() if _in_list(query, t)))

    async def mark_seen(self, user_id: str, task_id: str, seen_count: int,
                        at: datetime) -> None:
        key = (user_id, task_id)
        self.seen[key] = max(self.seen.get(key, 0), seen_count)

    async def seen_counts(self, user_id: str, task_ids: list[str]) -> dict[str, int]:
        return {t: self.seen[(user_id, t)] for t in task_ids if (user_id, t) in self.seen}

    async def tasks_with_text(self, text: str, since: datetime,
                              limit: int = 200) -> list[str]:
        hits = sorted((c for c in self.tasks.comments.values()
                       if c.at >= since and text.lower() in c.text.lower()),
                      key=lambda c: c.order, reverse=True)
        return list(dict.fromkeys(c.task_id for c in hits))[:limit]


def _in_list(query: InboxQuery, task: Task) -> bool:
    viewer, open_ = query.viewer, task.status in query.open_statuses
    if query.view == "mine":
        listed = task.assignee_user_id == viewer.user_id and open_
    elif query.view == "queue":
        listed = (task.assignee_user_id is None and task.assignee_group_id in viewer.group_ids
                  and open_)
    else:
        listed = access.can_see(viewer, task) and (
            task.status == query.closed_status if query.view == "closed" else open_)
    return listed and all((
        query.status is None or task.status == query.status,
        query.provider is None or task.chat.provider == query.provider,
        query.channel_id is None or task.chat.channel_id == query.channel_id,
        query.assignee_user_id is None or task.assignee_user_id == (
            None if query.assignee_user_id == NOBODY else query.assignee_user_id),
        query.task_ids is None or task.id in query.task_ids,
        query.search is None or _matches(query.search, task)))


def _matches(search: str, task: Task) -> bool:
    wanted = re.sub(r"\D", "", search)
    if wanted and not search.strip("0123456789 ()+-"):
        return (task.phone or "").startswith(wanted)
    name = (task.contact_name or task.title).lower().replace("ё", "е")
    return name.startswith(search.strip().lower().replace("ё", "е"))


class FakeFiles:
    """A ``FileStore`` in memory: bytes under the ids the caller chose, written once."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[StoredFile, bytes]] = {}

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> StoredFile:
        existing = self.stored.get(file_id)
        if existing is None or existing[0].size != len(data):
            described = StoredFile(id=file_id, file_name=file_name, mime_type=mime_type,
                                   size=len(data))
            self.stored[file_id] = (described, data)
        return self.stored[file_id][0]

    async def describe(self, file_id: str) -> StoredFile | None:
        found = self.stored.get(file_id)
        return found[0] if found else None

    async def chunks(self, file_id: str) -> AsyncIterator[bytes]:
        found = self.stored.get(file_id)
        if found is not None:
            yield found[1]


class FakeChannels:
    """``ChannelStates`` in a dict, shaped as the store's documents; ``lookups`` counts ``get``."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.lookups = 0

    async def record_state(self, channel_id: str, provider: str, state: str,
                           tier: str | None, at: datetime,
                           transport: str | None = None) -> None:
        stamped = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        doc = self.docs.setdefault(channel_id, {"_id": channel_id})
        if doc.get("updated_at", "") >= stamped:
            return  # as the store: an older report never overrides a newer one
        doc |= {"provider": provider, "state": state, "updated_at": stamped}
        if tier:
            doc["tier"] = tier
        if transport:
            doc["transport"] = transport

    async def record_webhook(self, channel_id: str, provider: str, at: datetime) -> None:
        stamped = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        doc = self.docs.setdefault(channel_id, {"_id": channel_id, "provider": provider})
        if doc.get("last_webhook_at", "") < stamped:  # as the store: only forward
            doc["last_webhook_at"] = stamped

    async def get(self, channel_id: str) -> dict[str, Any] | None:
        self.lookups += 1
        doc = self.docs.get(channel_id)
        return dict(doc) if doc else None

    async def all(self) -> list[dict[str, Any]]:
        return [{"channel_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
                for _, doc in sorted(self.docs.items())]


class FakeScenarios:
    """``Scenarios`` in memory; ``replace`` raises ValueError for an invalid set, as the store."""

    def __init__(self, items: list[Scenario] | None = None) -> None:
        self.current = ScenarioSet(version=1 if items else 0, items=items or [])

    async def load(self) -> ScenarioSet:
        return self.current

    async def replace(self, items: list[Scenario]) -> ScenarioSet:
        self.current = ScenarioSet(version=self.current.version + 1, items=items)
        return self.current


class FakeDirectory:
    """A ``Directory`` in dictionaries; phones kept as digits, as the store keeps them."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}  # token hash → user id
        self.groups: dict[str, Group] = {}
        self.contacts: dict[str, Contact] = {}

    # ---- users ------------------------------------------------------------------------------

    async def user_by_token(self, token: str) -> User | None:
        user_id = self.tokens.get(_hash(token))
        return self.users.get(user_id) if user_id else None

    async def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    async def user_by_name(self, full_name: str) -> User | None:
        return next((u for u in self.users.values() if u.full_name == full_name), None)

    async def user_by_phone(self, phone: str) -> User | None:
        wanted = digits(phone)
        return next((u for u in self.users.values() if wanted in u.phones), None)

    async def count_users(self) -> int:
        return len(self.users)

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        ordered = sorted(self.users.values(), key=lambda u: (u.full_name, u.id))
        return ordered[offset:offset + limit]

    async def upsert_user(self, user: User, token: str | None = None) -> None:
        phones = [digits(p) for p in user.phones]
        for other in self.users.values():  # a phone listed by another user moves to this one
            if other.id != user.id and set(other.phones) & set(phones):
                self.users[other.id] = msgspec.structs.replace(
                    other, phones=[p for p in other.phones if p not in phones])
        self.users[user.id] = msgspec.structs.replace(user, phones=phones)
        if token:
            self._drop_tokens_of(user.id)
            self.tokens[_hash(token)] = user.id

    async def delete_user(self, user_id: str) -> bool:
        self._drop_tokens_of(user_id)
        return self.users.pop(user_id, None) is not None

    async def set_token(self, user_id: str, token: str) -> bool:
        user = self.users.get(user_id)
        if user is None or user.is_service:
            return False
        self._drop_tokens_of(user_id)
        self.tokens[_hash(token)] = user_id
        return True

    async def revoke_token(self, user_id: str) -> bool:
        self._drop_tokens_of(user_id)
        return user_id in self.users

    def _drop_tokens_of(self, user_id: str) -> None:
        self.tokens = {h: u for h, u in self.tokens.items() if u != user_id}

    # ---- groups -----------------------------------------------------------------------------

    async def get_group(self, group_id: str) -> Group | None:
        return self.groups.get(group_id)

    async def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    async def list_groups(self) -> list[Group]:
        return sorted(self.groups.values(), key=lambda g: (g.name, g.id))

    async def upsert_group(self, group: Group) -> None:
        if any(g.name == group.name and g.id != group.id for g in self.groups.values()):
            raise ValueError(f"a group named {group.name!r} exists already")
        self.groups[group.id] = group

    async def count_members(self, group_id: str) -> int:
        return sum(group_id in u.group_ids for u in self.users.values())

    async def delete_group(self, group_id: str) -> bool:
        return self.groups.pop(group_id, None) is not None

    # ---- contacts ---------------------------------------------------------------------------

    async def get_contact(self, contact_id: str) -> Contact | None:
        return self.contacts.get(contact_id)

    async def contact_by_phone(self, phone: str) -> Contact | None:
        owner = await self.contact_phone_owner(phone)
        return self.contacts.get(owner) if owner else None

    async def contact_phone_owner(self, phone: str) -> str | None:
        wanted = digits(phone)
        return next((c.id for c in self.contacts.values() if wanted in c.phones), None)

    async def list_contacts(self, *, name_part: str | None = None, limit: int = 100,
                            offset: int = 0) -> list[Contact]:
        found = [c for c in self.contacts.values()
                 if not name_part or name_part.casefold() in c.name.casefold()]
        return sorted(found, key=lambda c: (c.name, c.id))[offset:offset + limit]

    async def upsert_contact(self, contact: Contact) -> None:
        phones = [digits(p) for p in contact.phones]
        for other in self.contacts.values():
            if other.id != contact.id and set(other.phones) & set(phones):
                self.contacts[other.id] = msgspec.structs.replace(
                    other, phones=[p for p in other.phones if p not in phones])
        self.contacts[contact.id] = msgspec.structs.replace(contact, phones=phones)

    async def delete_contact(self, contact_id: str) -> bool:
        return self.contacts.pop(contact_id, None) is not None

    async def count_contacts_of(self, user_id: str) -> int:
        return sum(c.responsible_user_id == user_id for c in self.contacts.values())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FakePublisher:
    """A ``Publisher`` that keeps what was published, in order; told to, it fails as a broker
    that does not confirm (``RetryableError``), publishing nothing."""

    def __init__(self) -> None:
        self.published: list[events.Message] = []
        self.down = False  # every publish fails until set back
        self._fine_before_failing = 0
        self._failures_left = 0
        self._failing_kind: type[Any] = object

    def fail_next(self, times: int = 1, *, after: int = 0, only: type[Any] = object) -> None:
        """Let ``after`` more publishes through, then fail ``times`` of them; ``only``: count
        and fail messages of this type only."""
        self._fine_before_failing, self._failures_left = after, times
        self._failing_kind = only

    async def publish(self, message: events.Message) -> None:
        self._confirm([message])
        self.published.append(message)

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        self._confirm(messages)
        self.published.extend(messages)

    def _confirm(self, messages: Sequence[events.Message]) -> None:
        if not self.down:
            if not any(isinstance(m, self._failing_kind) for m in messages):
                return
            if self._fine_before_failing:
                self._fine_before_failing -= 1
                return
            if not self._failures_left:
                return
            self._failures_left -= 1
        raise RetryableError("the broker did not confirm the publish", code="BUS_UNAVAILABLE")

    def of_type(self, kind: type[Any]) -> list[Any]:
        return [m for m in self.published if isinstance(m, kind)]

    def sends(self) -> list[events.SendMessage]:
        return self.of_type(events.SendMessage)


# ---- building a world for the use cases ----------------------------------------------------

ROBOT_USER_ID = "usr-robot"
GROUP_BOT_USER_ID = "usr-group-bot"
WAZZUP = ChannelConfig(id="wazzup-main", provider="wazzup", api_url="https://api.wazzup24.com",
                       api_key="wazzup-key", webhook_token="hook-token-1")
META = ChannelConfig(id="meta-main", provider="meta", api_url="https://graph.facebook.com",
                     api_key="meta-key", webhook_token="hook-token-2")


def settings(**overrides: str) -> TaskSyncSettings:
    """task-sync's settings for tests; ``overrides`` by variable name (``WABRIDGE_...``)."""
    return load(TaskSyncSettings, {"MONGODB_URL": "mongodb://unused",
                                   "WABRIDGE_URL_SIGNING_KEY": "k" * 32} | overrides)


def fake_deps(*, tasks: FakeTaskSystem | None = None, files: FakeFiles | None = None,
              directory: FakeDirectory | None = None, channels: FakeChannels | None = None,
              scenarios: FakeScenarios | None = None, bus: FakePublisher | None = None,
              config: TaskSyncSettings | None = None,
              connections: list[ChannelConfig] | None = None, **more_ports: Any) -> Deps:
    """task-sync's ``Deps`` over fakes (fresh ones for those not given), wired as
    ``services.task_sync.wiring.builtin_deps`` wires the store: channel states cached.
    ``more_ports``: any other field of ``Deps``, passed as given."""
    tasks = tasks or FakeTaskSystem()
    more_ports.setdefault("inbox", FakeInbox(tasks))
    return Deps(tasks=tasks, files=files or FakeFiles(),
                directory=directory or FakeDirectory(),
                channels=CachedChannels(channels or FakeChannels()), bus=bus or FakePublisher(),
                scenarios=scenarios or FakeScenarios(), settings=config or settings(),
                robot_user_id=ROBOT_USER_ID, group_bot_user_id=GROUP_BOT_USER_ID,
                connections=[WAZZUP, META] if connections is None else connections,
                **more_ports)


@dataclass
class FakeTaskSync:
    """task-sync's ``Deps`` over fresh fakes, with the fakes at hand for assertions."""

    tasks: FakeTaskSystem = field(default_factory=FakeTaskSystem)
    files: FakeFiles = field(default_factory=FakeFiles)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    channels: FakeChannels = field(default_factory=FakeChannels)
    scenarios: FakeScenarios = field(default_factory=FakeScenarios)
    bus: FakePublisher = field(default_factory=FakePublisher)
    config: TaskSyncSettings = field(default_factory=settings)
    deps: Deps = field(init=False)

    def __post_init__(self) -> None:
        self.deps = fake_deps(tasks=self.tasks, files=self.files, directory=self.directory,
                              channels=self.channels, scenarios=self.scenarios, bus=self.bus,
                              config=self.config)


def a_chat(provider: str = "wazzup", *, chat_id: str = "79011112233",
           channel_id: str = "ch-1") -> events.ChatRef:
    connection = {"wazzup": WAZZUP.id, "meta": META.id}.get(provider, "")
    return events.ChatRef(provider=provider, channel_id=channel_id, chat_type="whatsapp",
                          chat_id=chat_id, connection=connection)


def a_task(task_id: str = "t1", *, chat: events.ChatRef | None = None, status: str | None = None,
           at: datetime | None = None, **fields: Any) -> Task:
    """A task as task-sync records it, in the manager status unless told otherwise."""
    at = at or events.utcnow()
    return Task(id=task_id, title="WhatsApp: Anna", category=settings().wabridge_category,
                status=status or settings().wabridge_status_manager, chat=chat or a_chat(),
                conversation_id=f"cv-{task_id}", created_at=at, updated_at=at, **fields)


def an_actor(user: User, *, group_member_ids: frozenset[str] = frozenset()) -> Actor:
    """``user`` asking through the API with a token (their role as the user says)."""
    return Actor(user=user, viewer=access.viewer_of(user, group_member_ids))
