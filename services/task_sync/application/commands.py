"""What people ask task-sync to do through the API, as commands for the use cases.

The bot's commands and the services' results arrive over the bus as ``shared.events`` types;
these are their counterparts for requests made by a person (or an integration's token).
"""

from __future__ import annotations

import msgspec

from shared.domain.directory import User
from shared.domain.files import Upload


class PostComment(msgspec.Struct, frozen=True, kw_only=True):
    """A manager's comment in a task, sent to the customer's chat."""

    task_id: str
    author: User
    text: str = ""
    reply_to: str | None = None
    uploads: list[Upload] = []
    idempotency_key: str | None = None


class Resend(msgspec.Struct, frozen=True, kw_only=True):
    """Send a failed comment again (only what the customer did not get)."""

    task_id: str
    comment_id: str


class ChangeStatus(msgspec.Struct, frozen=True, kw_only=True):
    task_id: str
    status: str


class StartConversation(msgspec.Struct, frozen=True, kw_only=True):
    """Write first to a contact: a task in the manager status and its first message."""

    author: User
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
