"""Starting a dialogue from our side (the bot or a manager may write first in WhatsApp), and
the channels (company numbers) with their state."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.auth import current_user
from services.task_sync.http_json import json_response, problem, read_body
from services.task_sync.outbox import publish_sends, publish_status
from services.task_sync.sending import sends_for
from services.task_sync.windows import ensure_free_text_allowed
from shared import events
from shared.providers import REGISTRY
from shared.store import channels, comments, directory, tasks


class ConversationIn(msgspec.Struct, forbid_unknown_fields=True):
    channel_id: str
    provider: str = "wazzup"
    connection: str = ""  # which configured connection sends; default: the provider's only one
    contact_id: str | None = None
    phone: str | None = None
    text: str = ""
    template_id: str | None = None
    template_values: list[str] = []
    template_language: str | None = None
    assignee_user_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.contact_id or self.phone):
            raise ValueError("give contact_id or phone")
        if not (self.text.strip() or self.template_id):
            raise ValueError("give text or template_id")


def routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/conversations", start_conversation)
    app.router.add_get("/api/v1/channels", list_channels)


async def list_channels(request: web.Request) -> web.Response:
    """The configured connections, and every channel's last reported state."""
    deps = request.app[DEPS]
    connections = [{"id": c.id, "provider": c.provider,
                    "channel_id": c.account.channel_id or None, "rate_per_second": c.rate}
                   for c in deps.channels]
    return json_response({"connections": connections,
                          "items": await channels.all_channels(deps.db)})


async def start_conversation(request: web.Request) -> web.Response:
    """Create the task in the manager status and send the first message."""
    deps = request.app[DEPS]
    user = current_user(request)
    body = await read_body(request, ConversationIn)
    if body.provider not in REGISTRY:
        raise problem(422, "unknown_provider", f"provider must be one of {sorted(REGISTRY)}")
    contact = await _contact(request, body)
    phone = directory.digits(body.phone or (contact.phones[0] if contact and contact.phones
                                            else ""))
    if not phone:
        raise problem(422, "no_phone", "the contact has no phone to write to")
    if body.connection and not any(c.id == body.connection and c.provider == body.provider
                                   for c in deps.channels):
        raise problem(422, "unknown_connection",
                      f"no {body.provider} connection named {body.connection!r}")
    chat = events.ChatRef(provider=body.provider, channel_id=body.channel_id,
                          chat_type="whatsapp", chat_id=phone, connection=body.connection)
    closed = deps.settings.wabridge_status_closed
    key = request.headers.get("Idempotency-Key")
    task_id = events.derive_id("conversation-start", user.id, key) if key else events.new_id()
    earlier = await tasks.get(deps.db, task_id) if key else None
    if earlier is not None:  # the client retried: the dialogue exists already
        return json_response({"task": earlier,
                              "comment_id": events.derive_id("first-message", task_id)})
    existing = await tasks.open_task_of_chat(deps.db, chat.key, closed)
    if existing is not None:
        raise problem(409, "conversation_open", f"this chat already has an open task "
                      f"{existing.id}; write there")
    now = events.utcnow()
    task = tasks.Task(
        id=task_id, title=f"WhatsApp: {contact.name if contact else phone}",
        category=deps.settings.wabridge_category, status=deps.settings.wabridge_status_manager,
        chat=chat, conversation_id=events.derive_id("conversation", task_id), created_at=now,
        updated_at=now, phone=phone, contact_id=contact.id if contact else None,
        contact_name=contact.name if contact else phone,
        assignee_user_id=body.assignee_user_id or user.id, status_version=1)
    if not body.template_id:
        await ensure_free_text_allowed(deps, task)
    # bot-router learns of the conversation through the status event (outbox: never lost)
    await tasks.create(deps.db, task, announce=True)
    comment = comments.Comment(
        id=events.derive_id("first-message", task_id), task_id=task_id,
        order=comments.order_of(now), at=now, author_kind="user", direction="out",
        text=body.text or f"[template {body.template_id}: {', '.join(body.template_values)}]",
        author_user_id=user.id, author_name=user.full_name,
        send_id=events.derive_id("send", events.derive_id("first-message", task_id)),
        delivery="queued", delivery_rank=0, outbox=True, parts=1,
        template_id=body.template_id,
        template_values=body.template_values if body.template_id else None,
        template_language=body.template_language)
    await comments.insert(deps.db, comment)
    # the first message leaves only once bot-router knows the conversation, so the customer's
    # reply lands in this task; otherwise the sweeper publishes both, in that order
    if await publish_status(deps, task):
        await publish_sends(deps, comment.id, sends_for(deps, task, comment, [], None))
    return json_response({"task": task, "comment_id": comment.id}, status=201)


async def _contact(request: web.Request, body: ConversationIn) -> directory.Contact | None:
    deps = request.app[DEPS]
    if body.contact_id:
        contact = await directory.get_contact(deps.db, body.contact_id)
        if contact is None:
            raise problem(422, "unknown_contact", f"no contact {body.contact_id}")
        return contact
    return await directory.contact_by_phone(deps.db, body.phone or "")
