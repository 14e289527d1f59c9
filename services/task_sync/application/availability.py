"""Availability, capacity and group policies as people set them: a person their own
availability; an admin anyone's availability and capacity (a supervisor those of their
groups' members); admins and a group's supervisors its routing, idle and SLA settings."""

from __future__ import annotations

from typing import Any

import msgspec

from services.task_sync.application import audit, routing
from services.task_sync.application.desk_ports import Desk
from services.task_sync.application.errors import Conflict, Forbidden, NotFound
from services.task_sync.deps import Deps
from shared.domain.access import Actor
from shared.domain.routing import AgentState, Availability, GroupPolicy

_UNSET: Any = msgspec.UNSET


def _desk(deps: Deps) -> Desk:
    if deps.desk is None:
        raise Conflict("not_available", "routing and deadlines are not enabled here")
    return deps.desk


async def availability_of(deps: Deps, actor: Actor, user_id: str) -> AgentState:
    await _ensure_may_manage(deps, actor, user_id, reading=True)
    return (await _desk(deps).agents([user_id]))[user_id]


async def set_availability(deps: Deps, actor: Actor, user_id: str, *,
                           availability: Availability | None = None,
                           capacity: int | msgspec.UnsetType | None = _UNSET) -> AgentState:
    """Change a person's availability and (admins, supervisors) capacity; when they can take
    more now, their groups' queues are handed out."""
    desk = _desk(deps)
    if user_id != actor.user.id or not isinstance(capacity, msgspec.UnsetType):
        await _ensure_may_manage(deps, actor, user_id)
    current = (await desk.agents([user_id]))[user_id]
    state = AgentState(
        user_id=user_id, availability=availability or current.availability,
        capacity=current.capacity if isinstance(capacity, msgspec.UnsetType) else capacity)
    await desk.save_agent(state)
    await audit.record(deps, actor, "user.availability", "user", user_id,
                       availability=state.availability, capacity=state.capacity)
    if state.availability == "online":
        await routing.request_drain(deps, await routing.groups_of(deps, user_id))
    return state


async def _ensure_may_manage(deps: Deps, actor: Actor, user_id: str, *,
                             reading: bool = False) -> None:
    viewer = actor.viewer
    user = await deps.directory.get_user(user_id)
    if user is None or user.is_service:
        raise NotFound("not_found", f"no employee {user_id}")
    if viewer.role == "admin" or (reading and user_id == viewer.user_id):
        return
    if viewer.role == "supervisor" and set(user.group_ids) & viewer.group_ids:
        return
    raise Forbidden("availability_not_allowed", "an administrator, or a supervisor of their "
                    "group, sets another person's availability and capacity")


async def policy_of(deps: Deps, actor: Actor, group_id: str) -> GroupPolicy:
    await _ensure_group(deps, actor, group_id, writing=False)
    return await _desk(deps).policy(group_id)


async def save_policy(deps: Deps, actor: Actor, policy: GroupPolicy) -> GroupPolicy:
    await _ensure_group(deps, actor, policy.group_id, writing=True)
    await _desk(deps).save_policy(policy)
    await audit.record(deps, actor, "group.policy", "group", policy.group_id,
                       mode=policy.mode)
    await routing.request_drain(deps, [policy.group_id])
    return policy


async def _ensure_group(deps: Deps, actor: Actor, group_id: str, *, writing: bool) -> None:
    if await deps.directory.get_group(group_id) is None:
        raise NotFound("not_found", f"no group {group_id}")
    viewer = actor.viewer
    if viewer.role == "admin" or (viewer.role == "supervisor" and group_id in viewer.group_ids):
        return
    if not writing and group_id in viewer.group_ids:
        return
    raise Forbidden("policy_not_allowed",
                    "administrators and the group's supervisors set its policy")
