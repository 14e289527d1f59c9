"""Collecting one decision's commands (pure): ids and order derived from the event, and the
bot's messages as a comment in the task plus the sends that carry them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

import msgspec

from shared import events
from shared.domain.conversations import Conversation
from shared.domain.flow_engine import Reply, render_numbered
from shared.domain.outgoing import send_id

# what in the bot dialogue is no request for a person: no answer, no hand-over
QUIET_KINDS = frozenset({"reaction", "sticker", "geo", "vcard"})


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


class Base(TypedDict):
    id: str
    correlation_id: str
    occurred_at: datetime


class Builder:
    """Collects the commands of one decision, with ids and order derived from the event."""

    def __init__(self, event: events.Envelope, now: datetime) -> None:
        self.event = event
        self.now = now
        self.commands: list[events.Command] = []

    def base(self, *parts: str) -> Base:
        return {"id": events.derive_id(*parts, self.event.id),
                "correlation_id": self.event.correlation_id, "occurred_at": self.now}

    def at(self) -> datetime:
        # comments of one decision keep their order even within one clock tick
        return self.now + timedelta(microseconds=len(self.commands))

    def add(self, command: events.Command) -> None:
        self.commands.append(command)


def bot_says(b: Builder, conv: Conversation, reply: Reply, policy: BotPolicy) -> None:
    """One bot message: the comment shows it as gateways without buttons show it (numbered
    options), the send carries the options for Meta's buttons or list, and a file goes as a
    second part after the text (the comment lists it, as a person's comment lists theirs)."""
    comment_id = events.derive_id("comment", b.event.id, str(len(b.commands)), "bot")
    shown = render_numbered(reply)
    answer_file = reply.attachment
    file = None if answer_file is None else events.Attachment(
        file_id=answer_file.file_id, file_name=answer_file.file_name,
        mime_type=answer_file.mime_type, size=answer_file.size)
    b.add(events.AddComment(
        **b.base("comment", str(len(b.commands)), "bot"), comment_id=comment_id,
        task_id=conv.task_id, author_kind="bot", author_name=policy.robot_user, direction="out",
        text=shown, at=b.at(), send_id=send_id(comment_id, 0), attachment=file))
    parts: list[tuple[str, events.Attachment | None]] = []
    if reply.text or reply.choices or file is None:
        parts.append((reply.text, None))
    if file is not None:
        parts.append(("", file))
    for part, (text, attachment) in enumerate(parts):
        b.add(events.SendMessage(
            id=send_id(comment_id, part), correlation_id=b.event.correlation_id,
            occurred_at=b.now, chat=conv.chat, task_id=conv.task_id, comment_id=comment_id,
            text=text, clear_unanswered=False, part=part, attachment=attachment,
            offer=reply.offer if attachment is None else "text",
            choices=list(reply.choices) if attachment is None else []))
