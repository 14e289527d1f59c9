"""First Form behind task-sync's ``TaskSystem`` port.

First Form is the source of truth for tasks and comments. Every write goes there first (once,
see ``posting``) and then into wabridge's own collections, which in this mode are the projection
the console, the inbox and the delivery ticks read: First Form's ids are kept apart, in
``first_form_tasks``/``first_form_comments``. What people change in First Form comes back
through ``feed.FeedReader``. WhatsApp's delivery statuses, edits and file transfer states have
no place in First Form; they stay in the projection only.

The adapter is the built-in store (the projection) with the writes that First Form must see
first overridden; every other method of the port reads or writes the projection as is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import msgspec

from shared import events
from shared.domain.comments import NOTICE, Comment, order_of
from shared.domain.files import AttachmentState
from shared.domain.tasks import Task
from shared.errors import PermanentError, RetryableError
from shared.first_form import requests
from shared.first_form.catalog import Catalog
from shared.first_form.client import FirstFormClient
from shared.first_form.feed import FeedReader, FileSink, PickedUp
from shared.first_form.options import Options
from shared.first_form.posting import FileBytes, Poster
from shared.logs import get_logger
from shared.store import first_form_ids as ids
from shared.store import tasks
from shared.store.mongo import Database, stamp
from shared.store.task_system import MongoTaskSystem

UNSETTLED = ("pending", "waiting")
MAX_SUCCESSORS = 3  # a chain of closed tasks this long is a loop, not a conversation
log = get_logger(__name__)


class Files(FileBytes, FileSink, Protocol):
    """Read and write access to the stored bytes (task-sync's file store)."""


class FirstFormTaskSystem(MongoTaskSystem):
    numbered = False  # customers know a request by First Form's own task id

    def __init__(self, db: Database, client: FirstFormClient, opts: Options, files: Files, *,
                 max_file_bytes: int = 10 * 1024 * 1024,
                 clock: Callable[[], datetime] = events.utcnow, feed_page: int = 500) -> None:
        super().__init__(db)
        self._client = client
        self._opts = opts
        self._clock = clock
        self.catalog = Catalog(client, opts)
        self.poster = Poster(db, client, opts, self.catalog, files, clock)
        # the feed writes what people did there into the projection only
        self.feed = FeedReader(db, client, opts, self.catalog, MongoTaskSystem(db), files,
                               max_file_bytes=max_file_bytes, clock=clock, page=feed_page)

    async def pick_up(self) -> PickedUp:
        """One polling round over the open tasks' feeds (see ``feed``)."""
        return await self.feed.pick_up()

    # ---- tasks --------------------------------------------------------------------------

    async def create_task(self, task: Task, *, announce: bool = False) -> None:
        """The projection first (so a comment arriving meanwhile finds the task to create in
        First Form itself), then First Form."""
        await super().create_task(task, announce=announce)
        await self._in_first_form(task)

    async def _in_first_form(self, task: Task) -> int:
        """First Form's id of the task, created once, in its current state and with its
        current assignee."""
        ff_id = await self.poster.ensure_task(task)
        link = await ids.get(self._db, "task", task.id)
        if link is not None and link.state_id is None:  # not yet set up after creation
            current = await self.get_task(task.id) or task
            state_id = await self.catalog.state_id(current.status)
            await self._client.call(requests.set_state(
                self._opts.paths, task_id=ff_id, state_id=state_id,
                initiator_id=self._opts.robot_user_id))
            await self._assign(ff_id, current.assignee_user_id, current.assignee_group_id)
            # customers ask about a request by First Form's id (the bot's status look-up)
            await tasks.set_number(self._db, task.id, ff_id)
            await ids.advance(self._db, task.id, 0, state_id)
            if current.status == self._opts.status_names.get("closed"):
                await ids.set_open(self._db, task.id, False, self._clock())
        return ff_id

    async def update_task(self, task_id: str, now: datetime, *, fields: dict[str, Any],
                          unset: tuple[str, ...] = (), announce: bool = False,
                          if_status_in: list[str] | None = None,
                          if_unassigned: bool = False) -> Task | None:
        """First Form's state and performers first, then the projection (with the same
        preconditions, checked before anything is sent)."""
        current = await self.get_task(task_id)
        if current is None or (if_status_in is not None and current.status not in if_status_in):
            return None
        if if_unassigned and current.assignee_user_id is not None:
            return None
        ff_id = await self._in_first_form(current)
        if "status" in fields and fields["status"] != current.status:
            state_id = await self.catalog.state_id(str(fields["status"]))
            await self._client.call(requests.set_state(
                self._opts.paths, task_id=ff_id, state_id=state_id,
                initiator_id=self._opts.robot_user_id))
            await ids.advance(self._db, task_id, 0, state_id)
            closed = fields["status"] == self._opts.status_names.get("closed")
            await ids.set_open(self._db, task_id, not closed, now)
        if {"assignee_user_id", "assignee_group_id"} & set(fields):
            await self._assign(ff_id, fields.get("assignee_user_id"),
                               fields.get("assignee_group_id"))
        return await super().update_task(task_id, now, fields=fields, unset=unset,
                                          announce=announce, if_status_in=if_status_in,
                                          if_unassigned=if_unassigned)

    async def task_by_number(self, number: int) -> Task | None:
        """The task First Form numbers ``number`` (its task id), if it is one of ours."""
        link = await ids.by_ff_id(self._db, "task", number)
        return await self.get_task(link.id) if link is not None else None

    async def set_field(self, task_id: str, name: str, value: str) -> Task | None:
        """In the projection, and as a visible comment in First Form: the reference documents
        no REST route that writes a task's ДП (only the smart action ChangeExtParamValue)."""
        task = await super().set_field(task_id, name, value)
        if task is not None:
            now = self._clock()
            await self.add_comment(Comment(
                id=events.derive_id("field", task_id, name, value), task_id=task_id,
                order=order_of(now), at=now, author_kind="system", direction="out",
                text=f"[bot] {name}: {value}", content_type="system"))
        return task

    async def _assign(self, ff_task_id: int, user_id: Any, group_id: Any) -> None:
        if not user_id and not group_id:
            return
        users = [self._ff_of("user", str(user_id), self._opts.users)] if user_id else []
        groups = [self._ff_of("group", str(group_id), self._opts.groups)] if group_id else []
        await self._client.call(requests.assign(
            self._opts.paths, task_id=ff_task_id, user_ids=users, group_ids=groups,
            initiator_id=self._opts.robot_user_id))

    @staticmethod
    def _ff_of(kind: str, ours: str, known: dict[str, int]) -> int:
        if ours not in known:
            raise PermanentError(f"{kind} {ours} has no First Form id (FIRST_FORM_"
                                 f"{kind.upper()}S)", code=f"FIRST_FORM_UNMAPPED_{kind.upper()}")
        return known[ours]

    # ---- comments -----------------------------------------------------------------------

    async def add_comment(self, comment: Comment) -> bool:
        """Post it to First Form (once; a comment with files waits for them), then record it;
        False when it, or another comment carrying its gateway message id, was recorded."""
        if comment.content_type == NOTICE:  # a hand-over or status: First Form shows its own
            return await super().add_comment(comment)
        if comment.gateway_message_id and await self.get_comment(comment.id) is None:
            holder = await self.comment_by_gateway_id(comment.gateway_message_id)
            if holder is not None and holder.id != comment.id:
                return False
        comment = await self._rerouted(comment)
        await self._post_when_ready(comment)
        return await super().add_comment(comment)

    async def add_comments(self, items: list[Comment]) -> int:
        return sum([await self.add_comment(c) for c in items])

    async def _rerouted(self, comment: Comment) -> Comment:
        """A customer's message for a task closed before it was written goes to the chat's task
        opened after that one (created once), never into the closed First Form task.

        The close and the next message race: bot-router routes the message to the old task
        until it hears of the close. A close a person made in First Form counts from the moment
        the feed saw it; one made here, from the moment it was recorded (a flow that closes
        the task after the customer's message keeps that message in it)."""
        link = await ids.get(self._db, "comment", comment.id)
        if link is not None and link.task_id and link.task_id != comment.task_id:
            return msgspec.structs.replace(comment, task_id=link.task_id)  # decided before
        if (link is not None and link.ff_id is not None) or comment.direction != "in" \
                or comment.author_kind not in ("customer", "participant"):
            return comment
        target = comment.task_id
        for _ in range(MAX_SUCCESSORS):
            closed = await ids.get(self._db, "task", target)
            if closed is None or closed.closed_at is None or not (
                    closed.closed_in_first_form or stamp(comment.at) >= closed.closed_at):
                break
            target = (await self._successor(target)).id
        if target != comment.task_id:
            log.warning("customer message for a closed First Form task; it goes to the task "
                        "opened after it", task_id=comment.task_id, successor_task_id=target,
                        comment_id=comment.id)
        return msgspec.structs.replace(comment, task_id=target)

    async def _successor(self, closed_id: str) -> Task:
        """The chat's task after ``closed_id`` (in the bot status, as a new chat's task starts),
        created once and announced so that bot-router continues the chat in it."""
        task_id = events.derive_id("first-form-successor", closed_id)
        found = await self.get_task(task_id)
        if found is None:
            closed = await self.get_task(closed_id)
            if closed is None:
                raise RetryableError(f"task {closed_id} is not recorded yet",
                                     code="TASK_NOT_YET_CREATED")
            now = self._clock()
            found = Task(id=task_id, title=closed.title, category=closed.category,
                         status=self._opts.status_names.get("bot", closed.status),
                         chat=closed.chat, conversation_id=events.derive_id("conversation",
                                                                             task_id),
                         created_at=now, updated_at=now, phone=closed.phone,
                         user_id=closed.user_id, username=closed.username,
                         contact_id=closed.contact_id, contact_name=closed.contact_name,
                         status_version=1, last_activity_at=now)
        await self.create_task(found, announce=True)  # again on a retry: First Form's part
        return found

    async def _post_when_ready(self, comment: Comment) -> None:
        link = await ids.get(self._db, "comment", comment.id)
        if link is not None and link.ff_id is not None:
            return
        task = await self.get_task(comment.task_id)
        if task is None:  # its OpenTask is consumed concurrently and may be a moment behind
            raise RetryableError(f"task {comment.task_id} is not recorded yet",
                                 code="TASK_NOT_YET_CREATED")
        ff_task_id = await self._in_first_form(task)
        # the link before the files' states: whichever of this and the file's arrival comes
        # second sees the other and posts (set_attachment_state)
        await ids.ensure(self._db, "comment", comment.id, comment.task_id)
        files = await self.attachments_of_comment(comment.id)
        if any(f.state in UNSETTLED for f in files):
            return
        await self.poster.ensure_comment(comment, files, ff_task_id)

    # ---- attachments --------------------------------------------------------------------

    async def set_attachment_state(self, file_id: str, state: AttachmentState, *,
                                   size: int | None = None, mime_type: str | None = None,
                                   reason: str | None = None,
                                   retry_at: datetime | None = None) -> bool:
        """Record it; once a customer's comment has all its files, post the comment."""
        known = await super().set_attachment_state(
            file_id, state, size=size, mime_type=mime_type, reason=reason, retry_at=retry_at)
        if known and state not in UNSETTLED:
            record = await self.get_attachment(file_id)
            link = await ids.get(self._db, "comment", record.comment_id) if record else None
            if link is not None and link.ff_id is None:
                comment = await self.get_comment(link.id)
                if comment is None:  # its AddComment is between posting and recording
                    raise RetryableError(f"comment {link.id} is being recorded",
                                         code="COMMENT_NOT_YET_RECORDED")
                await self._post_when_ready(comment)
        return known
