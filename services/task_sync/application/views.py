"""Tasks and comments as the console shows them (plain JSON-ready dictionaries), shared by the
API's answers and the live updates, so both render the same thing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task
from shared.domain.window import WINDOW


def attachment_view(a: AttachmentRecord) -> dict[str, Any]:
    out = {"id": a.id, "file_name": a.file_name, "mime_type": a.mime_type, "state": a.state,
           "url": f"/api/v1/files/{a.id}"}
    return out | {k: v for k, v in (("size", a.size), ("reason", a.reason)) if v is not None}


def comment_view(comment: Comment, attachments: list[AttachmentRecord],
                 reply_to: Comment | None = None) -> dict[str, Any]:
    """A comment with its files and the snippet of the message it quotes."""
    out: dict[str, Any] = msgspec.to_builtins(comment)
    out["attachments"] = [attachment_view(a) for a in sorted(attachments, key=lambda a: a.id)]
    if reply_to is not None:
        out["reply_to"] = {"id": reply_to.id, "author_name": reply_to.author_name
                           or reply_to.sender_name, "text": (reply_to.current_text
                                                             or reply_to.text)[:200]}
    return out


def window_expires_at(task: Task, waba: bool) -> datetime | None:
    """When free text stops being allowed on a WhatsApp Business channel (None elsewhere)."""
    if not waba or task.last_inbound_at is None:
        return None
    return task.last_inbound_at + WINDOW


def task_summary(task: Task, *, unread: int = 0, waba: bool = False) -> dict[str, Any]:
    """A task as the inbox lists it."""
    out: dict[str, Any] = msgspec.to_builtins(task)
    out["unread"] = unread
    expires = window_expires_at(task, waba)
    out["window_expires_at"] = expires.isoformat() if expires else None
    return out

