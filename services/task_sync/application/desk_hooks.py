"""What the desk does when something happens to a task: the use cases that change tasks and
record messages call these after their own effects (each a no-op where no desk is wired).

A customer's word starts the response clock (and the assignee's idle timer), moves the
24-hour window's timers and releases held replies; our word stops the clock; an assignment
watches the new assignee; closing pauses the clock and lets the queue move; reopening resumes.
"""

from __future__ import annotations

from datetime import datetime

from services.task_sync.application import held, idle, routing, sla, window_deadline
from services.task_sync.application.window import is_waba
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment
from shared.domain.desk import Fact
from shared.domain.tasks import Task

CUSTOMER_KINDS = ("customer", "participant")


async def handed_over(deps: Deps, task: Task, at: datetime) -> None:
    """The bot handed the customer to people: they wait for our first answer from now."""
    if deps.desk is None:
        return
    await sla.customer_waits(deps, deps.desk, task, at)
    await assigned(deps, task)


async def assigned(deps: Deps, task: Task) -> None:
    """The task has a new assignee (a person, or a group's queue)."""
    desk = deps.desk
    if desk is None or task.status == deps.statuses.closed:
        return
    now = events.utcnow()
    if task.assignee_user_id:
        await desk.add_fact(Fact(
            id=events.derive_id("fact-assigned", task.id, task.assignee_user_id,
                                task.updated_at.isoformat()),
            kind="assigned", at=now, task_id=task.id, group_id=await sla.group_of(deps, task),
            user_id=task.assignee_user_id))
        await idle.watch(deps, task, now)
    else:
        await idle.stop_watching(deps, task.id)
        if task.assignee_group_id:  # back in the queue: someone may take it at once
            await routing.request_drain(deps, [task.assignee_group_id])


async def messages_recorded(deps: Deps, comments: list[Comment],
                            with_bot: dict[str, events.ChatRef] | None = None) -> None:
    """Customer messages and employees' echoes recorded in their tasks. ``with_bot``: the
    chats of customer messages that came while the bot led the dialogue (no response clock
    runs then, so their task need not be read)."""
    desk = deps.desk
    if desk is None:
        return
    tasks: dict[str, Task | None] = {}
    for comment in sorted(comments, key=lambda c: c.order):
        customer = comment.direction == "in" and comment.author_kind in CUSTOMER_KINDS
        ours = comment.direction == "out" and comment.author_kind == "user"
        if not (customer or ours):
            continue  # the bot's answers and notices change nothing here
        if customer and with_bot and (chat := with_bot.get(comment.id)) is not None:
            await _customer_wrote(deps, comment.task_id, chat, comment.at)
            continue
        if comment.task_id not in tasks:
            tasks[comment.task_id] = await deps.tasks.get_task(comment.task_id)
        task = tasks[comment.task_id]
        if task is None:
            continue
        if customer:
            await _customer_wrote(deps, task.id, task.chat, comment.at)
            if task.status == deps.statuses.manager:
                waited = await sla.customer_waits(deps, desk, task, comment.at)
                if waited and waited[0].state != "waiting" and waited[1].state == "waiting":
                    await idle.watch(deps, task, comment.at)
        else:
            await replied(deps, task, comment.at, comment.author_user_id)


async def _customer_wrote(deps: Deps, task_id: str, chat: events.ChatRef, at: datetime
                         ) -> None:
    """What a customer's message does whoever leads the dialogue: held replies go, and the
    24-hour window's timers move."""
    if await is_waba(deps, chat):
        # replies are held only where the 24-hour window applies (``held.must_hold``):
        # elsewhere the customer's message needs no look for them (one read less)
        await held.release(deps, chat.key)
    await window_deadline.customer_wrote(deps, task_id, chat, at)


async def replied(deps: Deps, task: Task, at: datetime, user_id: str | None) -> None:
    """One of us wrote to the customer (a held reply too: the answer is given)."""
    if deps.desk is None:
        return
    before = await sla.answered(deps, deps.desk, task, at, user_id)
    if before is not None and before.state == "waiting":
        # the idle timer is armed only while the customer waits under a group's policy
        # (``idle.watch``), and every end of the waiting cancels it: an answer to no waiting,
        # or in a task no group governs, has none to cancel (one write less per comment; a
        # timer armed in a race finds the clock answered, or no policy, and does nothing)
        await idle.stop_watching(deps, task.id)


async def status_changed(deps: Deps, before: Task, after: Task) -> None:
    """Closed: the clock pauses, the assignee's capacity frees up. Reopened: it resumes."""
    desk = deps.desk
    closed = deps.statuses.closed
    if desk is None or before.status == after.status:
        return
    now = events.utcnow()
    if after.status == closed:
        await sla.closed(deps, desk, after, now)
        await idle.stop_watching(deps, after.id)
        groups = await routing.groups_of(deps, before.assignee_user_id)
        await routing.request_drain(deps, groups + ([after.assignee_group_id]
                                                    if after.assignee_group_id else []))
    elif before.status == closed:
        await sla.reopened(deps, desk, after, now)
        await idle.watch(deps, after, now)
