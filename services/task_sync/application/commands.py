"""What people ask task-sync to do through the API, as commands for the use cases.

The bot's commands and the services' results arrive over the bus as ``shared.events`` types;
these are their counterparts for requests made by a person (or an integration's token).
"""

from __future__ import annotations

import msgspec

from shared.domain.access import Actor
from shared.domain.directory import User
from shared.domain.files import Upload


class PostComment(msgspec.Struct, frozen=True, kw_only=True):
    """A manager's comment in a task, sent to the customer's chat."""

    task_id: str
    actor: Actor
    text: str = ""
    reply_to: str | None = None
    uploads: list[Upload] = []
    idempotency_key: str | None = None
    hold: bool = False  # the window is closed: keep it until the customer writes again
    template_id: str | None = None  # an approved template instead of text
    template_values: list[str] = []
    template_language: str | None = None

    @property
    def author(self) -> User:
        return self.actor.user


class Resend(msgspec.Struct, frozen=True, kw_only=True):
    """Send a failed comment again (only what the customer did not get)."""

    task_id: str
    comment_id: str
    actor: Actor


class ChangeStatus(msgspec.Struct, frozen=True, kw_only=True):
    task_id: str
    status: str
    actor: Actor


class ClaimTask(msgspec.Struct, frozen=True, kw_only=True):
    """Take an unassigned task: it becomes the actor's."""

    task_id: str
    actor: Actor


class AssignTask(msgspec.Struct, frozen=True, kw_only=True):
    """Give a task to a user, or put it in a group's queue (exactly one of the two)."""

    task_id: str
    actor: Actor
    user_id: str | None = None
    group_id: str | None = None


class ReopenTask(msgspec.Struct, frozen=True, kw_only=True):
    """A closed task back to the manager status (its chat has no other open task)."""

    task_id: str
    actor: Actor


class StartConversation(msgspec.Struct, frozen=True, kw_only=True):
    """Write first to a contact: a task in the manager status and its first message."""

    actor: Actor
    channel_id: str
    provider: str
    connection: str = ""
    contact_id: str | None = None
    phone: str | None = None
    text: str = ""
    template_id: str | None = None
    template_values: list[str] = []
    template_language: str | None = None
    assignee_user_id: str | None = None
    idempotency_key: str | None = None

    @property
    def author(self) -> User:
        return self.actor.user
