"""A task's status and assignee: changed by a person, by the bot, or by the hand-over rule."""

from __future__ import annotations

from services.task_sync.application import audit, desk_hooks, history_notes, routing
from services.task_sync.application.access import ensure_can_change_status, visible_task
from services.task_sync.application.activity import announce
from services.task_sync.application.commands import ChangeStatus
from services.task_sync.application.errors import Conflict, Invalid
from services.task_sync.application.outgoing import publish_status
from services.task_sync.deps import Deps
from shared import events
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def change_status(deps: Deps, cmd: ChangeStatus) -> Task:
    """A person moves a task to another status; bot-router learns of it (outbox)."""
    task = await visible_task(deps, cmd.actor.viewer, cmd.task_id)
    ensure_can_change_status(cmd.actor.viewer, task)
    statuses = deps.statuses
    if cmd.status not in statuses.all:
        raise Invalid("unknown_status", f"status must be one of {list(statuses.all)}")
    if task.status == statuses.closed:
        raise Conflict("task_closed", "a closed task stays closed; the customer's next "
                       "message opens a new one")
    if cmd.status == task.status:
        return task
    updated = await deps.tasks.update_task(task.id, events.utcnow(),
                                           fields={"status": cmd.status}, announce=True,
                                           if_status_in=[task.status])
    if updated is None:
        raise Conflict("changed_meanwhile", "the task's status changed meanwhile; reload it")
    await publish_status(deps, updated)
    await audit.record(deps, cmd.actor, "task.status", "task", task.id, status=cmd.status)
    await announce(deps, "task.updated", updated, f"{updated.id}:{updated.status_version}")
    await history_notes.status_changed(deps, task, updated, cmd.actor.user.full_name)
    await desk_hooks.status_changed(deps, task, updated)
    return updated


async def hand_over(deps: Deps, cmd: events.HandOver) -> None:
    """Assign the task by the seed's rule: the contact's responsible employee, else the
    contact-centre group (inside it, the group's routing mode: ``routing.py``); a bot flow's
    hand-over to a group (``group_id``): that group."""
    task = await created_task(deps, cmd.task_id)
    if deps.desk is not None and task.status == cmd.status and task.assignee_user_id:
        return  # handed over before (a redelivered command routes nobody again)
    fields, unset = await routing.hand_over_target(deps, task, cmd.group_id)
    updated = await deps.tasks.update_task(task.id, cmd.occurred_at,
                                           fields=fields | {"status": cmd.status}, unset=unset,
                                           if_status_in=deps.statuses.open)
    if updated is None:
        log.info("task was closed meanwhile; hand-over dropped", task_id=task.id)
        return
    await announce(deps, "task.updated", updated, cmd.id)
    await desk_hooks.handed_over(deps, updated, cmd.occurred_at)
    await history_notes.handed_over(deps, updated, cmd.id)  # after the deadline it starts


async def set_status(deps: Deps, cmd: events.SetTaskStatus) -> None:
    """The bot moves a task (a scenario's action); never out of closed."""
    task = await created_task(deps, cmd.task_id)
    updated = await deps.tasks.update_task(cmd.task_id, cmd.occurred_at,
                                           fields={"status": cmd.status},
                                           if_status_in=deps.statuses.open)
    if updated is None:
        log.info("task was closed meanwhile; status change dropped", task_id=cmd.task_id)
        return
    await announce(deps, "task.updated", updated, cmd.id)
    await history_notes.status_changed(deps, task, updated, "бот", cause_id=cmd.id)
    await desk_hooks.status_changed(deps, task, updated)


async def created_task(deps: Deps, task_id: str) -> Task:
    """The task a bot command names (retried while its creation is a moment behind)."""
    task = await deps.tasks.get_task(task_id)
    if task is None:  # the task's OpenTask is consumed concurrently and may be a moment behind
        raise RetryableError(f"task {task_id} is not created yet", code="TASK_NOT_YET_CREATED")
    return task
