"""Who may see and act on a task: the role rules of the operator API and console.

- admin: every task; administers users, tokens and the system.
- supervisor: every task of their groups (routed to one of their groups, or assigned to a
  member of one), and tasks nobody has yet (the bot's dialogues); may reassign within their
  groups; edits the directory.
- manager: tasks assigned to them, and the unassigned queue of their groups (to claim).

A task a person may not see does not exist for them (404 on every route).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.directory import Role, User
from shared.domain.tasks import Task

__all__ = ["Actor", "Role", "Viewer"]

Via = Literal["token", "session"]


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in person as the rules see them: who, which role, which groups, and (for a
    supervisor) the members of those groups."""

    user_id: str
    role: Role
    group_ids: frozenset[str] = frozenset()
    group_member_ids: frozenset[str] = frozenset()


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who asks for a use case: the user, the rules' view of them, and how they signed in
    (an API token or a console session), as the audit log records it."""

    user: User
    viewer: Viewer
    via: Via = "token"


def viewer_of(user: User, group_member_ids: frozenset[str] = frozenset()) -> Viewer:
    """The rules' view of ``user``; ``group_member_ids`` matter for supervisors only."""
    return Viewer(user_id=user.id, role=user.role, group_ids=frozenset(user.group_ids),
                  group_member_ids=group_member_ids if user.role == "supervisor"
                  else frozenset())


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


def can_change_status(viewer: Viewer, task: Task) -> bool:
    """Closing, reopening and moving a task: whoever may write into it."""
    return can_post(viewer, task)


def can_claim(viewer: Viewer, task: Task) -> bool:
    """A manager takes an unassigned task of their groups' queue; a supervisor or an admin
    takes any unassigned task they see."""
    if task.assignee_user_id is not None:
        return False
    if viewer.role == "manager":
        return task.assignee_group_id is not None and task.assignee_group_id in viewer.group_ids
    return can_see(viewer, task)


def can_assign(viewer: Viewer, task: Task) -> bool:
    """Assigning to someone else is for supervisors of the task's group and admins."""
    return viewer.role != "manager" and can_see(viewer, task)


def can_assign_to(viewer: Viewer, task: Task, *, user: User | None = None,
                  group_id: str | None = None) -> bool:
    """Whether ``viewer`` may give ``task`` to ``user`` or to the group ``group_id``: an admin
    to anyone; a supervisor within their own groups (a member of one, or one of them)."""
    if not can_assign(viewer, task):
        return False
    if viewer.role == "admin":
        return True
    if user is not None:
        return user.id == viewer.user_id or bool(viewer.group_ids & set(user.group_ids))
    return group_id is not None and group_id in viewer.group_ids


def can_start_for(viewer: Viewer, assignee: User) -> bool:
    """Who may start a dialogue assigned to ``assignee``: a manager only for themself, a
    supervisor for themself or a member of their groups, an admin for anyone."""
    if viewer.role == "admin" or assignee.id == viewer.user_id:
        return True
    return viewer.role == "supervisor" and bool(viewer.group_ids & set(assignee.group_ids))


def can_edit_directory(viewer: Viewer) -> bool:
    """Contacts and groups' membership of the directory: admins and supervisors."""
    return viewer.role in ("admin", "supervisor")


def can_administer(viewer: Viewer) -> bool:
    """Users, roles, passwords, API tokens, scenarios, dead letters, the audit log."""
    return viewer.role == "admin"


def permissions(viewer: Viewer, task: Task, closed_status: str) -> dict[str, bool]:
    """What the task card offers ``viewer`` (the API enforces the same rules)."""
    is_open = task.status != closed_status
    return {
        "post": is_open and can_post(viewer, task),
        "claim": is_open and can_claim(viewer, task),
        "assign": is_open and can_assign(viewer, task),
        "close": is_open and can_change_status(viewer, task),
        "reopen": not is_open and can_change_status(viewer, task),
    }
