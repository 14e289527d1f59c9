"""What people do in First Form, picked up by polling each open task's feed and state.

First Form pushes nothing we can subscribe to (reference §6), so the poller reads the feed of
every open task past its cursor (kept in MongoDB). A comment that is neither ours (marker,
service author, known id) nor recorded before becomes a comment to send: its files are
downloaded and stored, and it is recorded with its outbox flag before the cursor moves past it,
so a crash at any point repeats the pick-up without effect and the outbox sweeper publishes
what was recorded but not sent. A state or performer changed in First Form is written to the
projection (a status change announced to bot-router through the outbox).
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, Protocol

import msgspec

from shared import events
from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord, StoredFile
from shared.domain.outgoing import plan_parts
from shared.domain.tasks import Task
from shared.errors import PermanentError, RetryableError
from shared.first_form import requests, responses
from shared.first_form.catalog import Catalog
from shared.first_form.client import FirstFormClient
from shared.first_form.mapping import (
    assignee_of,
    people_comment,
    picked_comment_id,
    picked_file_id,
    status_of,
    user_of,
)
from shared.first_form.options import Options
from shared.first_form.responses import FeedComment, TaskState
from shared.first_form.text import marker_of, plain
from shared.logs import get_logger
from shared.providers import REGISTRY
from shared.store import first_form_ids as ids
from shared.store.first_form_ids import Link
from shared.store.mongo import Database
from shared.store.task_system import MongoTaskSystem

log = get_logger(__name__)
# failures that say First Form (or our database) is out of reach for every task, not that one
# task's feed or state is refused: asking for the next task would only fail the same way
ROUND_ENDING = frozenset({"FIRST_FORM_UNAVAILABLE", "FIRST_FORM_LOGIN_REFUSED",
                          "FIRST_FORM_UNAUTHORIZED", "FIRST_FORM_429", "FIRST_FORM_503",
                          "DB_UNAVAILABLE"})
REOPEN_WINDOW = timedelta(days=7)  # a task closed longer ago is not looked at again


class FileSink(Protocol):
    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> StoredFile: ...


class PickedUp(msgspec.Struct, kw_only=True):
    """What a round found: comments to send now, tasks changed in First Form."""

    comments: list[Comment] = []
    tasks: list[Task] = []


class FeedReader:
    def __init__(self, db: Database, client: FirstFormClient, opts: Options, catalog: Catalog,
                 local: MongoTaskSystem, files: FileSink, *, max_file_bytes: int,
                 clock: Callable[[], datetime] = events.utcnow, page: int = 500) -> None:
        self._db = db
        self._client = client
        self._opts = opts
        self._catalog = catalog
        self._local = local
        self._files = files
        self._max_file_bytes = max_file_bytes
        self._clock = clock
        self._page = page
        # a few closed tasks' states are read every this many seconds (reopened there?)
        self.closed_every_s = 60.0
        self.closed_per_round = 20
        self._closed_due = 0.0

    async def pick_up(self) -> PickedUp:
        """One round over all open tasks (and, now and then, a few closed ones: reopened in
        First Form?). A task that fails is logged and tried again next round while the others
        go on; only First Form (or the database) being out of reach for everyone ends the
        round early (what it found so far is returned; the next round goes on)."""
        found = PickedUp()
        try:
            async for link in ids.open_tasks(self._db, self._page):
                await self._guarded(link, self._task(link, found))
            if time.monotonic() >= self._closed_due:
                self._closed_due = time.monotonic() + self.closed_every_s
                now = self._clock()
                for link in await ids.closed_to_check(self._db, now - REOPEN_WINDOW, now,
                                                      self.closed_per_round):
                    await self._guarded(link, self._reopened(link, found))
        except RetryableError as exc:
            # what this round recorded is sent now, before anything a later round finds:
            # left to the outbox sweeper, it would reach the customer after later comments
            log.warning("First Form out of reach; the polling round ends early and is tried "
                        "again next round", reason=str(exc), code=exc.code,
                        picked_up=len(found.comments))
        return found

    async def _guarded(self, link: Link, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except RetryableError as exc:
            if exc.code in ROUND_ENDING:
                raise
            log.warning("First Form task not polled this round; the others go on and it "
                        "is tried again next round", task_id=link.id,
                        ff_task_id=link.ff_id, reason=str(exc), code=exc.code)
        except PermanentError as exc:
            log.warning("First Form task not readable; skipped this round",
                        task_id=link.id, ff_task_id=link.ff_id, reason=str(exc))

    async def _reopened(self, link: Link, found: PickedUp) -> None:
        """A closed task a person reopened in First Form is followed (open again, polled,
        bot-router told), unless the chat has gone on in another open task meanwhile."""
        task = await self._local.get_task(link.id)
        if task is None or link.ff_id is None:
            return
        state = await self._client.fetch(requests.read_task(link.ff_id), responses.task_state)
        if state.state_id is None or state.state_id == link.state_id:
            return
        closed = self._opts.status_names.get("closed", "")
        status = status_of(state, await self._catalog.states(), self._opts.status_names)
        other = await self._local.open_task_of_chat(task.chat.key, closed)
        if status is not None and status != closed and other is not None \
                and other.id != task.id:
            log.warning("task reopened in First Form while its chat goes on in another open "
                        "task; left closed here", task_id=task.id, ff_task_id=link.ff_id,
                        open_task_id=other.id)
        elif status is not None and status != closed:
            changed = await self._follow(task, state, follow_state=True)
            if changed is not None:
                found.tasks.append(changed)
        await ids.advance(self._db, link.id, 0, state.state_id)

    async def _task(self, link: Link, found: PickedUp) -> None:
        task = await self._local.get_task(link.id)
        if task is None or link.ff_id is None:  # still being created
            return
        items = await self._client.fetch(requests.feed(self._opts.paths, link.ff_id),
                                         responses.feed)
        cursor = link.cursor
        try:
            for item in items:
                if item.id <= cursor:
                    continue
                if not await self._is_ours(item):
                    comment = await self._record_or_skip(item, task, link.ff_id)
                    if comment is not None:
                        found.comments.append(comment)
                cursor = item.id
        finally:  # what was recorded stays recorded: the next round starts after it
            await ids.advance(self._db, link.id, cursor, None)
        state = await self._client.fetch(requests.read_task(link.ff_id), responses.task_state)
        # a state is followed when First Form's changed (not while ours is on its way here)
        moved = state.state_id is not None and state.state_id != link.state_id
        changed = await self._follow(task, state, follow_state=moved)
        if changed is not None:
            found.tasks.append(changed)
        if moved:
            await ids.advance(self._db, link.id, cursor, state.state_id)

    async def _is_ours(self, item: FeedComment) -> bool:
        """Posted by us (marker, a service user) or known already: not a person's to send."""
        if marker_of(item.text) is not None or item.author_id in self._opts.service_user_ids:
            return True
        return await ids.by_ff_id(self._db, "comment", item.id) is not None

    async def _record_or_skip(self, item: FeedComment, task: Task,
                              ff_task_id: int) -> Comment | None:
        """A comment that can never be sent (its file is refused or gone) is logged and passed
        over, so it does not hold up the comments after it."""
        try:
            return await self._record(item, task, ff_task_id)
        except PermanentError as exc:
            log.warning("comment from First Form cannot be sent; passed over", task_id=task.id,
                        ff_comment_id=item.id, reason=str(exc), code=exc.code)
            return None

    async def _record(self, item: FeedComment, task: Task, ff_task_id: int) -> Comment | None:
        comment_id = picked_comment_id(ff_task_id, item.id)
        if await self._local.get_comment(comment_id) is not None:
            await ids.record_picked(self._db, comment_id, task.id, item.id)
            return None  # recorded before; the outbox sweeper publishes it if it must
        reply_to = None
        if item.thread_id is not None:
            target = await ids.by_ff_id(self._db, "comment", item.thread_id)
            reply_to = target.id if target else None
        files = [await self._store(f, comment_id, task.id) for f in item.files]
        provider = REGISTRY.get(task.chat.provider)
        parts = len(plan_parts(plain(item.text), files, caption_with_media=bool(
            provider and provider.capabilities.caption_with_media)))
        comment = people_comment(item, task, ff_task_id=ff_task_id, now=self._clock(),
                                 author_user_id=user_of(item.author_id, self._opts),
                                 reply_to=reply_to, parts=parts)
        if not comment.text and not files:
            return None  # nothing a customer could receive
        for record in files:
            await self._local.add_attachment(record)
        await ids.record_picked(self._db, comment_id, task.id, item.id)
        await self._local.add_comment(comment)
        log.info("comment picked up from First Form", task_id=task.id,
                 ff_comment_id=item.id, files=len(files))
        return comment

    async def _store(self, file: responses.FeedFile, comment_id: str,
                     task_id: str) -> AttachmentRecord:
        if file.size is not None and file.size > self._max_file_bytes:
            raise PermanentError(f"file {file.name} is larger than {self._max_file_bytes} B",
                                 code="FIRST_FORM_FILE_TOO_LARGE")
        data = await self._client.call(requests.download(file.id))
        if not isinstance(data, bytes) or len(data) > self._max_file_bytes:
            raise PermanentError(f"file {file.name} could not be taken from First Form",
                                 code="FIRST_FORM_FILE_REFUSED")
        mime = file.mime_type or mimetypes.guess_type(file.name)[0] \
            or "application/octet-stream"
        file_id = picked_file_id(comment_id, file.id)
        await self._files.put(file_id, file.name, mime, data)
        return AttachmentRecord(id=file_id, comment_id=comment_id, task_id=task_id,
                                file_name=file.name, mime_type=mime, state="stored",
                                size=len(data))

    async def _follow(self, task: Task, state: TaskState, *,
                      follow_state: bool) -> Task | None:
        """The projection follows a state or performer changed in First Form."""
        fields: dict[str, object] = {}
        status = status_of(state, await self._catalog.states(), self._opts.status_names) \
            if follow_state else None
        if status is not None and status != task.status:
            fields["status"] = status
        assignee = assignee_of(state, self._opts)
        if assignee is not None and assignee != task.assignee_user_id:
            fields["assignee_user_id"] = assignee
        if not fields:
            return None
        updated = await self._local.update_task(
            task.id, self._clock(), fields=fields, announce="status" in fields,
            unset=("assignee_group_id",) if "assignee_user_id" in fields else ())
        if updated is not None and "status" in fields:
            closed = status == self._opts.status_names.get("closed")
            await ids.set_open(self._db, task.id, not closed, self._clock(),
                               in_first_form=True)
        log.info("task changed in First Form", task_id=task.id, **{
            k: str(v) for k, v in fields.items()})
        return updated
