"""Starting a dialogue from our side: the bot or a manager may write first in WhatsApp."""

from __future__ import annotations

import msgspec

from services.task_sync.application import audit
from services.task_sync.application.access import ensure_may_start_for
from services.task_sync.application.activity import announce, note_comments
from services.task_sync.application.commands import StartConversation
from services.task_sync.application.errors import Conflict, Invalid
from services.task_sync.application.outgoing import publish_sends, publish_status, sends_of
from services.task_sync.application.templates import ensure_template_fits
from services.task_sync.application.window import ensure_free_text_allowed
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.directory import Contact, digits
from shared.domain.outgoing import send_id
from shared.domain.tasks import Task
from shared.domain.templates import sent_text
from shared.providers import REGISTRY


class Started(msgspec.Struct, frozen=True, kw_only=True):
    task: Task
    comment_id: str
    created: bool  # False: the same request (Idempotency-Key) was carried out before


async def start_conversation(deps: Deps, cmd: StartConversation) -> Started:
    """Create the task in the manager status and send the first message."""
    task_id = (events.derive_id("conversation-start", cmd.author.id, cmd.idempotency_key)
               if cmd.idempotency_key else events.new_id())
    comment_id = events.derive_id("first-message", task_id)
    if cmd.idempotency_key and (earlier := await deps.tasks.get_task(task_id)):
        return Started(task=earlier, comment_id=comment_id, created=False)
    await ensure_may_start_for(deps, cmd.actor, cmd.assignee_user_id)
    chat, contact, phone = await _chat_of(deps, cmd)
    if (existing := await deps.tasks.open_task_of_chat(chat.key, deps.statuses.closed)):
        raise Conflict("conversation_open", f"this chat already has an open task "
                       f"{existing.id}; write there")
    now = events.utcnow()
    task = Task(
        id=task_id, title=f"WhatsApp: {contact.name if contact else phone}",
        category=deps.settings.wabridge_category, status=deps.statuses.manager,
        chat=chat, conversation_id=events.derive_id("conversation", task_id), created_at=now,
        updated_at=now, phone=phone, contact_id=contact.id if contact else None,
        contact_name=contact.name if contact else phone,
        assignee_user_id=cmd.assignee_user_id or cmd.author.id, status_version=1,
        last_activity_at=now)
    text = cmd.text
    if not cmd.template_id:
        await ensure_free_text_allowed(deps, task)
    else:  # refused here rather than by the gateway after the task exists
        template = await ensure_template_fits(deps, chat, cmd.template_id,
                                              cmd.template_language, cmd.template_values)
        text = cmd.text or sent_text(template, cmd.template_id, cmd.template_values)
    # bot-router learns of the conversation through the status event (outbox: never lost)
    await deps.tasks.create_task(task, announce=True)
    comment = Comment(
        id=comment_id, task_id=task_id, order=order_of(now), at=now, author_kind="user",
        direction="out",
        text=text,
        author_user_id=cmd.author.id, author_name=cmd.author.full_name,
        send_id=send_id(comment_id, 0), delivery="queued", delivery_rank=0, outbox=True,
        parts=1, template_id=cmd.template_id,
        template_values=cmd.template_values if cmd.template_id else None,
        template_language=cmd.template_language)
    await deps.tasks.add_comment(comment)
    # the first message leaves only once bot-router knows the conversation, so the customer's
    # reply lands in this task; otherwise the sweeper publishes both, in that order
    if await publish_status(deps, task):
        await publish_sends(deps, comment.id, sends_of(deps, task, comment, [], None))
    await audit.record(deps, cmd.actor, "conversation.start", "task", task.id,
                       assignee_user_id=task.assignee_user_id)
    note_comments(deps, [comment])
    await announce(deps, "task.created", task, task.id)
    return Started(task=task, comment_id=comment.id, created=True)


async def _chat_of(deps: Deps, cmd: StartConversation
                   ) -> tuple[events.ChatRef, Contact | None, str]:
    """The chat to write to, checked: gateway, connection, contact and phone."""
    if cmd.provider not in REGISTRY:
        raise Invalid("unknown_provider", f"provider must be one of {sorted(REGISTRY)}")
    contact = await _contact(deps, cmd)
    phone = digits(cmd.phone or (contact.phones[0] if contact and contact.phones else ""))
    if not phone:
        raise Invalid("no_phone", "the contact has no phone to write to")
    if cmd.connection and not any(c.id == cmd.connection and c.provider == cmd.provider
                                  for c in deps.connections):
        raise Invalid("unknown_connection",
                      f"no {cmd.provider} connection named {cmd.connection!r}")
    chat = events.ChatRef(provider=cmd.provider, channel_id=cmd.channel_id,
                          chat_type="whatsapp", chat_id=phone, connection=cmd.connection)
    return chat, contact, phone


async def _contact(deps: Deps, cmd: StartConversation) -> Contact | None:
    if cmd.contact_id:
        contact = await deps.directory.get_contact(cmd.contact_id)
        if contact is None:
            raise Invalid("unknown_contact", f"no contact {cmd.contact_id}")
        return contact
    return await deps.directory.contact_by_phone(cmd.phone or "")
