"""What task-sync needs from the world, as Protocols.

``TaskSystem`` is the task-system port: the built-in MongoDB store implements it
(``shared.store.task_system``), and an external task system such as First Form can. The other
ports are wabridge's own: stored file bytes, the directory, channel states and the bus.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from shared import events
from shared.domain.access import Viewer
from shared.domain.comments import Comment, Revision
from shared.domain.directory import Contact, Group, User
from shared.domain.files import AttachmentRecord, AttachmentState, StoredFile
from shared.domain.inbox import Activity, InboxQuery
from shared.domain.scenarios import Scenario, ScenarioSet
from shared.domain.tasks import Task


class TaskSystem(Protocol):
    """Tasks in a category with their fields, comments with authors, attachments and replies,
    statuses and assignees, and the comments people wrote inside the task system."""

    async def create_task(self, task: Task, *, announce: bool = False) -> None:
        """Create unless it exists; ``announce`` keeps its status to publish (outbox)."""

    async def get_task(self, task_id: str) -> Task | None: ...

    async def find_tasks(self, *, status: str | None = None,
                         assignee_user_id: str | None = None,
                         assignee_group_id: str | None = None,
                         limit: int = 100, offset: int = 0,
                         viewer: Viewer | None = None) -> list[Task]:
        """Newest first; ``viewer``: only the tasks they may see."""

    async def update_task(self, task_id: str, now: datetime, *, fields: dict[str, Any],
                          unset: tuple[str, ...] = (), announce: bool = False,
                          if_status_in: list[str] | None = None,
                          if_unassigned: bool = False) -> Task | None:
        """Change status or assignee; None when missing or a precondition failed
        (``if_unassigned``: only while no user is assigned)."""

    async def open_task_of_chat(self, chat_key: str, closed_status: str) -> Task | None: ...

    async def set_field(self, task_id: str, name: str, value: str) -> Task | None:
        """Store a field of the task (a bot flow's answer); None when the task is missing."""

    async def task_by_number(self, number: int) -> Task | None:
        """The task customers know by request ``number`` (issue 12), if any."""

    async def unannounced_tasks(self) -> list[Task]:
        """Tasks whose status change is recorded but not yet published."""

    async def mark_announced(self, task_id: str, status_version: int) -> None: ...

    async def last_inbound_at(self, chat_key: str) -> datetime | None:
        """When the customer last wrote in this chat, across its tasks."""

    async def add_comment(self, comment: Comment) -> bool:
        """False when it (or one carrying its gateway message id) exists."""

    async def add_comments(self, items: list[Comment]) -> int:
        """How many were new; the others existed."""

    async def get_comment(self, comment_id: str) -> Comment | None: ...

    async def comment_by_gateway_id(self, gateway_message_id: str) -> Comment | None: ...

    async def comments_of_task(self, task_id: str) -> list[Comment]: ...

    async def comment_page(self, task_id: str, *, before: int | None = None,
                           limit: int = 50) -> tuple[list[Comment], bool]:
        """The newest ``limit`` comments before the order ``before`` (oldest first), and
        whether there are older ones."""

    async def comments_by_ids(self, comment_ids: list[str]) -> list[Comment]: ...

    async def unsent_people_comments(self, older_than: datetime,
                                     task_id: str | None = None) -> list[Comment]:
        """Comments people wrote in the task system whose sends are not published yet (of one
        task when ``task_id`` is given), a hundred at most."""

    async def mark_published(self, comment_ids: list[str]) -> None: ...

    async def unsettled_comments(self, older_than: datetime) -> list[Comment]:
        """Outgoing comments queued since before ``older_than`` with no send result yet
        (and none waiting in the outbox), oldest first, a hundred at most."""
        ...

    async def record_sent(self, comment_id: str, gateway_message_id: str | None, *,
                          after_failure: bool = False) -> bool:
        """The gateway accepted part 0; False when the comment is not recorded yet."""

    async def record_part_sent(self, comment_id: str, gateway_message_id: str,
                               part: int) -> None: ...

    async def sent_parts(self, comment: Comment) -> set[int]: ...

    async def record_delivery(self, comment_id: str, status: str, *, code: str | None = None,
                              reason: str | None = None, retry_at: datetime | None = None
                              ) -> Comment | None:
        """Move the delivery status forward; None if nothing matched."""

    async def record_pricing(self, comment_id: str, category: str) -> None:
        """What the gateway bills the message as (Meta's pricing category), for cost reports."""

    async def reset_for_resend(self, comment_id: str, attempt: str, *,
                               first_part_sent: bool = False) -> bool: ...

    async def add_revision(self, revision: Revision) -> bool: ...

    async def mark_revised(self, comment_id: str, *, deleted: bool, text: str) -> None: ...

    async def revisions_of(self, comment_id: str) -> list[Revision]: ...

    async def add_attachment(self, record: AttachmentRecord) -> None: ...

    async def set_attachment_state(self, file_id: str, state: AttachmentState, *,
                                   size: int | None = None, mime_type: str | None = None,
                                   reason: str | None = None,
                                   retry_at: datetime | None = None) -> bool: ...

    async def attachments_of_task(self, task_id: str) -> list[AttachmentRecord]: ...

    async def attachments_of_comment(self, comment_id: str) -> list[AttachmentRecord]: ...

    async def attachments_of_comments(self, comment_ids: list[str], task_id: str | None = None
                                      ) -> list[AttachmentRecord]:
        """The files of these comments (all of task ``task_id`` when given: read by task)."""
        ...

    async def get_attachment(self, file_id: str) -> AttachmentRecord | None: ...


class FileStore(Protocol):
    """The bytes of files, under ids we choose (written once)."""

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> StoredFile: ...

    async def describe(self, file_id: str) -> StoredFile | None: ...

    def chunks(self, file_id: str) -> AsyncIterator[bytes]: ...


class ChannelStates(Protocol):
    """Company numbers and their last reported state."""

    async def record_state(self, channel_id: str, provider: str, state: str,
                           tier: str | None, at: datetime,
                           transport: str | None = None) -> None: ...

    async def record_webhook(self, channel_id: str, provider: str, at: datetime) -> None:
        """The channel's last accepted webhook (kept only when newer than the stored one)."""

    async def get(self, channel_id: str) -> dict[str, Any] | None: ...

    async def all(self) -> list[dict[str, Any]]: ...


class Publisher(Protocol):
    """The bus, as the use cases publish to it (with confirms)."""

    async def publish(self, message: events.Message) -> None: ...

    async def publish_all(self, messages: Sequence[events.Message]) -> None: ...


class Directory(Protocol):
    """Users, groups and contacts."""

    async def user_by_token(self, token: str) -> User | None: ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def user_by_name(self, full_name: str) -> User | None: ...

    async def user_by_phone(self, phone: str) -> User | None: ...

    async def count_users(self) -> int: ...

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]: ...

    async def upsert_user(self, user: User, token: str | None = None) -> None: ...

    async def delete_user(self, user_id: str) -> bool: ...

    async def set_token(self, user_id: str, token: str) -> bool: ...

    async def revoke_token(self, user_id: str) -> bool: ...

    async def get_group(self, group_id: str) -> Group | None: ...

    async def group_by_name(self, name: str) -> Group | None: ...

    async def list_groups(self) -> list[Group]: ...

    async def upsert_group(self, group: Group) -> None: ...

    async def count_members(self, group_id: str) -> int: ...

    async def delete_group(self, group_id: str) -> bool: ...

    async def get_contact(self, contact_id: str) -> Contact | None: ...

    async def contact_by_phone(self, phone: str) -> Contact | None: ...

    async def contact_phone_owner(self, phone: str) -> str | None: ...

    async def list_contacts(self, *, name_part: str | None = None, limit: int = 100,
                            offset: int = 0) -> list[Contact]: ...

    async def upsert_contact(self, contact: Contact) -> None: ...

    async def delete_contact(self, contact_id: str) -> bool: ...

    async def count_contacts_of(self, user_id: str) -> int: ...


class Scenarios(Protocol):
    """The bot's scenario set, edited by admins (bot-router reads it)."""

    async def load(self) -> ScenarioSet: ...

    async def replace(self, items: list[Scenario]) -> ScenarioSet:
        """Replace the whole set atomically; raises ValueError when it is invalid."""


class Inbox(Protocol):
    """The lists people work from: tasks by view, newest activity first, and read markers."""

    async def record_activity(self, items: list[Activity]) -> None: ...

    async def find(self, query: InboxQuery) -> list[Task]: ...

    async def count(self, query: InboxQuery, cap: int) -> int:
        """How many tasks the list holds, or ``cap`` when it holds at least that many."""
        ...

    async def mark_seen(self, user_id: str, task_id: str, seen_count: int,
                        at: datetime) -> None: ...

    async def seen_counts(self, user_id: str, task_ids: list[str]) -> dict[str, int]: ...

    async def tasks_with_text(self, text: str, since: datetime,
                              limit: int = 200) -> list[str]: ...
