"""Events (facts, past tense) and commands (imperative) carried on the bus.

Bodies are msgspec Structs as MessagePack; the ``type`` tag is the routing key (see ``shared.bus``).
Fields are only ever added, with defaults, so older consumers read newer producers' messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.bot_commands import FlowsChanged, LookUpStatus, ScenariosChanged, SetTaskField
from shared.channel_events import ChannelWebhookSeen
from shared.desk_events import DeskNotice, SlaBreached
from shared.domain.templates import Template
from shared.message_parts import (
    SCHEMA_VERSION,
    Attachment,
    AuthorKind,
    ChatRef,
    Choice,
    ContentType,
    ConversationState,
    Direction,
    Envelope,
    FormField,
    MediaRef,
    Offer,
    derive_id,
    new_id,
    utcnow,
)

__all__ = ["SCHEMA_VERSION", "Attachment", "AuthorKind", "ChannelWebhookSeen", "ChatRef",
           "Choice", "ContentType", "ConversationState", "DeskNotice", "Direction", "Envelope",
           "FlowsChanged", "FormField", "LookUpStatus", "MediaRef", "Offer", "ScenariosChanged",
           "SetTaskField", "SlaBreached", "derive_id", "new_id", "utcnow"]


# ---- events ---------------------------------------------------------------------------------


class MessageReceived(Envelope, frozen=True, kw_only=True, tag="message.received"):
    """A message in a chat, as the gateway reported it (customer's, or an echo of an employee's)."""

    chat: ChatRef
    gateway_message_id: str
    content_type: ContentType
    text: str = ""
    raw_type: str = ""
    sent_at: datetime | None = None
    content_uri: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    is_echo: bool = False
    author_id: str | None = None
    author_name: str | None = None
    quoted_gateway_message_id: str | None = None
    is_edited: bool = False
    is_deleted: bool = False
    media: MediaRef | None = None
    participant_id: str | None = None
    participant_name: str | None = None
    participant_phone: str | None = None
    reaction: str | None = None
    reply_payload: str | None = None
    # Meta's business-scoped user id (BSUID), its parent (businesses with linked portfolios)
    # and the customer's username: identifiers besides the phone (``contact_phone``).
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    # a `system` message: "user_changed_number" / "user_changed_user_id", and the new values
    system_kind: str | None = None
    new_phone: str | None = None
    new_user_id: str | None = None
    # a submitted form (WhatsApp Flows): its name and answers
    form_name: str | None = None
    form: list[FormField] = []


class StatusUpdated(Envelope, frozen=True, kw_only=True, tag="status.updated"):
    """The gateway's delivery status of a message we sent (sent, delivered, read, error, ...)."""

    provider: str
    gateway_message_id: str
    status: str
    at: datetime | None = None
    error_code: str | None = None
    error_text: str | None = None
    channel_id: str | None = None
    chat_id: str | None = None
    pricing_category: str | None = None  # Meta's pricing.category (marketing, utility, ...)


class ChannelUpdated(Envelope, frozen=True, kw_only=True, tag="channel.updated"):
    """A company number's connection state changed."""

    provider: str
    channel_id: str
    state: str
    tier: str | None = None
    transport: str | None = None  # e.g. Wazzup's "wapi" marks a WhatsApp Business channel
    # when the gateway says the state changed (reports may arrive out of order; the newest wins)
    at: datetime | None = None


class SendSucceeded(Envelope, frozen=True, kw_only=True, tag="send.succeeded"):
    """The gateway accepted a send; carries its message id when the gateway returned one."""

    send_id: str
    task_id: str
    comment_id: str
    gateway_message_id: str | None = None
    part: int = 0
    replayed: bool = False


class SendFailed(Envelope, frozen=True, kw_only=True, tag="send.failed"):
    """A send was dead-lettered (``final``) or is waiting for a retry; the reason is for people."""

    send_id: str
    task_id: str
    comment_id: str
    reason: str
    code: str | None = None
    final: bool = True
    retry_at: datetime | None = None
    part: int = 0


class TaskStatusChanged(Envelope, frozen=True, kw_only=True, tag="task.status_changed"):
    """A person changed a task's status; the bot follows (a closed task ends the conversation)."""

    task_id: str
    conversation_id: str
    chat: ChatRef
    status: str
    state: ConversationState


class TaskActivity(Envelope, frozen=True, kw_only=True, tag="task.activity"):
    """Something a person or the routing rule did to a task, for the consoles following it:
    the task as it is now (encoded ``shared.domain.tasks.Task``) and, for a comment a person
    wrote, that comment (encoded ``shared.domain.comments.Comment``)."""

    task_id: str
    kind: Literal["task.created", "task.updated", "comment.added", "comment.updated"]
    task: bytes
    comment: bytes | None = None


class MediaStored(Envelope, frozen=True, kw_only=True, tag="media.stored"):
    """An inbound file is in our store; its comment's attachment is complete."""

    file_id: str
    comment_id: str
    task_id: str
    file_name: str
    mime_type: str
    size: int


class MediaFetchFailed(Envelope, frozen=True, kw_only=True, tag="media.failed"):
    """Fetching an inbound file failed; ``final`` False means a retry is scheduled."""

    file_id: str
    comment_id: str
    task_id: str
    reason: str
    code: str | None = None
    final: bool = True
    retry_at: datetime | None = None


class TemplateStatusChanged(Envelope, frozen=True, kw_only=True, tag="template.status_changed"):
    """A gateway reported a message template's review status (approved, rejected, ...)."""

    provider: str
    template_id: str = ""
    name: str = ""
    language: str = ""
    status: str = ""
    reason: str | None = None
    category: str | None = None
    account_id: str = ""


class TemplatesListed(Envelope, frozen=True, kw_only=True, tag="template.listed"):
    """A connection's message templates as its gateway lists them now (the whole set)."""

    provider: str
    connection: str
    templates: list[Template]


# ---- commands -------------------------------------------------------------------------------


class OpenTask(Envelope, frozen=True, kw_only=True, tag="task.open"):
    """Create the task of a new conversation (idempotent on ``task_id``)."""

    task_id: str
    conversation_id: str
    chat: ChatRef
    status: str
    phone: str | None = None
    contact_name: str | None = None
    user_id: str | None = None  # the customer's BSUID (Meta), shown on the task
    username: str | None = None


class AddComment(Envelope, frozen=True, kw_only=True, tag="task.add_comment"):
    """Record one message of the dialogue as a comment (idempotent on ``comment_id``)."""

    comment_id: str
    task_id: str
    author_kind: AuthorKind
    direction: Direction
    text: str
    at: datetime
    content_type: ContentType = "text"
    author_name: str | None = None
    sender_name: str | None = None
    sender_phone: str | None = None
    gateway_message_id: str | None = None
    send_id: str | None = None
    reply_to_gateway_message_id: str | None = None
    media: MediaRef | None = None
    file_id: str | None = None
    is_edit: bool = False
    is_delete: bool = False
    form: list[FormField] = []
    # a file stored already that the message carried (the bot's answer file): the comment
    # lists it, pointing at the stored file
    attachment: Attachment | None = None
    # a customer's message that came while the bot leads the dialogue (bot-router's view):
    # no response clock runs, so task-sync needs only the task's chat for it (``chat``), not
    # a read of the task
    with_bot: bool = False
    chat: ChatRef | None = None


class CreateContact(Envelope, frozen=True, kw_only=True, tag="directory.create_contact"):
    """A gateway asked us to create a client card (idempotent on ``contact_id``; a phone that
    already belongs to a contact is left as it is)."""

    contact_id: str
    name: str
    phones: list[str]
    responsible_user_id: str | None = None


class AddComments(Envelope, frozen=True, kw_only=True, tag="task.add_comments"):
    """Several comments of one decision (the customer's message and the bot's answer), stored
    together: one publish and one database write instead of one each."""

    items: list[AddComment]


class HandOver(Envelope, frozen=True, kw_only=True, tag="task.hand_over"):
    """Move the task to the manager status and assign it (responsible employee, else the group)."""

    task_id: str
    status: str
    group_id: str | None = None  # a flow's hand-over to this group (its routing applies)


class SetTaskStatus(Envelope, frozen=True, kw_only=True, tag="task.set_status"):
    """Change a task's status on the bot's behalf (a scenario action such as closing)."""

    task_id: str
    status: str


class SendMessage(Envelope, frozen=True, kw_only=True, tag="outbound.send"):
    """Send one message to a chat through its gateway; ``id`` is the idempotency key."""

    chat: ChatRef
    task_id: str
    comment_id: str
    text: str
    clear_unanswered: bool = True
    reply_to_gateway_message_id: str | None = None
    attachment: Attachment | None = None
    part: int = 0
    template_id: str | None = None
    template_values: list[str] = []
    template_language: str | None = None
    # a bot answer's options: Meta reply buttons or a list, numbered text elsewhere
    offer: Offer = "text"
    choices: list[Choice] = []
    # a question, not a send: "what became of this send?" (task-sync's reconciliation). The
    # sender reports the send's result or why it waits, and never queues it.
    reconcile: bool = False
    # a place kept in the chat's queue for a text another service writes (a status look-up's
    # answer, which task-sync composes): nothing behind it goes first; the same id with the
    # text fills it (``shared.domain.sends.AWAIT_TEXT_S``)
    awaits_text: bool = False
    # the send's place in its chat's queue, on the wake its decider publishes once it is
    # queued (0: not known; the queued command itself carries none): a sender that settled the
    # place before it may take it without reading the queue (``outbound_sender/sending.py``)
    seq: int = 0


class ChangeTaskChat(Envelope, frozen=True, kw_only=True, tag="task.change_chat"):
    """The customer's identifiers changed: the task's chat now sends to ``chat.address`` and
    shows ``phone``."""

    task_id: str
    chat: ChatRef
    phone: str | None = None
    user_id: str | None = None  # the new BSUID after user_changed_user_id


class RecordProblem(Envelope, frozen=True, kw_only=True, tag="task.record_problem"):
    """Something a gateway sent could not be placed in any task (e.g. a message with no usable
    sender); kept for people to see, never answered."""

    provider: str
    channel_id: str
    reason: str
    gateway_message_id: str = ""
    raw_type: str = ""
    detail: str = ""


class SendSignal(Envelope, frozen=True, kw_only=True, tag="outbound.signal"):
    """A gateway signal that is not a message: ``read`` (mark the customer's message read),
    ``typing`` (show the typing indicator) or ``reaction`` (``emoji`` on a message; empty
    removes it)."""

    chat: ChatRef
    kind: Literal["read", "typing", "reaction"]
    gateway_message_id: str
    task_id: str = ""
    comment_id: str = ""
    emoji: str = ""


class RefreshTemplates(Envelope, frozen=True, kw_only=True, tag="outbound.templates"):
    """List the message templates of the connections of ``provider`` (empty: every gateway
    that has a template list) and report them as ``template.listed``."""

    provider: str = ""


class FetchMedia(Envelope, frozen=True, kw_only=True, tag="media.fetch"):
    """Download an inbound file from its gateway and store it under ``file_id``."""

    chat: ChatRef
    task_id: str
    comment_id: str
    file_id: str
    media: MediaRef


Event = (
    MessageReceived | StatusUpdated | ChannelUpdated | SendSucceeded | SendFailed
    | TaskStatusChanged | ScenariosChanged | FlowsChanged | MediaStored | MediaFetchFailed
    | TaskActivity | TemplateStatusChanged | TemplatesListed | SlaBreached | DeskNotice
    | ChannelWebhookSeen
)
Command = (
    OpenTask | AddComment | AddComments | HandOver | SetTaskStatus | SendMessage | FetchMedia
    | CreateContact | ChangeTaskChat | RecordProblem | SendSignal | RefreshTemplates
    | SetTaskField | LookUpStatus
)
Message = Event | Command

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Message)


def encode(message: Message) -> bytes:
    return _encoder.encode(message)


def decode(body: bytes) -> Message:
    """Decode a bus body; raises ``msgspec.DecodeError``/``ValidationError`` on bad input."""
    decoded: Message = _decoder.decode(body)
    return decoded


def message_type(message: Message) -> str:
    return type(message).__struct_config__.tag  # type: ignore[return-value]


def chat_key_of(message: Message) -> str | None:
    """The chat a message belongs to, for the per-chat ordered queues."""
    chat = getattr(message, "chat", None)
    return chat.key if isinstance(chat, ChatRef) else None
