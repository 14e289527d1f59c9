"""Response deadlines: the task's clock moved by what happens to it, the deadline shown on the
task and armed as a timer, and a breach reported (bus event, metrics, the group's supervisors).

The rules are pure (``shared/domain/sla.py``); here the clock is read, changed and stored with
its version as a precondition, then its timer and the task's deadline follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from services.task_sync.application import notify
from services.task_sync.application.desk_ports import Desk
from services.task_sync.deps import Deps
from shared import events
from shared.domain import sla
from shared.domain.desk import Fact, Timer
from shared.domain.routing import GroupPolicy
from shared.domain.sla import Clock, Response
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger
from shared.metrics import SLA_BREACHES, SLA_RESPONSE_SECONDS, SLA_RESPONSES

log = get_logger(__name__)


async def group_of(deps: Deps, task: Task) -> str | None:
    """The group whose policy governs the task: its group, else its assignee's first group."""
    if task.assignee_group_id:
        return task.assignee_group_id
    user = await deps.directory.get_user(task.assignee_user_id) if task.assignee_user_id else None
    return user.group_ids[0] if user and user.group_ids else None


async def policy_of(deps: Deps, desk: Desk, task: Task, clock: Clock | None = None
                    ) -> GroupPolicy | None:
    group_id = (clock.group_id if clock and clock.group_id else None) or await group_of(deps, task)
    return await desk.policy(group_id) if group_id else None


async def change_clock(deps: Deps, desk: Desk, task: Task,
                       change: Callable[[Clock, GroupPolicy], Clock]
                       ) -> tuple[Clock, Clock, GroupPolicy] | None:
    """Apply ``change`` to the task's clock and store it (again after a concurrent write);
    (before, after, policy), or None when no group governs the task."""
    for _ in range(5):
        before = await desk.clock(task.id) or Clock(task_id=task.id)
        policy = await policy_of(deps, desk, task, before)
        if policy is None:
            return None
        after = change(before, policy)
        if after == before or await desk.save_clock(after):
            if after != before:
                await _follow(desk, after)
            return before, after, policy
    raise RetryableError(f"the response clock of task {task.id} kept changing",
                         code="DB_CONFLICT")


async def _follow(desk: Desk, clock: Clock) -> None:
    """The deadline's timer and the task's shown deadline, as the clock now stands."""
    running = clock.state == "waiting" and clock.due_at is not None
    if running and not clock.breached:
        assert clock.due_at is not None
        await desk.arm(f"sla:{clock.task_id}", "sla", clock.due_at, task_id=clock.task_id)
    else:
        await desk.cancel(f"sla:{clock.task_id}")
    await desk.show_deadline(clock.task_id, clock.due_at if running else None,
                             clock.kind if running else None)


async def customer_waits(deps: Deps, desk: Desk, task: Task, at: datetime
                         ) -> tuple[Clock, Clock] | None:
    """The customer's word (or the hand-over) that we owe an answer to."""
    changed = await change_clock(deps, desk, task,
                                 lambda c, p: sla.start_waiting(c, p, at, task.chat.channel_id))
    return (changed[0], changed[1]) if changed else None


async def answered(deps: Deps, desk: Desk, task: Task, at: datetime,
                   user_id: str | None) -> Clock | None:
    """One of us wrote: the waiting stops and the response is counted. The clock as it was
    (None when no group governs the task)."""
    responses: list[Response] = []

    def stop(clock: Clock, policy: GroupPolicy) -> Clock:
        responses.clear()
        after, response = sla.answer(clock, policy, at)
        if response is not None:
            responses.append(response)
        return after

    changed = await change_clock(deps, desk, task, stop)
    if changed is None or not responses:
        return changed[0] if changed else None
    before, _, policy = changed
    response = responses[0]
    outcome = "untargeted" if response.target_s is None else "met" if response.met else "breached"
    SLA_RESPONSES.labels(policy.group_id, response.kind, outcome).inc()
    SLA_RESPONSE_SECONDS.labels(response.kind).observe(response.business_s)
    await desk.add_fact(Fact(
        id=events.derive_id("fact-response", task.id, str(before.seq)), kind="response", at=at,
        task_id=task.id, group_id=policy.group_id, user_id=user_id or task.assignee_user_id,
        response_kind=response.kind, business_s=response.business_s, wall_s=response.wall_s,
        met=None if response.target_s is None else response.met))
    return before


async def closed(deps: Deps, desk: Desk, task: Task, at: datetime) -> None:
    """The task closed: a waiting clock pauses; the resolution is counted."""
    changed = await change_clock(deps, desk, task, lambda c, p: sla.pause(c, p, at))
    if changed is None:
        return
    _, after, policy = changed
    opened = after.opened_at or task.created_at
    await desk.add_fact(Fact(
        id=events.derive_id("fact-closed", task.id, str(task.status_version), at.isoformat()),
        kind="closed", at=at, task_id=task.id, group_id=policy.group_id,
        user_id=task.assignee_user_id, wall_s=max(0.0, (at - opened).total_seconds())))


async def reopened(deps: Deps, desk: Desk, task: Task, at: datetime) -> None:
    await change_clock(deps, desk, task, lambda c, p: sla.resume(c, p, at))


async def fire_breach(deps: Deps, timer: Timer) -> None:
    """The deadline passed: report it once (bus event, metrics, the supervisors)."""
    desk = deps.desk
    task = await deps.tasks.get_task(timer.task_id) if timer.task_id else None
    if desk is None or task is None:
        return
    now = events.utcnow()

    def mark(clock: Clock, policy: GroupPolicy) -> Clock:
        if not sla.is_breached(clock, now):
            return clock
        return msgspec.structs.replace(clock, breached=True)

    changed = await change_clock(deps, desk, task, mark)
    if changed is None or changed[0] == changed[1]:
        return
    _, clock, policy = changed
    assert clock.due_at is not None
    cause = events.derive_id("sla-breach", task.id, clock.kind, clock.due_at.isoformat())
    SLA_BREACHES.labels(policy.group_id, clock.kind).inc()
    await desk.add_fact(Fact(id=cause, kind="breach", at=now, task_id=task.id,
                             group_id=policy.group_id, user_id=task.assignee_user_id,
                             response_kind=clock.kind))
    await deps.bus.publish(events.SlaBreached(
        id=cause, correlation_id=task.id, occurred_at=now, task_id=task.id, kind=clock.kind,
        due_at=clock.due_at, group_id=policy.group_id, assignee_user_id=task.assignee_user_id))
    people = await notify.supervisors_of(deps, policy.group_id)
    if task.assignee_user_id:
        people.append(task.assignee_user_id)
    which = "первый" if clock.kind == "first" else "следующий"
    await notify.tell(deps, "sla.breached", task, people, cause,
                      f"Просрочен {which} ответ клиенту: {task.title}",
                      {"kind": clock.kind, "due_at": clock.due_at.isoformat()})
