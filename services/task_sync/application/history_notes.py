"""Notices in a task's chat between the messages: who it was handed over or assigned to, who
took it, and its status changes (``notify.note_in_history``: once per cause, never sent)."""

from __future__ import annotations

from services.task_sync.application.notify import note_in_history
from services.task_sync.deps import Deps
from shared.domain.directory import User
from shared.domain.tasks import Task


def _cause(kind: str, task: Task) -> str:
    # the change itself (the task's stamp after it): a repeat of the same change notes once
    return f"{kind}:{task.id}:{task.updated_at.isoformat()}"


async def _person(deps: Deps, user_id: str | None) -> str | None:
    user = await deps.directory.get_user(user_id) if user_id else None
    return user.full_name if user else user_id


async def _group(deps: Deps, group_id: str | None) -> str | None:
    group = await deps.directory.get_group(group_id) if group_id else None
    return group.name if group else group_id


async def handed_over(deps: Deps, task: Task, cause_id: str) -> None:
    """The bot handed the customer to a manager, or to a group's queue."""
    if task.assignee_user_id:
        text = f"Передано менеджеру: {await _person(deps, task.assignee_user_id)}"
    elif task.assignee_group_id:
        text = f"В очереди группы {await _group(deps, task.assignee_group_id)}"
    else:
        return
    await note_in_history(deps, task, f"hand-over:{cause_id}", text)


async def claimed(deps: Deps, task: Task, by: User) -> None:
    await note_in_history(deps, task, _cause("claim", task), f"Задачу взял(а) {by.full_name}")


async def assigned(deps: Deps, task: Task, by: User) -> None:
    """Someone gave the task to a person, or back to a group's queue."""
    if task.assignee_user_id:
        text = f"{by.full_name} назначил(а): {await _person(deps, task.assignee_user_id)}"
    else:
        text = (f"{by.full_name} вернул(а) задачу в очередь группы "
                f"{await _group(deps, task.assignee_group_id)}")
    await note_in_history(deps, task, _cause("assign", task), text)


async def status_changed(deps: Deps, before: Task, after: Task, by: str,
                         cause_id: str | None = None) -> None:
    """``Статус: В работе → Закрыта (Петров Иван)``; a reopening says so."""
    if before.status == after.status:
        return
    reopened = before.status == deps.statuses.closed
    text = (f"Задача открыта снова ({by}). Статус: {after.status}" if reopened
            else f"Статус: {before.status} → {after.status} ({by})")
    await note_in_history(deps, after, cause_id or _cause("status", after), text)
