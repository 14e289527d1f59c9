"""Tasks: one per conversation, in the WhatsApp communication category, and their statuses."""

from __future__ import annotations

from datetime import datetime

import msgspec

from shared import events


class Task(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    title: str
    category: str
    status: str
    chat: events.ChatRef
    conversation_id: str
    created_at: datetime
    updated_at: datetime
    phone: str | None = None
    # the customer's other WhatsApp identifiers (Meta): business-scoped user id, username
    user_id: str | None = None
    username: str | None = None
    contact_id: str | None = None
    contact_name: str | None = None
    assignee_user_id: str | None = None
    assignee_group_id: str | None = None
    status_version: int = 0
    # the latest message, for the inbox (written together, a moment after the message)
    last_activity_at: datetime | None = None
    last_preview: str | None = None
    last_direction: str | None = None
    last_author_kind: str | None = None  # customer | bot | user | participant | system
    inbound_count: int = 0  # customer messages so far; unread = this minus what one has seen
    last_inbound_at: datetime | None = None  # the 24-hour window runs from here
    # issue 13: the running response deadline (first or next answer), and who the task was
    # forwarded away from for idling (the queue does not give it back to them)
    sla_due_at: datetime | None = None
    sla_kind: str | None = None
    forwarded_from: str | None = None
    # issue 12: the request number customers ask about (built-in store: sequential), and the
    # answers a bot flow's questions stored
    number: int | None = None
    fields: dict[str, str] = {}


class Statuses(msgspec.Struct, frozen=True, kw_only=True):
    """The configured names of the three statuses a WhatsApp task moves through."""

    bot: str
    manager: str
    closed: str

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.bot, self.manager, self.closed)

    @property
    def open(self) -> list[str]:
        """The statuses a task may be moved out of by the bot (all but closed)."""
        return [self.bot, self.manager]

    def conversation_state(self, status: str) -> events.ConversationState:
        """How the bot treats a task in ``status``."""
        if status == self.closed:
            return "closed"
        if status == self.bot:
            return "bot"
        return "manager"


def status_event(task: Task, statuses: Statuses) -> events.TaskStatusChanged:
    """The event that tells bot-router a task's status changed (id fixed per status version)."""
    return events.TaskStatusChanged(
        id=events.derive_id("status", task.id, str(task.status_version)), correlation_id=task.id,
        occurred_at=task.updated_at, task_id=task.id, conversation_id=task.conversation_id,
        chat=task.chat, status=task.status, state=statuses.conversation_state(task.status))
