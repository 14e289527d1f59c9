"""Our tasks and comments as First Form's, and back (pure).

Who a comment is posted as follows the seed: the customer and the bot write as WhatsAppRobot,
a group participant who is not one of our users as 1FWhatsAppBot with their name in front, one
of our users as their First Form user when the people map knows them (else as WhatsAppRobot with
their name in front, so the task still says who wrote).
"""

from __future__ import annotations

from datetime import datetime

from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.files import AttachmentRecord
from shared.domain.outgoing import send_id
from shared.domain.tasks import Task
from shared.first_form.options import Options
from shared.first_form.responses import FeedComment, TaskState
from shared.first_form.text import plain, with_marker

PICKED_NAMESPACE = "first-form-comment"


def author_of(comment: Comment, opts: Options) -> tuple[int, str]:
    """The First Form user to post as, and the name to put in front of the text ("" none)."""
    mapped = opts.users.get(comment.author_user_id or "")
    if comment.author_kind == "participant":
        if mapped is not None:
            return mapped, ""
        return opts.group_bot_user_id, comment.sender_name or comment.author_name or ""
    if comment.author_kind == "user":
        if mapped is not None:
            return mapped, ""
        return opts.robot_user_id, comment.author_name or ""
    return opts.robot_user_id, ""


def comment_text(comment: Comment, name: str, files: list[AttachmentRecord],
                 file_names_in_text: bool) -> str:
    """The text to post: the name in front, what cannot travel as a file said in words, and
    the marker at the end."""
    text = comment.text or ("" if files else f"[{comment.content_type}]")
    if name:
        text = f"{name}: {text}" if text else name
    notes = [f"(файл не получен: {f.file_name})" for f in files if f.state == "failed"]
    if file_names_in_text:
        notes += [f"📎 {f.file_name}" for f in files if f.state == "stored"]
    body = "\n".join(part for part in (text, *notes) if part)
    return with_marker(body, comment.id)


def task_text(task: Task) -> str:
    return task.title


def picked_comment_id(ff_task_id: int, ff_comment_id: int) -> str:
    return events.derive_id(PICKED_NAMESPACE, str(ff_task_id), str(ff_comment_id))


def picked_file_id(comment_id: str, ff_file_id: str) -> str:
    return events.derive_id("first-form-file", comment_id, ff_file_id)


def people_comment(item: FeedComment, task: Task, *, ff_task_id: int, now: datetime,
                   author_user_id: str | None, reply_to: str | None, parts: int) -> Comment:
    """A person's comment from the feed as the comment we send: queued, in the outbox."""
    comment_id = picked_comment_id(ff_task_id, item.id)
    at = item.at or now
    return Comment(
        id=comment_id, task_id=task.id, order=order_of(at), at=at, author_kind="user",
        direction="out", text=plain(item.text), author_user_id=author_user_id,
        author_name=item.author_name or None, send_id=send_id(comment_id, 0),
        reply_to_comment_id=reply_to, delivery="queued", delivery_rank=0, outbox=True,
        parts=parts)


def user_of(ff_user_id: int | None, opts: Options) -> str | None:
    """Our user id of a First Form user, by the people map."""
    if ff_user_id is None:
        return None
    return next((ours for ours, theirs in opts.users.items() if theirs == ff_user_id), None)


def status_of(state: TaskState, state_ids: dict[str, int], names: dict[str, str]) -> str | None:
    """Our status name for First Form's state; None for a state we do not map."""
    key = next((k for k, sid in state_ids.items() if sid == state.state_id), None)
    return names.get(key) if key else None


def assignee_of(state: TaskState, opts: Options) -> str | None:
    """Our user id of First Form's first performer we know."""
    return next((u for u in (user_of(p, opts) for p in state.performer_ids) if u), None)
