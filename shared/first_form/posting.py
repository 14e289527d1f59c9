"""Tasks and comments created in First Form exactly once, without an idempotency key.

Each creation claims its link document first (``shared.store.first_form_ids``): one attempt at
a time, each counted. The first attempt creates. Any later one (the previous was interrupted: a
crash, a timeout, a 5xx whose effect is unknown) first looks in First Form for what it may have
done: an open task of the category whose chat-id field is this chat, or a comment in the task's
feed carrying this comment's marker; only when there is none does it create.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Protocol

from shared import events
from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task
from shared.errors import PermanentError, RetryableError
from shared.first_form import requests, responses
from shared.first_form.catalog import Catalog
from shared.first_form.client import FirstFormClient
from shared.first_form.mapping import author_of, comment_text, task_text
from shared.first_form.options import Options
from shared.first_form.text import marker_key, marker_of
from shared.logs import get_logger
from shared.store import first_form_ids as ids
from shared.store.mongo import Database

log = get_logger(__name__)
LIVE_CLAIM_S = 10.0  # a claim younger than this is taken to be a live attempt's
# a creation's claim: renewed while its attempt lives (every CLAIM_S / 5, so a live claim is
# never older than LIVE_CLAIM_S), so a killed process's claim holds the chat up for CLAIM_S
CLAIM_S = 30.0


class FileBytes(Protocol):
    """The stored bytes of our files (task-sync's file store)."""

    def chunks(self, file_id: str) -> AsyncIterator[bytes]: ...


class Poster:
    def __init__(self, db: Database, client: FirstFormClient, opts: Options, catalog: Catalog,
                 files: FileBytes, clock: Callable[[], datetime] = events.utcnow,
                 claim_s: float = CLAIM_S) -> None:
        self._db = db
        self._client = client
        self._opts = opts
        self._catalog = catalog
        self._files = files
        self._clock = clock
        self._lease_s = claim_s

    async def ensure_task(self, task: Task) -> int:
        """First Form's id of our task, creating the task once."""
        return await self._once("task", task.id, "", lambda n: self._create_task(task, n))

    async def ensure_comment(self, comment: Comment, files: list[AttachmentRecord],
                             ff_task_id: int) -> None:
        await self._once("comment", comment.id, comment.task_id,
                         lambda n: self._post_comment(comment, files, ff_task_id, n))

    async def _once(self, kind: str, our_id: str, task_id: str,
                    create: Callable[[int], Awaitable[int]]) -> int:
        link = await ids.get(self._db, kind, our_id)
        if link is not None and link.ff_id is not None:
            return link.ff_id
        claim = await ids.claim(self._db, kind, our_id, self._clock(), self._lease_s, task_id)
        if claim is None:
            again = await ids.get(self._db, kind, our_id)
            if again is not None and again.ff_id is not None:
                return again.ff_id
            # a claim taken or renewed moments ago is a live attempt: asked again soon, as
            # usual; an older one may be a crashed process's, so asked again when it lapses
            # rather than at the growing pace that would use up the message's attempts
            left = again.lease_left(self._clock()) if again is not None else 0.0
            stale = self._lease_s - left > LIVE_CLAIM_S
            raise RetryableError(f"another attempt is creating {kind} {our_id} in First Form",
                                 code="FIRST_FORM_BUSY",
                                 retry_after=left + 1.0 if stale else None)
        keeper = asyncio.create_task(self._hold(kind, our_id, claim.attempts))
        try:
            ff_id = await create(claim.attempts)
        except BaseException:
            await ids.release(self._db, kind, our_id, claim.attempts)
            raise
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        if not await ids.created(self._db, kind, our_id, ff_id, self._clock()):
            raise RetryableError(f"First Form {kind} {ff_id} is linked to another of ours",
                                 code="FIRST_FORM_LINK_CONFLICT")
        return ff_id

    async def _hold(self, kind: str, our_id: str, attempt: int) -> None:
        """Renew the claim while the attempt lasts, so only a dead holder loses it."""
        while True:
            await asyncio.sleep(self._lease_s / 5)
            try:
                if not await ids.renew(self._db, kind, our_id, attempt, self._clock(),
                                       self._lease_s):
                    log.warning("a First Form creation's claim was taken over while its "
                                "attempt still runs", kind=kind, id=our_id, attempt=attempt)
                    return
            except RetryableError as exc:
                log.warning("could not renew a First Form creation's claim; trying again",
                            kind=kind, id=our_id, reason=str(exc))

    # ---- tasks --------------------------------------------------------------------------

    async def _create_task(self, task: Task, attempt: int) -> int:
        if attempt > 1 and (found := await self._open_task_of_chat(task)) is not None:
            return found
        fields = await self._catalog.fields()
        values = {"phone": task.phone or task.chat.chat_id, "chat_id": task.chat.chat_id,
                  "channel_id": task.chat.channel_id}
        card = await self._catalog.contact_card(task.phone or "")
        if card is not None:
            values["contact"] = str(card)
        ext = [(fields[k], v) for k, v in values.items() if k in fields]
        return await self._client.fetch(requests.create_task(
            self._opts.paths, subcat_id=self._opts.subcat_id, text=task_text(task),
            initiator_id=self._opts.robot_user_id, ext_params=ext), responses.created_task_id)

    async def _open_task_of_chat(self, task: Task) -> int | None:
        """An open task of the category for this chat that none of ours stands for yet: only
        a row showing this chat id (and this channel id, when that field is set up) is taken.
        Rows the search matched without showing those values cannot be told apart from
        another chat's task: that is refused (the column setting is wrong), never guessed."""
        fields = await self._catalog.fields()
        if "chat_id" not in fields:
            return None
        chat_col = self._catalog.column(fields["chat_id"])
        channel_col = self._catalog.column(fields["channel_id"]) \
            if "channel_id" in fields else ""
        found = await self._client.fetch(requests.search(
            self._opts.paths, subcat_id=self._opts.subcat_id, column=chat_col,
            value=task.chat.chat_id, columns=tuple(c for c in (chat_col, channel_col) if c)),
            responses.rows)
        candidates, unconfirmed = [], []
        for row in found:
            ff_id = responses.row_task_id(row)
            chat = responses.pick(row, chat_col)
            channel = responses.pick(row, channel_col) if channel_col else task.chat.channel_id
            if ff_id is None:
                continue
            if chat is None or channel is None:
                unconfirmed.append(ff_id)
            elif str(chat) == task.chat.chat_id and str(channel) == task.chat.channel_id \
                    and await ids.by_ff_id(self._db, "task", ff_id) is None:
                candidates.append(ff_id)
        if not candidates and unconfirmed:
            log.error("First Form search rows without the chat or channel value; not adopted "
                      "and not created again", task_id=task.id, ff_task_ids=unconfirmed,
                      columns=[chat_col, channel_col])
            raise PermanentError(
                f"First Form's search for chat {task.chat.chat_id} answered tasks "
                f"{unconfirmed} without the values of {chat_col}/{channel_col}: cannot tell "
                "whether an earlier attempt created one (check FIRST_FORM_COLUMN and the "
                "category's fields)", code="FIRST_FORM_UNCONFIRMED_TASK")
        return max(candidates) if candidates else None

    # ---- comments -----------------------------------------------------------------------

    async def _post_comment(self, comment: Comment, files: list[AttachmentRecord],
                            ff_task_id: int, attempt: int) -> int:
        if attempt > 1 and (found := await self.marked_in_feed(ff_task_id, comment.id)):
            return found
        author, name = author_of(comment, self._opts)
        in_task = self._opts.files_to == "task"
        link = await ids.get(self._db, "comment", comment.id) if in_task else None
        file_ids = []
        for record in (f for f in files if f.state == "stored"):
            # each file may take a whole call's time: the claim is kept per file, not guessed
            await self._keep_claim(comment.id, attempt)
            if in_task and link is not None:
                await self._to_task(comment.id, record, link, ff_task_id, author)
            else:
                file_ids.append(await self._upload(record, author))
        await self._keep_claim(comment.id, attempt)
        thread = None
        if comment.reply_to_comment_id:
            target = await ids.get(self._db, "comment", comment.reply_to_comment_id)
            thread = target.ff_id if target else None
        return await self._client.fetch(requests.post_comment(
            self._opts.paths, task_id=ff_task_id, author_id=author,
            text=comment_text(comment, name, files, file_names_in_text=in_task),
            thread_id=thread, file_ids=file_ids), responses.comment_id)

    async def _keep_claim(self, comment_id: str, attempt: int) -> None:
        if not await ids.renew(self._db, "comment", comment_id, attempt, self._clock(),
                               self._lease_s):
            raise RetryableError(f"comment {comment_id}: a later attempt took over its "
                                 "creation in First Form", code="FIRST_FORM_BUSY")

    async def _to_task(self, comment_id: str, record: AttachmentRecord, link: ids.Link,
                       ff_task_id: int, author: int) -> None:
        """The file attached to the task once. Its preupload id is kept before the attach: an
        attempt after one whose answer was lost attaches that same preupload, which First
        Form refuses once it is attached; that refusal means "done", not a second copy."""
        if record.id in link.attached:
            return
        reused = link.preuploads.get(record.id)
        preupload = reused or await self._upload(record, author)
        if reused is None:
            await ids.note_file(self._db, comment_id, record.id, preupload_id=preupload)
        try:
            await self._client.call(requests.attach_to_task(ff_task_id, preupload, author))
        except PermanentError as exc:
            if reused is None:
                raise
            log.warning("First Form refused a preupload attached before; taken as attached "
                        "by the attempt whose answer was lost", comment_id=comment_id,
                        file_id=record.id, reason=str(exc))
        await ids.note_file(self._db, comment_id, record.id, attached=True)

    async def marked_in_feed(self, ff_task_id: int, comment_id: str) -> int | None:
        """The feed comment carrying this comment's marker, if an earlier attempt posted it."""
        feed = await self._client.fetch(requests.feed(self._opts.paths, ff_task_id),
                                        responses.feed)
        key = marker_key(comment_id)
        return next((item.id for item in feed if marker_of(item.text) == key), None)

    async def _upload(self, record: AttachmentRecord, author: int) -> str:
        content = b"".join([chunk async for chunk in self._files.chunks(record.stored_id)])
        return await self._client.fetch(requests.preupload(record.file_name, content, author),
                                        responses.preupload_id)
