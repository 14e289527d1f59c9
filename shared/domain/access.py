"""Who may see and act on a task: the role rules of the operator API and console.

- admin: every task.
- supervisor: every task of their groups (routed to one of their groups, or assigned to a
  member of one), and tasks nobody has yet (the bot's dialogues); may reassign.
- manager: tasks assigned to them, and the unassigned queue of their groups (to claim).

A task a person may not see does not exist for them (404 on every route).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.tasks import Task

Role = Literal["admin", "supervisor", "manager"]


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in person as the rules see them: who, which role, which groups, and (for a
    supervisor) the members of those groups."""

    user_id: str
    role: Role
    group_ids: frozenset[str] = frozenset()
    group_member_ids: frozenset[str] = frozenset()


def can_see(viewer: Viewer, task: Task) -> bool:
    if viewer.role == "admin":
        return True
    if viewer.role == "supervisor":
        return (task.assignee_group_id in viewer.group_ids
                or task.assignee_user_id in viewer.group_member_ids
                or task.assignee_user_id == viewer.user_id
                or (task.assignee_user_id is None and task.assignee_group_id is None))
    if task.assignee_user_id is not None:
        return task.assignee_user_id == viewer.user_id
    return task.assignee_group_id in viewer.group_ids


def can_post(viewer: Viewer, task: Task) -> bool:
    """Only its assignee, a supervisor of its group or an admin writes into a task."""
    if viewer.role == "manager":
        return task.assignee_user_id == viewer.user_id
    return can_see(viewer, task)


def can_claim(viewer: Viewer, task: Task) -> bool:
    """A manager takes an unassigned task of their groups' queue."""
    return (task.assignee_user_id is None and task.assignee_group_id is not None
            and task.assignee_group_id in viewer.group_ids) or \
        (viewer.role != "manager" and can_see(viewer, task))


def can_assign(viewer: Viewer, task: Task) -> bool:
    """Assigning to someone else is for supervisors of the task's group and admins."""
    return viewer.role != "manager" and can_see(viewer, task)
