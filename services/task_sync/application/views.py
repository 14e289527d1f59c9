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
                 reply_to: Comment | None = None,
                 reactions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A comment with its files, the snippet of the message it quotes and the reactions it
    shows (``reactions_shown``); a reaction comment also names its emoji (``reaction``)."""
    out: dict[str, Any] = msgspec.to_builtins(comment)
    out["attachments"] = [attachment_view(a) for a in sorted(attachments, key=lambda a: a.id)]
    emoji = reaction_emoji(comment)
    if emoji is not None:
        out["reaction"] = emoji
    if reactions:
        out["reactions"] = reactions
    if reply_to is not None:
        out["reply_to"] = {"id": reply_to.id, "author_name": reply_to.author_name
                           or reply_to.sender_name, "text": (reply_to.current_text
                                                             or reply_to.text)[:200]}
    return out


def reaction_emoji(comment: Comment) -> str | None:
    """The emoji of a reaction comment ("" when it takes a reaction back); None for any other
    comment. The task keeps reactions as text: ``[reaction 👍]``, ``[reaction]`` (the customer
    took theirs back) or ``[reaction removed]`` (a manager did)."""
    if comment.content_type != "reaction":
        return None
    inner = comment.text.removeprefix("[reaction").removesuffix("]").strip()
    return "" if inner == "removed" else inner


def reactions_shown(comments: list[Comment]) -> dict[str, list[dict[str, str]]]:
    """What each message shows under it, by the message's comment id: the newest reaction of
    each reactor among ``comments`` (oldest first), a taken-back one dropped. A customer or a
    group participant reacts as themselves; every manager reacts as the business number, which
    WhatsApp lets hold one reaction per message, so the newest of theirs replaces the rest."""
    latest: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
    for c in sorted(comments, key=lambda c: c.order):
        emoji = reaction_emoji(c)
        if emoji is None or not c.reply_to_comment_id:
            continue
        by = (c.author_name or c.sender_name or "") if c.direction == "out" \
            else (c.sender_name or c.author_name or "")
        on_target = latest.setdefault(c.reply_to_comment_id, {})
        reactor = (c.direction, "" if c.direction == "out" else by)
        on_target.pop(reactor, None)  # re-inserted last: the list shows the newest last
        if emoji:
            on_target[reactor] = {"emoji": emoji, "by": by, "direction": c.direction}
    return {target: list(found.values()) for target, found in latest.items() if found}


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

