"""The built-in task system: tasks, comments, revisions and attachments in MongoDB.

One class implementing task-sync's ``TaskSystem`` port over the collection modules, so the
application layer never sees a database handle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.domain.access import Viewer
from shared.domain.comments import Comment, Revision
from shared.domain.files import AttachmentRecord, AttachmentState
from shared.domain.past_chats import PastConversation
from shared.domain.tasks import Task
from shared.store import comments, files, past_chats, revisions, tasks
from shared.store.mongo import Database
from shared.store.visibility import task_scope


class MongoTaskSystem:
    def __init__(self, db: Database) -> None:
        self._db = db

    numbered = True  # tasks get sequential request numbers (First Form has its own ids)

    async def create_task(self, task: Task, *, announce: bool = False) -> None:
        await tasks.create(self._db, task, announce=announce, numbered=self.numbered)

    async def get_task(self, task_id: str) -> Task | None:
        return await tasks.get(self._db, task_id)

    async def find_tasks(self, *, status: str | None = None,
                         assignee_user_id: str | None = None,
                         assignee_group_id: str | None = None,
                         limit: int = 100, offset: int = 0,
                         viewer: Viewer | None = None) -> list[Task]:
        return await tasks.find(self._db, status=status, assignee_user_id=assignee_user_id,
                                assignee_group_id=assignee_group_id, limit=limit, offset=offset,
                                scope=task_scope(viewer) if viewer else None)

    async def update_task(self, task_id: str, now: datetime, *, fields: dict[str, Any],
                          unset: tuple[str, ...] = (), announce: bool = False,
                          if_status_in: list[str] | None = None,
                          if_unassigned: bool = False) -> Task | None:
        return await tasks.update(self._db, task_id, now, fields=fields, unset=unset,
                                  announce=announce, if_status_in=if_status_in,
                                  if_unassigned=if_unassigned)

    async def open_task_of_chat(self, chat_key: str, closed_status: str) -> Task | None:
        return await tasks.open_task_of_chat(self._db, chat_key, closed_status)

    async def set_field(self, task_id: str, name: str, value: str) -> Task | None:
        return await tasks.set_field(self._db, task_id, name, value)

    async def task_by_number(self, number: int) -> Task | None:
        return await tasks.by_number(self._db, number)

    async def unannounced_tasks(self) -> list[Task]:
        return await tasks.pending_announcements(self._db)

    async def mark_announced(self, task_id: str, status_version: int) -> None:
        await tasks.announced(self._db, task_id, status_version)

    async def last_inbound_at(self, chat_key: str) -> datetime | None:
        task_ids = await tasks.ids_of_chat(self._db, chat_key)
        return await comments.last_inbound_at(self._db, task_ids) if task_ids else None

    async def add_comment(self, comment: Comment) -> bool:
        return await comments.insert(self._db, comment)

    async def add_comments(self, items: list[Comment]) -> int:
        return await comments.insert_many(self._db, items)

    async def get_comment(self, comment_id: str) -> Comment | None:
        return await comments.get(self._db, comment_id)

    async def comment_by_gateway_id(self, gateway_message_id: str) -> Comment | None:
        return await comments.by_gateway_id(self._db, gateway_message_id)

    async def comments_of_task(self, task_id: str) -> list[Comment]:
        return await comments.of_task(self._db, task_id)

    async def comment_page(self, task_id: str, *, before: int | None = None,
                           limit: int = 50) -> tuple[list[Comment], bool]:
        return await comments.page_of_task(self._db, task_id, before=before, limit=limit)

    async def comments_by_ids(self, comment_ids: list[str]) -> list[Comment]:
        return await comments.by_ids(self._db, comment_ids)

    async def attachments_of_comments(self, comment_ids: list[str], task_id: str | None = None
                                      ) -> list[AttachmentRecord]:
        return await files.of_comments(self._db, comment_ids, task_id)

    async def unsent_people_comments(self, older_than: datetime,
                                     task_id: str | None = None) -> list[Comment]:
        # in the built-in store people write through our API, which flags each comment
        # until its sends are published (the outbox)
        return await comments.pending_outbox(self._db, older_than, task_id=task_id)

    async def mark_published(self, comment_ids: list[str]) -> None:
        await comments.clear_outbox(self._db, comment_ids)

    async def unsettled_comments(self, older_than: datetime) -> list[Comment]:
        return await comments.queued_before(self._db, older_than)

    async def record_sent(self, comment_id: str, gateway_message_id: str | None, *,
                          after_failure: bool = False) -> bool:
        return await comments.record_sent(self._db, comment_id, gateway_message_id,
                                          after_failure=after_failure)

    async def record_part_sent(self, comment_id: str, gateway_message_id: str,
                               part: int) -> None:
        await comments.record_part_sent(self._db, comment_id, gateway_message_id, part)

    async def sent_parts(self, comment: Comment) -> set[int]:
        return await comments.sent_parts(self._db, comment)

    async def record_delivery(self, comment_id: str, status: str, *, code: str | None = None,
                              reason: str | None = None, retry_at: datetime | None = None
                              ) -> Comment | None:
        return await comments.record_delivery(self._db, comment_id, status, code=code,
                                              reason=reason, retry_at=retry_at)

    async def record_pricing(self, comment_id: str, category: str) -> None:
        await comments.record_pricing(self._db, comment_id, category)

    async def reset_for_resend(self, comment_id: str, attempt: str, *,
                               first_part_sent: bool = False) -> bool:
        return await comments.reset_for_resend(self._db, comment_id, attempt,
                                               first_part_sent=first_part_sent)

    async def add_revision(self, revision: Revision) -> bool:
        return await revisions.add(self._db, revision)

    async def mark_revised(self, comment_id: str, *, deleted: bool, text: str) -> None:
        await comments.mark_revised(self._db, comment_id, deleted=deleted, text=text)

    async def revisions_of(self, comment_id: str) -> list[Revision]:
        return await revisions.of_comment(self._db, comment_id)

    async def add_attachment(self, record: AttachmentRecord) -> None:
        await files.add_attachment(self._db, record)

    async def set_attachment_state(self, file_id: str, state: AttachmentState, *,
                                   size: int | None = None, mime_type: str | None = None,
                                   reason: str | None = None,
                                   retry_at: datetime | None = None) -> bool:
        return await files.set_state(self._db, file_id, state, size=size, mime_type=mime_type,
                                     reason=reason, retry_at=retry_at)

    async def attachments_of_task(self, task_id: str) -> list[AttachmentRecord]:
        return await files.of_task(self._db, task_id)

    async def attachments_of_comment(self, comment_id: str) -> list[AttachmentRecord]:
        return await files.of_comment(self._db, comment_id)

    async def get_attachment(self, file_id: str) -> AttachmentRecord | None:
        return await files.get_attachment(self._db, file_id)

    async def customer_messages_since(self, since: datetime, *, category: str, limit: int,
                                      per_conversation: int) -> list[PastConversation]:
        """Past conversations with their customer messages, for a flow replay (issue 12)."""
        return await past_chats.customer_messages_since(
            self._db, since, category=category, limit=limit, per_conversation=per_conversation)
