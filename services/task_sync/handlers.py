"""task-sync's bus handlers: apply commands from the bot, record results and statuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.task_sync.deps import Deps
from shared import events
from shared.errors import PermanentError, RetryableError
from shared.logs import get_logger
from shared.store import channels, comments, directory, files, revisions, tasks
from shared.worker import current_attempt

log = get_logger(__name__)
UNKNOWN_STATUS_ATTEMPTS = 4  # about 20 s of retries with the default backoff


async def handle(deps: Deps, message: events.Message) -> None:
    handler = _HANDLERS.get(type(message))
    if handler is None:
        raise PermanentError(f"task-sync has no handler for {events.message_type(message)}")
    await handler(deps, message)


async def open_task(deps: Deps, cmd: events.OpenTask) -> None:
    contact = await directory.contact_by_phone(deps.db, cmd.phone) if cmd.phone else None
    name = contact.name if contact else (cmd.contact_name or cmd.phone or cmd.chat.chat_id)
    await tasks.create(deps.db, tasks.Task(
        id=cmd.task_id, title=f"WhatsApp: {name}", category=deps.settings.wabridge_category,
        status=cmd.status, chat=cmd.chat, conversation_id=cmd.conversation_id,
        created_at=cmd.occurred_at, updated_at=cmd.occurred_at, phone=cmd.phone,
        contact_id=contact.id if contact else None, contact_name=name))


async def add_comment(deps: Deps, cmd: events.AddComment) -> None:
    if cmd.is_edit or cmd.is_delete:
        await revise_comment(deps, cmd)
        return
    if not await comments.insert(deps.db, await _comment_of(deps, cmd)):
        log.info("comment already recorded; duplicate dropped", comment_id=cmd.comment_id)


async def add_comments(deps: Deps, cmd: events.AddComments) -> None:
    """A decision's comments in one write; those recorded before are skipped."""
    prepared = [await _comment_of(deps, item) for item in cmd.items]
    inserted = await comments.insert_many(deps.db, prepared)
    if inserted < len(prepared):
        log.info("some comments were recorded before; duplicates dropped",
                 duplicates=len(prepared) - inserted)


async def _comment_of(deps: Deps, cmd: events.AddComment) -> comments.Comment:
    """The comment to store, with its author resolved and its pending file recorded."""
    if cmd.media is not None and cmd.file_id is not None:
        # recorded before the comment, so the comment never appears without its (pending) file
        await files.add_attachment(deps.db, files.AttachmentRecord(
            id=cmd.file_id, comment_id=cmd.comment_id, task_id=cmd.task_id,
            file_name=cmd.media.file_name or _default_name(cmd), state="pending",
            mime_type=cmd.media.mime_type or "application/octet-stream"))
    reply_to = None
    if cmd.reply_to_gateway_message_id:
        target = await comments.by_gateway_id(deps.db, cmd.reply_to_gateway_message_id)
        reply_to = target.id if target else None
    author_user_id = {"customer": deps.robot_user_id, "bot": deps.robot_user_id,
                      "participant": deps.group_bot_user_id}.get(cmd.author_kind)
    author_name = cmd.author_name
    if cmd.author_kind == "user" and cmd.author_name:
        user = await directory.user_by_name(deps.db, cmd.author_name)
        author_user_id = user.id if user else deps.robot_user_id
    elif cmd.author_kind == "participant" and cmd.sender_phone:
        member = await directory.user_by_phone(deps.db, cmd.sender_phone)
        if member is not None:  # a group participant who is one of our users writes as himself
            author_user_id, author_name = member.id, member.full_name
    return comments.Comment(
        id=cmd.comment_id, task_id=cmd.task_id, order=comments.order_of(cmd.at), at=cmd.at,
        author_kind=cmd.author_kind, direction=cmd.direction, text=cmd.text,
        content_type=cmd.content_type, author_user_id=author_user_id,
        author_name=author_name, sender_name=cmd.sender_name, sender_phone=cmd.sender_phone,
        gateway_message_id=cmd.gateway_message_id, send_id=cmd.send_id,
        reply_to_comment_id=reply_to, **_initial_delivery(cmd))


def _default_name(cmd: events.AddComment) -> str:
    return f"{cmd.content_type}-{cmd.comment_id[:8]}"


async def revise_comment(deps: Deps, cmd: events.AddComment) -> None:
    """An edit or deletion made in WhatsApp becomes a revision of the comment it changes."""
    if not cmd.gateway_message_id:
        raise PermanentError("an edit or deletion without the message id it changes")
    target = await comments.by_gateway_id(deps.db, cmd.gateway_message_id)
    if target is None:
        raise RetryableError(f"message {cmd.gateway_message_id} to revise is not recorded yet",
                             code="COMMENT_NOT_YET_RECORDED")
    added = await revisions.add(deps.db, revisions.Revision(
        id=cmd.comment_id, comment_id=target.id, at=cmd.at,
        kind="deleted" if cmd.is_delete else "edited",
        text=None if cmd.is_delete else cmd.text))
    if added:
        await comments.mark_revised(deps.db, target.id, deleted=cmd.is_delete, text=cmd.text)


def _initial_delivery(cmd: events.AddComment) -> dict[str, Any]:
    """Outgoing comments always carry a delivery status: queued until our send succeeds, or
    already sent when it is an echo of a message an employee sent from elsewhere."""
    if cmd.direction != "out":
        return {}
    status = "queued" if cmd.send_id else "sent"
    return {"delivery": status, "delivery_rank": comments.DELIVERY_RANK[status]}


async def create_contact(deps: Deps, cmd: events.CreateContact) -> None:
    """A gateway's request for a client card; a phone we know already keeps its contact."""
    for phone in cmd.phones:
        if await directory.contact_by_phone(deps.db, phone) is not None:
            log.info("contact requested by the gateway exists already", phone=phone)
            return
    responsible = None
    if cmd.responsible_user_id:
        user = await directory.get_user(deps.db, cmd.responsible_user_id)
        responsible = user.id if user and not user.is_service else None
    await directory.upsert_contact(deps.db, directory.Contact(
        id=cmd.contact_id, name=cmd.name, phones=cmd.phones, responsible_user_id=responsible))


async def hand_over(deps: Deps, cmd: events.HandOver) -> None:
    task = await _task(deps, cmd.task_id)
    contact = await directory.get_contact(deps.db, task.contact_id) if task.contact_id else None
    if contact and contact.responsible_user_id:
        fields = {"status": cmd.status, "assignee_user_id": contact.responsible_user_id}
        unset: tuple[str, ...] = ("assignee_group_id",)
    else:
        group = await directory.group_by_name(deps.db, deps.settings.wabridge_contact_centre_group)
        if group is None:
            raise PermanentError(
                f"cannot route task {task.id}: its contact has no responsible employee and no "
                f"group named {deps.settings.wabridge_contact_centre_group!r} exists")
        fields = {"status": cmd.status, "assignee_group_id": group.id}
        unset = ("assignee_user_id",)
    if await tasks.update(deps.db, task.id, cmd.occurred_at, fields=fields, unset=unset,
                          if_status_in=deps.open_statuses()) is None:
        log.info("task was closed meanwhile; hand-over dropped", task_id=task.id)


async def set_status(deps: Deps, cmd: events.SetTaskStatus) -> None:
    await _task(deps, cmd.task_id)
    if await tasks.update(deps.db, cmd.task_id, cmd.occurred_at, fields={"status": cmd.status},
                          if_status_in=deps.open_statuses()) is None:
        log.info("task was closed meanwhile; status change dropped", task_id=cmd.task_id)


async def send_succeeded(deps: Deps, event: events.SendSucceeded) -> None:
    if event.part > 0:  # a later part (a file after the text): keep its id for quotes
        if event.gateway_message_id:
            await comments.record_part_sent(deps.db, event.comment_id, event.gateway_message_id,
                                            event.part)
        return
    if not await comments.record_sent(deps.db, event.comment_id, event.gateway_message_id,
                                      after_failure=event.replayed):
        raise RetryableError(f"comment {event.comment_id} of send {event.send_id} is not "
                             "recorded yet", code="COMMENT_NOT_YET_RECORDED")


async def send_failed(deps: Deps, event: events.SendFailed) -> None:
    status = "failed" if event.final else "waiting"
    updated = await comments.record_delivery(
        deps.db, event.comment_id, status, code=event.code, reason=event.reason,
        retry_at=event.retry_at)
    if updated is None and await comments.get(deps.db, event.comment_id) is None:
        raise RetryableError(f"comment {event.comment_id} is not recorded yet",
                             code="COMMENT_NOT_YET_RECORDED")


async def status_updated(deps: Deps, event: events.StatusUpdated) -> None:
    comment = await comments.by_gateway_id(deps.db, event.gateway_message_id)
    if comment is None and current_attempt() >= UNKNOWN_STATUS_ATTEMPTS:
        # by now the send result would have arrived: a message we never recorded (sent outside
        # wabridge, or accepted by Wazzup on a retry that returned no id); keep the log line
        log.warning("delivery status for a message no comment carries; dropped",
                    gateway_message_id=event.gateway_message_id, status=event.status)
        return
    if comment is None:
        # the gateway can report a status before our send result is recorded: the retry
        # (delay queue) applies it once the comment carries the id, so it is never lost
        raise RetryableError(f"no comment carries gateway message {event.gateway_message_id} "
                             "yet (its send result may still be on the way)",
                             code="MESSAGE_NOT_YET_RECORDED")
    status = {"error": "failed", "edited": None}.get(event.status, event.status)
    if status not in comments.DELIVERY_RANK:
        log.info("delivery status not tracked", status=event.status)
        return
    await comments.record_delivery(deps.db, comment.id, status, code=event.error_code,
                                   reason=event.error_text)


async def media_stored(deps: Deps, event: events.MediaStored) -> None:
    if not await files.set_state(deps.db, event.file_id, "stored", size=event.size,
                                 mime_type=event.mime_type):
        raise RetryableError(f"attachment {event.file_id} is not recorded yet",
                             code="COMMENT_NOT_YET_RECORDED")


async def media_failed(deps: Deps, event: events.MediaFetchFailed) -> None:
    state: files.AttachmentState = "failed" if event.final else "waiting"
    reason = f"{event.code}: {event.reason}" if event.code else event.reason
    if not await files.set_state(deps.db, event.file_id, state, reason=reason,
                                 retry_at=event.retry_at):
        raise RetryableError(f"attachment {event.file_id} is not recorded yet",
                             code="COMMENT_NOT_YET_RECORDED")


async def channel_updated(deps: Deps, event: events.ChannelUpdated) -> None:
    await channels.record_state(deps.db, event.channel_id, event.provider, event.state,
                                event.tier, event.occurred_at, event.transport)


async def _task(deps: Deps, task_id: str) -> tasks.Task:
    task = await tasks.get(deps.db, task_id)
    if task is None:  # the task's OpenTask is consumed concurrently and may be a moment behind
        raise RetryableError(f"task {task_id} is not created yet", code="TASK_NOT_YET_CREATED")
    return task


_HANDLERS: dict[type, Callable[[Deps, Any], Awaitable[None]]] = {
    events.OpenTask: open_task, events.AddComment: add_comment,
    events.AddComments: add_comments, events.HandOver: hand_over,
    events.SetTaskStatus: set_status, events.SendSucceeded: send_succeeded,
    events.SendFailed: send_failed, events.StatusUpdated: status_updated,
    events.ChannelUpdated: channel_updated, events.MediaStored: media_stored,
    events.MediaFetchFailed: media_failed, events.CreateContact: create_contact,
}
