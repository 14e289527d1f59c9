"""What people do to a task besides writing in it: claim it, assign it, reopen it.

Each refusal has its own code (403 ``not_in_group``, ``not_group_supervisor``,
``outside_own_groups``): the console words it by the code, never by the English reason."""

from __future__ import annotations

from services.task_sync.application import audit, desk_hooks, history_notes
from services.task_sync.application.access import ensure_can_change_status, visible_task
from services.task_sync.application.activity import announce
from services.task_sync.application.commands import AssignTask, ClaimTask, ReopenTask
from services.task_sync.application.errors import Conflict, Forbidden, Invalid
from services.task_sync.application.outgoing import publish_status
from services.task_sync.deps import Deps
from shared import events
from shared.domain import access
from shared.domain.tasks import Task


def _ensure_open(deps: Deps, task: Task) -> None:
    if task.status == deps.statuses.closed:
        raise Conflict("task_closed", "the task is closed; reopen it first")


async def claim_task(deps: Deps, cmd: ClaimTask) -> Task:
    """The task becomes the actor's, unless someone took it first (409)."""
    viewer = cmd.actor.viewer
    task = await visible_task(deps, viewer, cmd.task_id)
    if task.assignee_user_id == viewer.user_id:
        return task
    _ensure_open(deps, task)
    if task.assignee_user_id is not None:
        raise Conflict("taken", "someone else has taken this task")
    if not access.can_claim(viewer, task):
        raise Forbidden("not_in_group", "only members of the task's group take it from the queue")
    updated = await deps.tasks.update_task(
        task.id, events.utcnow(), fields={"assignee_user_id": viewer.user_id},
        if_status_in=deps.statuses.open, if_unassigned=True)
    if updated is None:
        raise Conflict("taken", "someone else took this task or closed it meanwhile")
    await audit.record(deps, cmd.actor, "task.claim", "task", task.id)
    await announce(deps, "task.updated", updated, events.new_id())
    await history_notes.claimed(deps, updated, cmd.actor.user)
    await desk_hooks.assigned(deps, updated)
    return updated


async def assign_task(deps: Deps, cmd: AssignTask) -> Task:
    """Give the task to a user (its group stays), or back to a group's queue (no user)."""
    viewer = cmd.actor.viewer
    if (cmd.user_id is None) == (cmd.group_id is None):
        raise Invalid("invalid_body", "give exactly one of user_id and group_id")
    task = await visible_task(deps, viewer, cmd.task_id)
    _ensure_open(deps, task)
    if not access.can_assign(viewer, task):
        raise Forbidden("not_group_supervisor", "only a supervisor of the task's group or an "
                        "administrator assigns tasks")
    unset: tuple[str, ...] = ()
    if cmd.user_id is not None:
        user = await deps.directory.get_user(cmd.user_id)
        if user is None or user.is_service:
            raise Invalid("unknown_user", f"no employee {cmd.user_id}")
        allowed = access.can_assign_to(viewer, task, user=user)
        fields = {"assignee_user_id": user.id}
    else:
        assert cmd.group_id is not None
        if await deps.directory.get_group(cmd.group_id) is None:
            raise Invalid("unknown_group", f"no group {cmd.group_id}")
        allowed = access.can_assign_to(viewer, task, group_id=cmd.group_id)
        fields, unset = {"assignee_group_id": cmd.group_id}, ("assignee_user_id",)
    if not allowed:
        raise Forbidden("outside_own_groups", "supervisors assign within their own groups")
    updated = await deps.tasks.update_task(task.id, events.utcnow(), fields=fields,
                                           unset=unset, if_status_in=deps.statuses.open)
    if updated is None:
        raise Conflict("task_closed", "the task was closed meanwhile")
    await audit.record(deps, cmd.actor, "task.assign", "task", task.id, user_id=cmd.user_id,
                       group_id=cmd.group_id)
    await announce(deps, "task.updated", updated, events.new_id())
    await history_notes.assigned(deps, updated, cmd.actor.user)
    await desk_hooks.assigned(deps, updated)
    return updated


async def reopen_task(deps: Deps, cmd: ReopenTask) -> Task:
    """A closed task back to the manager status; bot-router learns of it (outbox)."""
    task = await visible_task(deps, cmd.actor.viewer, cmd.task_id)
    statuses = deps.statuses
    if task.status != statuses.closed:
        raise Conflict("not_closed", "only a closed task can be reopened")
    ensure_can_change_status(cmd.actor.viewer, task)
    other = await deps.tasks.open_task_of_chat(task.chat.key, statuses.closed)
    if other is not None:
        raise Conflict("conversation_open", f"the chat has another open task {other.id}; "
                       "write there")
    updated = await deps.tasks.update_task(task.id, events.utcnow(),
                                           fields={"status": statuses.manager}, announce=True,
                                           if_status_in=[statuses.closed])
    if updated is None:
        raise Conflict("changed_meanwhile", "the task's status changed meanwhile; reload it")
    await publish_status(deps, updated)
    await audit.record(deps, cmd.actor, "task.reopen", "task", task.id)
    await announce(deps, "task.updated", updated, f"{updated.id}:{updated.status_version}")
    await history_notes.status_changed(deps, task, updated, cmd.actor.user.full_name)
    await desk_hooks.status_changed(deps, task, updated)
    return updated
