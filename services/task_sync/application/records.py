"""What the bot and the gateways record in tasks: a chat's task, its customer, bot and echo
comments (with their authors and files), and the edits and deletions made in WhatsApp."""

from __future__ import annotations

from services.task_sync.application import desk_hooks
from services.task_sync.application.activity import announce, note_comments
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment, Revision, initial_delivery, order_of
from shared.domain.directory import Contact
from shared.domain.files import AttachmentRecord, shown_file
from shared.domain.tasks import Task
from shared.errors import PermanentError, RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def open_task(deps: Deps, cmd: events.OpenTask) -> None:
    """A new chat's task, with its contact found by phone."""
    contact = await deps.directory.contact_by_phone(cmd.phone) if cmd.phone else None
    name = contact.name if contact else (
        cmd.contact_name or cmd.phone or cmd.username or cmd.chat.chat_id)
    task = Task(
        id=cmd.task_id, title=f"WhatsApp: {name}", category=deps.settings.wabridge_category,
        status=cmd.status, chat=cmd.chat, conversation_id=cmd.conversation_id,
        created_at=cmd.occurred_at, updated_at=cmd.occurred_at, phone=cmd.phone,
        contact_id=contact.id if contact else None, contact_name=name, user_id=cmd.user_id,
        username=cmd.username,
        last_activity_at=cmd.occurred_at)
    await deps.tasks.create_task(task)
    await announce(deps, "task.created", task, cmd.id)


async def add_comment(deps: Deps, cmd: events.AddComment) -> None:
    if cmd.is_edit or cmd.is_delete:
        await revise_comment(deps, cmd)
        return
    comment = await _comment_of(deps, cmd)
    if not await deps.tasks.add_comment(comment):
        log.info("comment already recorded; duplicate dropped", comment_id=cmd.comment_id)
    else:
        note_comments(deps, [comment])
        deps.arrivals.recorded([comment.id])
    # on a redelivery too (an earlier attempt may have failed here); each step is idempotent
    await desk_hooks.messages_recorded(deps, [comment], _with_bot([cmd]))


async def add_comments(deps: Deps, cmd: events.AddComments) -> None:
    """A decision's comments in one write; those recorded before are skipped."""
    prepared = [await _comment_of(deps, item) for item in cmd.items]
    inserted = await deps.tasks.add_comments(prepared)
    if inserted:  # a repeated bundle adds nothing, so its messages are not counted again
        note_comments(deps, prepared)
    deps.arrivals.recorded(c.id for c in prepared)
    if inserted < len(prepared):
        log.info("some comments were recorded before; duplicates dropped",
                 duplicates=len(prepared) - inserted)
    await desk_hooks.messages_recorded(deps, prepared, _with_bot(cmd.items))


def _with_bot(commands: list[events.AddComment]) -> dict[str, events.ChatRef]:
    """The chats of the customer messages that came while the bot led the dialogue."""
    return {c.comment_id: c.chat for c in commands if c.with_bot and c.chat is not None}


async def _comment_of(deps: Deps, cmd: events.AddComment) -> Comment:
    """The comment to store, with its author resolved and its file recorded (a customer's
    pending, the bot's stored)."""
    if cmd.media is not None and cmd.file_id is not None:
        # recorded before the comment, so the comment never appears without its (pending) file
        await deps.tasks.add_attachment(AttachmentRecord(
            id=cmd.file_id, comment_id=cmd.comment_id, task_id=cmd.task_id,
            file_name=cmd.media.file_name or f"{cmd.content_type}-{cmd.comment_id[:8]}",
            state="pending", mime_type=cmd.media.mime_type or "application/octet-stream"))
    if cmd.attachment is not None:  # the bot's answer file, stored already: pointed at
        await deps.tasks.add_attachment(shown_file(cmd.comment_id, cmd.task_id, cmd.attachment))
    reply_to = None
    if cmd.reply_to_gateway_message_id:
        target = await deps.tasks.comment_by_gateway_id(cmd.reply_to_gateway_message_id)
        reply_to = target.id if target else None
    author_user_id, author_name = await _author(deps, cmd)
    # a notice (a WhatsApp system message, a merge) was sent by nobody: no delivery ticks
    delivery = None if cmd.author_kind == "system" else initial_delivery(cmd.direction,
                                                                           cmd.send_id)
    return Comment(
        id=cmd.comment_id, task_id=cmd.task_id, order=order_of(cmd.at), at=cmd.at,
        author_kind=cmd.author_kind, direction=cmd.direction, text=cmd.text,
        content_type=cmd.content_type, author_user_id=author_user_id,
        author_name=author_name, sender_name=cmd.sender_name, sender_phone=cmd.sender_phone,
        gateway_message_id=cmd.gateway_message_id, send_id=cmd.send_id,
        reply_to_comment_id=reply_to, delivery=delivery[0] if delivery else None,
        delivery_rank=delivery[1] if delivery else None, form=cmd.form or None)


async def _author(deps: Deps, cmd: events.AddComment) -> tuple[str | None, str | None]:
    """Who the task shows as the author: a service user, or one of our users by name/phone."""
    author_user_id = {"customer": deps.robot_user_id, "bot": deps.robot_user_id,
                      "system": deps.robot_user_id, "user": deps.robot_user_id,
                      "participant": deps.group_bot_user_id}.get(cmd.author_kind)
    author_name = cmd.author_name
    if cmd.author_kind == "user" and cmd.author_name:
        user = await deps.directory.user_by_name(cmd.author_name)
        author_user_id = user.id if user else deps.robot_user_id
    elif cmd.author_kind == "participant" and cmd.sender_phone:
        member = await deps.directory.user_by_phone(cmd.sender_phone)
        if member is not None:  # a group participant who is one of our users writes as himself
            author_user_id, author_name = member.id, member.full_name
    return author_user_id, author_name


async def revise_comment(deps: Deps, cmd: events.AddComment) -> None:
    """An edit or deletion made in WhatsApp becomes a revision of the comment it changes."""
    if not cmd.gateway_message_id:
        raise PermanentError("an edit or deletion without the message id it changes")
    target = await deps.tasks.comment_by_gateway_id(cmd.gateway_message_id)
    if target is None:
        raise RetryableError(f"message {cmd.gateway_message_id} to revise is not recorded yet",
                             code="COMMENT_NOT_YET_RECORDED")
    revision = Revision(id=cmd.comment_id, comment_id=target.id, at=cmd.at,
                        kind="deleted" if cmd.is_delete else "edited",
                        text=None if cmd.is_delete else cmd.text)
    await deps.tasks.add_revision(revision)  # False on a retry: the mark below may not be done
    newest = (await deps.tasks.revisions_of(target.id))[-1:]
    if newest and newest[0].id == revision.id:  # an older edit arriving late changes nothing
        await deps.tasks.mark_revised(target.id, deleted=cmd.is_delete, text=cmd.text)


async def create_contact(deps: Deps, cmd: events.CreateContact) -> None:
    """A gateway's request for a client card; a phone we know already keeps its contact."""
    for phone in cmd.phones:
        if await deps.directory.contact_by_phone(phone) is not None:
            log.info("contact requested by the gateway exists already", phone=phone)
            return
    responsible = None
    if cmd.responsible_user_id:
        user = await deps.directory.get_user(cmd.responsible_user_id)
        responsible = user.id if user and not user.is_service else None
    await deps.directory.upsert_contact(Contact(
        id=cmd.contact_id, name=cmd.name, phones=cmd.phones, responsible_user_id=responsible))
