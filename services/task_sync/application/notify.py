"""Telling people about a task: a notice kept for each (``GET /api/v1/notices``), the same
shown live on their consoles (``desk.notice`` on the bus, which every replica follows), and
the task's history (a system note in the chat) and the audit log where a change was made."""

from __future__ import annotations

from typing import Any

from services.task_sync.application import audit
from services.task_sync.application.activity import announce
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import NOTICE, Comment, order_of
from shared.domain.desk import Notice
from shared.domain.directory import User
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def supervisors_of(deps: Deps, group_id: str | None) -> list[str]:
    if deps.desk is None or not group_id:
        return []
    people = [await deps.directory.get_user(i) for i in await deps.desk.members(group_id)]
    return [u.id for u in people if u is not None and u.role == "supervisor"]


async def tell(deps: Deps, kind: str, task: Task, user_ids: list[str], cause_id: str,
               text: str, details: dict[str, str] | None = None) -> None:
    """A notice for each of ``user_ids`` (once per cause), kept and shown live."""
    if deps.desk is None or not user_ids:
        return
    now = events.utcnow()
    people = sorted(set(user_ids))
    for user_id in people:
        await deps.desk.notify(Notice(
            id=events.derive_id("notice", cause_id, user_id), user_id=user_id, at=now,
            kind=kind, task_id=task.id, text=text, details=details or {}))
    try:
        await deps.bus.publish(events.DeskNotice(
            id=events.derive_id("desk-notice", cause_id), correlation_id=task.id,
            occurred_at=now, task_id=task.id, kind=kind, user_ids=people, text=text,
            details=details or {}))
    except RetryableError as exc:  # kept as notices: the console shows them on reload
        log.warning("notice not shown live", task_id=task.id, kind=kind, reason=str(exc))


async def note_in_history(deps: Deps, task: Task, cause_id: str, text: str) -> None:
    """A system note in the task's chat, once per ``cause_id``: shown live on the consoles,
    never sent to WhatsApp, no customer message (no inbox preview, count, deadline or
    window), and not posted to First Form, which records hand-overs and statuses itself."""
    now = events.utcnow()
    note = Comment(id=events.derive_id("desk-note", cause_id), task_id=task.id,
                   order=order_of(now), at=now, author_kind="system", direction="out",
                   text=text, content_type=NOTICE, author_user_id=deps.robot_user_id,
                   author_name=deps.settings.wabridge_robot_user)
    if await deps.tasks.add_comment(note):
        await announce(deps, "comment.added", task, note.id, note)


async def audit_as_robot(deps: Deps, action: str, task: Task, **details: Any) -> None:
    robot = User(id=deps.robot_user_id, full_name=deps.settings.wabridge_robot_user,
                 is_service=True)
    await audit.record_as(deps, robot, "token", action, "task", task.id, **details)
