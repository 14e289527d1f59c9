"""Idle forwarding: a person who holds a waiting customer's task and does not answer within
the group's idle time (business minutes) loses it to the next available member, or to the
group's queue; they and the group's supervisors are told, and the task's history says why."""

from __future__ import annotations

from datetime import datetime

from services.task_sync.application import notify, routing
from services.task_sync.application.activity import announce
from services.task_sync.application.sla import policy_of
from services.task_sync.deps import Deps
from shared import events
from shared.domain.desk import Fact, Timer
from shared.domain.sla import idle_due
from shared.domain.tasks import Task
from shared.logs import get_logger
from shared.metrics import FORWARDED

log = get_logger(__name__)


def timer_key(task_id: str) -> str:
    return f"idle:{task_id}"


async def watch(deps: Deps, task: Task, since: datetime) -> None:
    """The assignee now holds a waiting customer: arm their idle timer from ``since``."""
    desk = deps.desk
    if desk is None or not task.assignee_user_id or task.status == deps.statuses.closed:
        return
    clock = await desk.clock(task.id)
    if clock is None or clock.state != "waiting" or clock.waiting_since is None:
        return
    policy = await policy_of(deps, desk, task, clock)
    due = idle_due(policy, clock.waiting_since, since) if policy else None
    if due is None:
        await desk.cancel(timer_key(task.id))
        return
    await desk.arm(timer_key(task.id), "idle", due, task_id=task.id,
                   user_id=task.assignee_user_id)


async def stop_watching(deps: Deps, task_id: str) -> None:
    if deps.desk is not None:
        await deps.desk.cancel(timer_key(task_id))


async def fire(deps: Deps, timer: Timer) -> None:
    """Still unanswered by the same person: forward the task."""
    desk = deps.desk
    task = await deps.tasks.get_task(timer.task_id) if timer.task_id else None
    if desk is None or task is None or task.status == deps.statuses.closed:
        return
    clock = await desk.clock(task.id)
    if (task.assignee_user_id != timer.user_id or clock is None or clock.state != "waiting"):
        return  # answered, reassigned or closed since the timer was armed
    policy = await policy_of(deps, desk, task, clock)
    if policy is None or policy.idle_forward_minutes is None:
        return
    previous = task.assignee_user_id
    assert previous is not None
    group_id = policy.group_id
    chosen = await routing.pick(deps, desk, group_id, exclude=frozenset({previous}),
                                policy=policy)
    fields = {"assignee_group_id": group_id, "forwarded_from": previous}
    updated = await deps.tasks.update_task(
        task.id, events.utcnow(), fields=fields | ({"assignee_user_id": chosen} if chosen
                                                   else {}),
        unset=() if chosen else ("assignee_user_id",), if_status_in=deps.statuses.open)
    if updated is None:
        return
    await _tell(deps, updated, timer, previous, chosen, policy.idle_forward_minutes)
    if chosen:
        await watch(deps, updated, events.utcnow())


async def _tell(deps: Deps, task: Task, timer: Timer, previous: str, chosen: str | None,
                minutes: float) -> None:
    """Everything that says the task was forwarded, and why."""
    assert deps.desk is not None
    cause = events.derive_id("idle-forward", task.id, previous, str(timer.seq))
    FORWARDED.labels(task.assignee_group_id or "").inc()
    await deps.desk.add_fact(Fact(id=cause, kind="forwarded", at=events.utcnow(),
                                  task_id=task.id, group_id=task.assignee_group_id,
                                  user_id=previous))
    await announce(deps, "task.updated", task, cause)
    before = await deps.directory.get_user(previous)
    after = await deps.directory.get_user(chosen) if chosen else None
    where = f"передана: {after.full_name}" if after else "возвращена в очередь группы"
    text = (f"Нет ответа клиенту {minutes:g} мин. от {before.full_name if before else previous}"
            f": задача {where}")
    await notify.note_in_history(deps, task, cause, text)
    await notify.audit_as_robot(deps, "task.forwarded", task, from_user_id=previous,
                                to_user_id=chosen, group_id=task.assignee_group_id,
                                reason=f"idle {minutes:g} min")
    people = [previous, *await notify.supervisors_of(deps, task.assignee_group_id)]
    await notify.tell(deps, "task.forwarded", task, people, cause, f"{text} ({task.title})",
                      {"from_user_id": previous, "to_user_id": chosen or ""})
