"""The bot's decisions (pure): given a conversation and an event, the new state and commands.

No I/O happens here. Every id is derived from the event's id, so deciding the same event twice
yields the same commands, and every downstream consumer can drop the repeat.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from services.bot_router.building import QUIET_KINDS, BotPolicy, Builder
from services.bot_router.flow_turn import Turn, bot_turn
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.flow_engine import FlowState
from shared.domain.flows import FlowVersion
from shared.domain.identities import ConversationIdentity, address_after_change
from shared.domain.phones import digits

__all__ = ["QUIET_KINDS", "BotPolicy", "comment_text", "decide", "follow_status_change"]

GROUP_CHAT_TYPES = frozenset({"whatsgroup"})
_PLACEHOLDERS = {
    "image": "[image]", "audio": "[voice message]", "video": "[video]",
    "document": "[document]", "sticker": "[sticker]", "vcard": "[contact card]",
    "geo": "[location]", "template": "[template]", "missed_call": "[missed call]",
}
_SYSTEM_NOTICES = {
    "user_changed_number": "The customer changed their phone number",
    "user_changed_user_id": "The customer's WhatsApp user id changed",
}


def comment_text(event: events.MessageReceived) -> str:
    """What the task shows for a customer message."""
    if event.content_type == "system":
        default = _SYSTEM_NOTICES.get(event.system_kind or "", "WhatsApp notice")
        return f"[notice] {event.text or default}"
    if event.content_type == "unsupported":
        label = f"[unsupported message type: {event.raw_type or 'unknown'}]"
        return f"{label} {event.text}".strip()
    if event.content_type == "text" or event.form:
        return event.text  # a form's text is its heading and answers already
    if event.content_type == "reaction":
        return f"[reaction {event.reaction or ''}]".replace(" ]", "]")
    placeholder = _PLACEHOLDERS.get(event.content_type, f"[{event.content_type}]")
    return f"{placeholder} {event.text}".strip()


def decide(
    conv: Conversation | None, event: events.MessageReceived, flow: FlowVersion,
    policy: BotPolicy, now: datetime, identity: ConversationIdentity | None = None,
) -> Decision:
    """Handle one message of a chat with the channel's ``flow``; ``identity`` is what the
    identity lookup found (None when the conversation knew every identifier already)."""
    b = Builder(event, now)
    if event.is_edited or event.is_deleted:
        return _revise(b, conv, event)
    if conv is not None and not conv.is_open:
        conv = None
    if event.content_type == "system":
        return _notice(b, conv, event, identity)
    if conv is None and event.content_type == "reaction":
        # a reaction to a message of a closed dialogue is no reason to open a task
        return _unchanged(b)
    is_group = event.chat.chat_type in GROUP_CHAT_TYPES
    bot_allowed = policy.bot_in_groups or not is_group
    previous_version = conv.version if conv else None
    opened = conv is None
    if conv is None:
        state: events.ConversationState = "bot" if bot_allowed and not event.is_echo else "manager"
        conv = Conversation(
            id=events.derive_id("conversation", event.id), chat=event.chat,
            task_id=events.derive_id("task", event.id), state="bot", opened_at=now,
            contact_name=event.contact_name)
        b.add(events.OpenTask(
            **b.base("open"), task_id=conv.task_id, conversation_id=conv.id, chat=event.chat,
            status=policy.status_bot if state == "bot" else policy.status_manager,
            phone=_task_phone(event, identity), contact_name=event.contact_name,
            user_id=event.user_id, username=event.username))
    else:
        state = conv.state
    known = _with_identity(conv, identity)
    _record_message(b, conv, event, policy, is_group, with_bot=state == "bot")
    turn: Turn | None = None
    if opened and state == "manager":
        # group chats (bot off) and dialogues an employee started go straight to people
        b.add(events.HandOver(**b.base("hand_over"), task_id=conv.task_id,
                              status=policy.status_manager))
    elif state == "bot" and not event.is_echo and (
            opened or event.content_type not in policy.quiet_kinds):
        # (a 👍, a sticker or a shared place later in the dialogue asks nobody for anything)
        turn = bot_turn(b, conv, event, flow, policy, greet=opened)
        state = turn.state
    used = flow if turn is not None else None
    flow_state = turn.flow if turn is not None else conv.flow
    flow_version = flow.version if turn is not None else conv.flow_version
    if (not opened and state == conv.state and known is conv and flow_state == conv.flow
            and flow_version == conv.flow_version):
        # nothing the bot decides on changed: no write (the decision record is the audit, and
        # the 24-hour window is read from the comments)
        return _unchanged(b, used)
    new = msgspec.structs.replace(
        known, state=state, version=(conv.version + 1) if previous_version is not None else 1,
        last_inbound_at=now if not event.is_echo else conv.last_inbound_at,
        contact_name=event.contact_name or conv.contact_name, flow=flow_state,
        flow_version=flow_version)
    return Decision(event_id=event.id, conversation=new, previous_version=previous_version,
                    commands=b.commands, flow_key=used.key if used else None,
                    flow_version=used.version if used else None)


def _unchanged(b: Builder, used: FlowVersion | None = None) -> Decision:
    return Decision(event_id=b.event.id, conversation=None, previous_version=None,
                    commands=b.commands, flow_key=used.key if used else None,
                    flow_version=used.version if used else None)


def _with_identity(conv: Conversation, identity: ConversationIdentity | None) -> Conversation:
    """``conv`` knowing the customer and identifiers (itself when it knew them already)."""
    if identity is None or (conv.customer_id == identity.customer_id
                            and set(identity.identifiers) <= set(conv.identifiers)):
        return conv
    keys = list(dict.fromkeys([*conv.identifiers, *identity.identifiers]))
    return msgspec.structs.replace(conv, customer_id=identity.customer_id, identifiers=keys)


def _task_phone(event: events.MessageReceived, identity: ConversationIdentity | None
                ) -> str | None:
    """The phone the task shows: the message's, else one linked to the customer earlier."""
    phone = event.contact_phone or (identity.phone if identity else None)
    return digits(phone) if phone else None


def _notice(b: Builder, conv: Conversation | None, event: events.MessageReceived,
            identity: ConversationIdentity | None) -> Decision:
    """A WhatsApp system message: a notice in the open task (no bot reaction); a changed
    number or user id also changes where the task's messages go."""
    if conv is None:
        return _unchanged(b)  # nothing to show it in; the identity links are recorded
    b.add(events.AddComment(
        **b.base("notice"), comment_id=events.derive_id("notice", event.id),
        task_id=conv.task_id, author_kind="system", direction="out", text=comment_text(event),
        at=b.at(), content_type="system", gateway_message_id=event.gateway_message_id))
    known = _with_identity(conv, identity)
    address = address_after_change(conv.chat, event)
    chat = msgspec.structs.replace(conv.chat, address=address) if address else conv.chat
    if address or event.new_phone or event.new_user_id:
        b.add(events.ChangeTaskChat(
            **b.base("change_chat"), task_id=conv.task_id, chat=chat,
            phone=digits(event.new_phone) if event.new_phone else None,
            user_id=event.new_user_id))
    if known is conv and chat is conv.chat:
        return _unchanged(b)
    new = msgspec.structs.replace(known, chat=chat, version=conv.version + 1)
    return Decision(event_id=event.id, conversation=new, previous_version=conv.version,
                    commands=b.commands)


def _revise(b: Builder, conv: Conversation | None, event: events.MessageReceived) -> Decision:
    """An edit or deletion in WhatsApp: a revision of the comment that carries the message; the
    bot does not react and the conversation does not change."""
    b.add(events.AddComment(
        **b.base("revision"), comment_id=events.derive_id("revision", event.id),
        task_id=conv.task_id if conv else "", author_kind="customer", direction="in",
        text=event.text, at=b.at(), gateway_message_id=event.gateway_message_id,
        is_edit=event.is_edited and not event.is_deleted, is_delete=event.is_deleted))
    return Decision(event_id=event.id, conversation=None, previous_version=None,
                    commands=b.commands)


def _record_message(
    b: Builder, conv: Conversation, event: events.MessageReceived, policy: BotPolicy,
    is_group: bool, *, with_bot: bool,
) -> None:
    sender_phone = None
    if event.is_echo:
        author_kind: events.AuthorKind = "user"
        author, sender = event.author_name, event.author_name
    elif is_group:
        author_kind, author = "participant", policy.group_bot_user
        sender = event.participant_name or event.contact_name
        sender_phone = event.participant_phone
    else:
        author_kind, author, sender = "customer", policy.robot_user, event.contact_name
    comment_id = events.derive_id("comment", event.id)
    file_id = events.derive_id("file", event.id) if event.media else None
    b.add(events.AddComment(
        **b.base("comment"), comment_id=comment_id,
        task_id=conv.task_id, author_kind=author_kind, author_name=author, sender_name=sender,
        sender_phone=sender_phone, direction="out" if event.is_echo else "in",
        text=comment_text(event), at=b.at(), content_type=event.content_type,
        gateway_message_id=event.gateway_message_id,
        reply_to_gateway_message_id=event.quoted_gateway_message_id,
        media=event.media, file_id=file_id, form=event.form,
        with_bot=with_bot and not event.is_echo, chat=conv.chat if with_bot else None))
    if event.media is not None and file_id is not None:
        b.add(events.FetchMedia(**b.base("fetch"), chat=event.chat, task_id=conv.task_id,
                                comment_id=comment_id, file_id=file_id, media=event.media))


def follow_status_change(
    conv: Conversation | None, event: events.TaskStatusChanged, now: datetime
) -> Decision:
    """A person changed the task's status: the bot dialogue follows (closed ends it, a reopened
    task continues it). A task bot-router does not know yet is a dialogue started from our
    side: it opens here."""
    if conv is None:
        opened = Conversation(id=event.conversation_id, chat=event.chat, task_id=event.task_id,
                              state=event.state, version=1, opened_at=now)
        return Decision(event_id=event.id, conversation=opened, previous_version=None,
                        commands=[])
    if conv.state == event.state:
        return Decision(event_id=event.id, conversation=None, previous_version=None, commands=[])
    # a closed dialogue continues only when a person reopened its task (state bot or manager);
    # a dialogue a person gives back to the bot starts again at its main menu
    new = msgspec.structs.replace(conv, state=event.state, version=conv.version + 1,
                                  flow=FlowState())
    return Decision(event_id=event.id, conversation=new, previous_version=conv.version,
                    commands=[])
