"""Who gets a handed-over task, and the group queue handed out as people become able to take
its tasks (the rules are ``shared/domain/routing.py``).

A queue is drained by a durable timer (``drain:<group>``, due at once), armed whenever someone
may have become able to take a task: a person came online or got more capacity, a task of
theirs closed, a task went back to the queue. Arming is one write, so the trigger survives a
crash; the drain itself runs on one replica at a time.
"""

from __future__ import annotations

from services.task_sync.application.activity import announce
from services.task_sync.application.desk_ports import Desk
from services.task_sync.deps import Deps
from shared import events
from shared.domain.desk import Timer
from shared.domain.routing import Candidate, GroupPolicy, choose, responsible_takes
from shared.domain.tasks import Task
from shared.errors import PermanentError
from shared.logs import get_logger
from shared.metrics import ROUTED

log = get_logger(__name__)
DRAIN_BATCH = 50


async def hand_over_target(deps: Deps, task: Task, group_id: str | None = None
                           ) -> tuple[dict[str, str], tuple[str, ...]]:
    """(fields, unset) of the hand-over: the contact's responsible employee (unless on leave),
    else a member of the contact-centre group as its mode chooses, else its queue.
    ``group_id`` (a bot flow's hand-over to a group): that group, as its mode chooses."""
    if group_id is not None:
        group = await deps.directory.get_group(group_id)
        if group is None:
            raise PermanentError(f"cannot route task {task.id}: the bot flow hands it over to "
                                 f"group {group_id}, which does not exist")
    else:
        contact = await deps.directory.get_contact(task.contact_id) if task.contact_id else None
        responsible = contact.responsible_user_id if contact else None
        if responsible and (deps.desk is None or responsible_takes(
                (await deps.desk.agents([responsible]))[responsible])):
            return {"assignee_user_id": responsible}, ("assignee_group_id",)
        name = deps.settings.wabridge_contact_centre_group
        found = await deps.directory.group_by_name(name)
        if found is None:
            raise PermanentError(
                f"cannot route task {task.id}: its contact has no responsible employee and no "
                f"group named {name!r} exists")
        group = found
    chosen = await pick(deps, deps.desk, group.id) if deps.desk is not None else None
    if chosen is None:
        return {"assignee_group_id": group.id}, ("assignee_user_id",)
    return {"assignee_group_id": group.id, "assignee_user_id": chosen}, ()


async def candidates(deps: Deps, desk: Desk, group_id: str) -> list[Candidate]:
    """The group's managers with their availability, capacity and open tasks."""
    people = [u for u in [await deps.directory.get_user(i) for i in await desk.members(group_id)]
              if u is not None and not u.is_service and u.role == "manager"]
    ids = [u.id for u in people]
    states = await desk.agents(ids)
    counts = await desk.open_counts(ids, deps.statuses.open)
    return [Candidate(user_id=i, availability=states[i].availability,
                      capacity=states[i].capacity, open_tasks=counts.get(i, 0)) for i in ids]


async def pick(deps: Deps, desk: Desk, group_id: str, *,
               exclude: frozenset[str] = frozenset(), policy: GroupPolicy | None = None
               ) -> str | None:
    """The member the group's mode gives its next task to, with the group's cursor moved to
    them (None: nobody can take it, or the group is claim-only)."""
    policy = policy or await desk.policy(group_id)
    if policy.mode == "claim":
        return None
    for _ in range(5):  # another replica routed in this group meanwhile: choose again
        last, seq = await desk.cursor(group_id)
        chosen = choose(policy.mode, await candidates(deps, desk, group_id), last_user_id=last,
                        exclude=exclude)
        if chosen is None:
            return None
        if await desk.advance(group_id, seq, chosen):
            ROUTED.labels(group_id, policy.mode).inc()
            return chosen
    log.warning("routing cursor kept moving; the task waits in the queue", group_id=group_id)
    return None


async def request_drain(deps: Deps, group_ids: list[str]) -> None:
    """Hand out these groups' queues soon (a durable trigger)."""
    if deps.desk is None:
        return
    for group_id in sorted(set(group_ids)):
        await deps.desk.arm(f"drain:{group_id}", "drain", events.utcnow(), group_id=group_id)


async def groups_of(deps: Deps, user_id: str | None) -> list[str]:
    user = await deps.directory.get_user(user_id) if user_id else None
    return list(user.group_ids) if user else []


async def fire_drain(deps: Deps, timer: Timer) -> None:
    """Give the group's queued tasks, oldest first, to whoever can take them now."""
    desk = deps.desk
    if desk is None or timer.group_id is None:
        return
    policy = await desk.policy(timer.group_id)
    if policy.mode == "claim":
        return
    from services.task_sync.application import desk_hooks  # the hooks use this module

    for task in await desk.queued(timer.group_id, deps.statuses.manager, DRAIN_BATCH):
        chosen = await pick(deps, desk, timer.group_id, policy=policy,
                            exclude=frozenset(_skip(task)))
        if chosen is None:
            return
        updated = await deps.tasks.update_task(
            task.id, events.utcnow(), fields={"assignee_user_id": chosen},
            if_status_in=deps.statuses.open, if_unassigned=True)
        if updated is None:
            continue  # claimed or closed meanwhile
        await announce(deps, "task.updated", updated, f"drain:{task.id}:{timer.seq}:{chosen}")
        await desk_hooks.assigned(deps, updated)


def _skip(task: Task) -> list[str]:
    """Nobody gets back from the queue a task that was forwarded away from them for idling."""
    return [task.forwarded_from] if task.forwarded_from else []

