"""The 24-hour window's end as a deadline: the assignee is reminded a configured time before
it closes, and (when a template is configured) an approved "please reply" template goes out
as it closes while we still owe the customer something (a held reply, or an answer)."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.task_sync.application import notify
from services.task_sync.application.activity import announce, note_comments
from services.task_sync.application.outgoing import publish_sends, sends_of
from services.task_sync.application.window import is_waba
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.desk import Timer
from shared.domain.outgoing import send_id
from shared.domain.tasks import Task
from shared.domain.window import WINDOW


async def customer_wrote(deps: Deps, task_id: str, chat: events.ChatRef, at: datetime) -> None:
    """The window now closes 24 hours after ``at``: move its timers there."""
    desk, settings = deps.desk, deps.settings
    if desk is None or not await is_waba(deps, chat):
        return
    closes = at + WINDOW
    if settings.wabridge_window_reminder_minutes > 0:
        await desk.arm(f"window-remind:{task_id}", "window.remind",
                       closes - timedelta(minutes=settings.wabridge_window_reminder_minutes),
                       task_id=task_id)
    if settings.wabridge_window_template:
        await desk.arm(f"window-close:{task_id}", "window.close", closes, task_id=task_id)


async def _closing(deps: Deps, timer: Timer) -> tuple[Task, datetime] | None:
    """The open task and when its window closes, as things stand now."""
    task = await deps.tasks.get_task(timer.task_id) if timer.task_id else None
    if task is None or task.status == deps.statuses.closed:
        return None
    last = await deps.tasks.last_inbound_at(task.chat.key)
    return (task, last + WINDOW) if last else None


async def fire_remind(deps: Deps, timer: Timer) -> None:
    found = await _closing(deps, timer)
    if found is None:
        return
    task, closes = found
    now = events.utcnow()
    lead = timedelta(minutes=deps.settings.wabridge_window_reminder_minutes)
    if not task.assignee_user_id or closes <= now or closes - now > lead + timedelta(minutes=1):
        return  # nobody to remind, too late, or the customer wrote again (re-armed)
    left = max(1, round((closes - now).total_seconds() / 60))
    await notify.tell(deps, "window.closing", task, [task.assignee_user_id],
                      events.derive_id("window-closing", task.id, closes.isoformat()),
                      f"24-часовое окно закроется через {left} мин.: {task.title}",
                      {"closes_at": closes.isoformat()})


async def fire_close(deps: Deps, timer: Timer) -> None:
    """The window closed: ask the customer to write, if we still owe them something."""
    found = await _closing(deps, timer)
    desk, settings = deps.desk, deps.settings
    if found is None or desk is None or not settings.wabridge_window_template:
        return
    task, closes = found
    if closes > events.utcnow():
        return  # the customer wrote again meanwhile
    clock = await desk.clock(task.id)
    owed = bool(await desk.held_of_chat(task.chat.key)) or (clock is not None
                                                            and clock.state == "waiting")
    if not owed:
        return
    now = events.utcnow()
    comment_id = events.derive_id("please-reply", task.id, closes.isoformat())
    comment = Comment(
        id=comment_id, task_id=task.id, order=order_of(now), at=now, author_kind="bot",
        direction="out", text=f"[template {settings.wabridge_window_template}]",
        author_user_id=deps.robot_user_id, send_id=send_id(comment_id, 0), delivery="queued",
        delivery_rank=0, outbox=True, parts=1, template_id=settings.wabridge_window_template,
        template_values=[], template_language=settings.wabridge_window_template_language or None)
    if not await deps.tasks.add_comment(comment):
        return
    await publish_sends(deps, comment.id, sends_of(deps, task, comment, [], None))
    note_comments(deps, [comment])
    await announce(deps, "comment.added", task, comment.id, comment)
