"""The bot's decisions (pure): given a conversation and an event, the new state and commands.

No I/O happens here. Every id is derived from the event's id, so deciding the same event twice
yields the same commands, and every downstream consumer can drop the repeat.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

import msgspec

from services.bot_router.matching import match_scenario
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.identities import ConversationIdentity, address_after_change
from shared.domain.phones import digits
from shared.domain.scenarios import Scenario

GROUP_CHAT_TYPES = frozenset({"whatsgroup"})
_PLACEHOLDERS = {
    "image": "[image]", "audio": "[voice message]", "video": "[video]",
    "document": "[document]", "sticker": "[sticker]", "vcard": "[contact card]",
    "geo": "[location]", "template": "[template]", "missed_call": "[missed call]",
}
# what in the bot dialogue is no request for a person: no answer, no hand-over
QUIET_KINDS = frozenset({"reaction", "sticker", "geo", "vcard"})
_SYSTEM_NOTICES = {
    "user_changed_number": "The customer changed their phone number",
    "user_changed_user_id": "The customer's WhatsApp user id changed",
}


class BotPolicy(msgspec.Struct, frozen=True, kw_only=True):
    status_bot: str
    status_manager: str
    status_closed: str
    robot_user: str
    group_bot_user: str
    greeting: str
    handover_text: str
    bot_in_groups: bool = False
    quiet_kinds: frozenset[str] = QUIET_KINDS


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


class _Base(TypedDict):
    id: str
    correlation_id: str
    occurred_at: datetime


class _Builder:
    """Collects the commands of one decision, with ids and order derived from the event."""

    def __init__(self, event: events.Envelope, now: datetime) -> None:
        self.event = event
        self.now = now
        self.commands: list[events.Command] = []

    def base(self, *parts: str) -> _Base:
        return {"id": events.derive_id(*parts, self.event.id),
                "correlation_id": self.event.correlation_id, "occurred_at": self.now}

    def at(self) -> datetime:
        # comments of one decision keep their order even within one clock tick
        return self.now + timedelta(microseconds=len(self.commands))

    def add(self, command: events.Command) -> None:
        self.commands.append(command)


def decide(
    conv: Conversation | None, event: events.MessageReceived, scenarios: list[Scenario],
    policy: BotPolicy, now: datetime, identity: ConversationIdentity | None = None,
) -> Decision:
    """Handle one message of a chat; ``identity`` is what the identity lookup found (None
    when the conversation knew every identifier already)."""
    b = _Builder(event, now)
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
    _record_message(b, conv, event, policy, is_group)
    if opened and state == "manager":
        # group chats (bot off) and dialogues an employee started go straight to people
        b.add(events.HandOver(**b.base("hand_over"), task_id=conv.task_id,
                              status=policy.status_manager))
    elif not event.is_echo:
        state = _answer(b, conv, event, scenarios, policy, state, greet=opened)
    if not opened and state == conv.state and known is conv:
        # nothing the bot decides on changed: no write (the decision record is the audit, and
        # the 24-hour window is read from the comments)
        return _unchanged(b)
    new = msgspec.structs.replace(
        known, state=state, version=(conv.version + 1) if previous_version is not None else 1,
        last_inbound_at=now if not event.is_echo else conv.last_inbound_at,
        contact_name=event.contact_name or conv.contact_name)
    return Decision(event_id=event.id, conversation=new, previous_version=previous_version,
                    commands=b.commands)


def _unchanged(b: _Builder) -> Decision:
    return Decision(event_id=b.event.id, conversation=None, previous_version=None,
                    commands=b.commands)


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


def _notice(b: _Builder, conv: Conversation | None, event: events.MessageReceived,
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


def _revise(b: _Builder, conv: Conversation | None, event: events.MessageReceived) -> Decision:
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
    b: _Builder, conv: Conversation, event: events.MessageReceived, policy: BotPolicy,
    is_group: bool,
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
        media=event.media, file_id=file_id, form=event.form))
    if event.media is not None and file_id is not None:
        b.add(events.FetchMedia(**b.base("fetch"), chat=event.chat, task_id=conv.task_id,
                                comment_id=comment_id, file_id=file_id, media=event.media))


def _answer(
    b: _Builder, conv: Conversation, event: events.MessageReceived, scenarios: list[Scenario],
    policy: BotPolicy, state: events.ConversationState, *, greet: bool,
) -> events.ConversationState:
    """The bot's reply in the bot dialogue, and the state it leaves the conversation in."""
    if state != "bot":
        return state
    scenario = _requested_scenario(event, scenarios)
    if greet:
        text = policy.greeting if scenario is None else f"{policy.greeting}\n\n{scenario.answer}"
        _bot_says(b, conv, text, policy)
    elif scenario is not None:
        _bot_says(b, conv, scenario.answer, policy)
    elif event.content_type in policy.quiet_kinds:
        return state  # a 👍, a sticker or a shared place asks nobody for anything
    else:
        if policy.handover_text:
            _bot_says(b, conv, policy.handover_text, policy)
        b.add(events.HandOver(**b.base("hand_over"), task_id=conv.task_id,
                              status=policy.status_manager))
        return "manager"
    if scenario is None or scenario.action is None:
        return "bot"
    if scenario.action == "hand_over":
        b.add(events.HandOver(**b.base("hand_over"), task_id=conv.task_id,
                              status=policy.status_manager))
        return "manager"
    b.add(events.SetTaskStatus(**b.base("close"), task_id=conv.task_id,
                               status=policy.status_closed))
    return "closed"


def _requested_scenario(event: events.MessageReceived,
                        scenarios: list[Scenario]) -> Scenario | None:
    """A typed text, or a tapped button/list item (its payload, else its title)."""
    if event.content_type == "text":
        return match_scenario(event.text, scenarios)
    if event.content_type == "interactive" and event.form:
        # a submitted form (WhatsApp Flow) asks for the scenario named like the form
        return match_scenario(event.form_name or "", scenarios)
    if event.content_type == "interactive":
        by_payload = match_scenario(event.reply_payload or "", scenarios)
        return by_payload or match_scenario(event.text, scenarios)
    return None


def _bot_says(b: _Builder, conv: Conversation, text: str, policy: BotPolicy) -> None:
    comment_id = events.derive_id("comment", b.event.id, str(len(b.commands)), "bot")
    send_id = events.derive_id("send", comment_id)
    b.add(events.AddComment(
        **b.base("comment", str(len(b.commands)), "bot"), comment_id=comment_id,
        task_id=conv.task_id, author_kind="bot", author_name=policy.robot_user, direction="out",
        text=text, at=b.at(), send_id=send_id))
    b.add(events.SendMessage(
        id=send_id, correlation_id=b.event.correlation_id, occurred_at=b.now, chat=conv.chat,
        task_id=conv.task_id, comment_id=comment_id, text=text, clear_unanswered=False))


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
    # a closed dialogue continues only when a person reopened its task (state bot or manager)
    new = msgspec.structs.replace(conv, state=event.state, version=conv.version + 1)
    return Decision(event_id=event.id, conversation=new, previous_version=conv.version,
                    commands=[])
