"""Comments: a person's comment sent to WhatsApp, a resend, and the bot's records."""

from __future__ import annotations

import msgspec

from services.task_sync.application import desk_hooks, held
from services.task_sync.application.access import ensure_can_post, visible_task
from services.task_sync.application.activity import announce, note_comments
from services.task_sync.application.commands import PostComment, Resend
from services.task_sync.application.errors import Conflict, Invalid, NotFound
from services.task_sync.application.outgoing import (
    publish_sends,
    remaining_sends,
    sends_of,
)
from services.task_sync.application.templates import ensure_template_fits
from services.task_sync.application.window import ensure_free_text_allowed
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.files import AttachmentRecord
from shared.domain.outgoing import send_id
from shared.domain.tasks import Task
from shared.domain.templates import sent_text


class Posted(msgspec.Struct, frozen=True, kw_only=True):
    comment: Comment
    attachments: list[AttachmentRecord]
    created: bool  # False: the same request (Idempotency-Key) was carried out before


async def task_or_not_found(deps: Deps, task_id: str) -> Task:
    task = await deps.tasks.get_task(task_id)
    if task is None:
        raise NotFound("not_found", f"no task {task_id}")
    return task


async def comment_in_task(deps: Deps, task: Task, comment_id: str) -> Comment:
    comment = await deps.tasks.get_comment(comment_id)
    if comment is None or comment.task_id != task.id:
        raise NotFound("not_found", "no such comment in this task")
    return comment


async def post_comment(deps: Deps, cmd: PostComment) -> Posted:
    """Record a person's comment with an outbox flag, then publish its sends."""
    comment_id = (events.derive_id("api-comment", cmd.author.id, cmd.idempotency_key)
                  if cmd.idempotency_key else events.new_id())
    task = await visible_task(deps, cmd.actor.viewer, cmd.task_id)
    ensure_can_post(cmd.actor.viewer, task)
    if cmd.idempotency_key and (earlier := await deps.tasks.get_comment(comment_id)):
        return Posted(comment=earlier, created=False,
                      attachments=await deps.tasks.attachments_of_comment(comment_id))
    if not cmd.text.strip() and not cmd.uploads and not cmd.template_id:
        raise Invalid("empty_comment", "a comment needs text, a template or at least one file")
    ensure_open(deps, task)
    text = cmd.text
    if cmd.template_id:  # a template may go outside the 24-hour window: checked instead
        template = await ensure_template_fits(deps, task.chat, cmd.template_id,
                                              cmd.template_language, cmd.template_values)
        text = sent_text(template, cmd.template_id, cmd.template_values)
        hold = False
    else:
        hold = await held.must_hold(deps, task, cmd.hold)  # the window closed: "when they return"
    reply_to_gateway_id = await _reply_target(deps, task, cmd.reply_to)
    attached = await _store_uploads(deps, task, comment_id, cmd)
    now = events.utcnow()
    comment = Comment(
        id=comment_id, task_id=task.id, order=order_of(now), at=now,
        author_kind="user", direction="out", author_user_id=cmd.author.id,
        text=text,
        author_name=cmd.author.full_name, send_id=send_id(comment_id, 0),
        reply_to_comment_id=cmd.reply_to, delivery="queued", delivery_rank=0, outbox=True,
        template_id=cmd.template_id,
        template_values=cmd.template_values if cmd.template_id else None,
        template_language=cmd.template_language)
    commands = sends_of(deps, task, comment, attached, reply_to_gateway_id)
    comment = msgspec.structs.replace(comment, parts=len(commands))
    if hold:
        comment = held.as_held(comment)
    if not await deps.tasks.add_comment(comment):
        existing = await deps.tasks.get_comment(comment_id)
        return Posted(comment=existing or comment, attachments=attached, created=False)
    if hold:
        await held.remember(deps, task, comment)
    published = hold or await publish_sends(deps, comment.id, commands)
    note_comments(deps, [comment])
    await announce(deps, "comment.added", task, comment.id, comment)
    await desk_hooks.replied(deps, task, comment.at, cmd.author.id)
    return Posted(comment=msgspec.structs.replace(comment, outbox=None if published else True),
                  attachments=attached, created=True)


def ensure_open(deps: Deps, task: Task) -> None:
    if task.status == deps.statuses.closed:
        raise Conflict("task_closed", "the task is closed; the customer's next message opens "
                       "a new one")


async def _reply_target(deps: Deps, task: Task, reply_to: str | None) -> str | None:
    """The gateway id of the quoted comment, checked to be in the task and delivered."""
    if not reply_to:
        return None
    target = await deps.tasks.get_comment(reply_to)
    if target is None or target.task_id != task.id:
        raise Invalid("bad_reply_to", f"comment {reply_to} is not in this task")
    if not target.gateway_message_id:
        raise Conflict("not_yet_delivered", f"comment {reply_to} has no WhatsApp message id "
                       "yet (not delivered), so it cannot be quoted")
    return target.gateway_message_id


async def _store_uploads(deps: Deps, task: Task, comment_id: str,
                         cmd: PostComment) -> list[AttachmentRecord]:
    """Store the files (after every check passed) and link them to the comment."""
    records = []
    for index, upload in enumerate(cmd.uploads):
        file_id = events.derive_id("upload", comment_id, str(index))
        await deps.files.put(file_id, upload.file_name, upload.mime_type, upload.content)
        record = AttachmentRecord(
            id=file_id, comment_id=comment_id, task_id=task.id, file_name=upload.file_name,
            mime_type=upload.mime_type, state="stored", size=len(upload.content))
        await deps.tasks.add_attachment(record)
        records.append(record)
    return records


async def resend(deps: Deps, cmd: Resend) -> Comment:
    """Send a failed comment again: a new attempt with new send ids, skipping the parts the
    customer already received."""
    task = await visible_task(deps, cmd.actor.viewer, cmd.task_id)
    ensure_can_post(cmd.actor.viewer, task)
    comment = await comment_in_task(deps, task, cmd.comment_id)
    if comment.delivery != "failed":
        raise Conflict("not_failed", f"only failed sends can be resent (this one is "
                       f"{comment.delivery or 'not a send'})")
    if not comment.template_id:  # a template may go outside the 24-hour window
        await ensure_free_text_allowed(deps, task)
    attempt = events.new_id()[:12]
    done = await deps.tasks.sent_parts(comment)
    if not await deps.tasks.reset_for_resend(comment.id, attempt, first_part_sent=0 in done):
        raise Conflict("not_failed", "the comment changed meanwhile; reload it")
    again = msgspec.structs.replace(comment, send_attempt=attempt)
    await publish_sends(deps, comment.id, await remaining_sends(deps, task, again))
    return await deps.tasks.get_comment(comment.id) or again
