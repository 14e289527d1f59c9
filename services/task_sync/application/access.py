"""The role rules (``shared/domain/access.py``) applied to stored items: every route that shows
or changes a task goes through here, so a task its viewer may not see is missing (404) the same
way on every route, and a change they may not make is refused (403) before any effect, with a
code naming the refusal (``post_not_allowed``, ``status_not_allowed``, ``start_for_other``,
``admin_only``, ``directory_edit_not_allowed``: the last two auth.py makes with the same words
and codes)."""

from __future__ import annotations

from services.task_sync.application.errors import Forbidden, Invalid, NotFound
from services.task_sync.deps import Deps
from shared.domain import access
from shared.domain.access import Actor, Viewer
from shared.domain.comments import Comment
from shared.domain.tasks import Task


async def visible_task(deps: Deps, viewer: Viewer, task_id: str) -> Task:
    """The task, or NotFound when it does not exist or ``viewer`` may not see it."""
    task = await deps.tasks.get_task(task_id)
    if task is None or not access.can_see(viewer, task):
        raise NotFound("not_found", f"no task {task_id}")
    return task


async def visible_comment(deps: Deps, viewer: Viewer, comment_id: str) -> tuple[Task, Comment]:
    """A comment with its task, or NotFound when the task is not visible to ``viewer``."""
    comment = await deps.tasks.get_comment(comment_id)
    if comment is None:
        raise NotFound("not_found", f"no comment {comment_id}")
    try:
        task = await visible_task(deps, viewer, comment.task_id)
    except NotFound:
        raise NotFound("not_found", f"no comment {comment_id}") from None
    return task, comment


async def ensure_file_visible(deps: Deps, viewer: Viewer, file_id: str) -> str:
    """The id of the stored file that ``file_id`` (an attachment's) shows, or NotFound unless
    the attachment's task is visible to ``viewer``. A stored file attached to no task is for
    admins only."""
    record = await deps.tasks.get_attachment(file_id)
    task = await deps.tasks.get_task(record.task_id) if record is not None else None
    visible = access.can_see(viewer, task) if task is not None else viewer.role == "admin"
    if not visible:
        raise NotFound("not_found", f"no stored file {file_id}")
    return record.stored_id if record is not None else file_id


def ensure_can_post(viewer: Viewer, task: Task) -> None:
    if not access.can_post(viewer, task):
        raise Forbidden("post_not_allowed", "only the task's assignee, a supervisor of its "
                        "group or an administrator may write into it")


def ensure_can_change_status(viewer: Viewer, task: Task) -> None:
    if not access.can_change_status(viewer, task):
        raise Forbidden("status_not_allowed", "only the task's assignee, a supervisor of its "
                        "group or an administrator may change its status")


def ensure_admin(viewer: Viewer) -> None:
    if not access.can_administer(viewer):
        raise Forbidden("admin_only", "only administrators may do this")


def ensure_directory_editor(viewer: Viewer) -> None:
    if not access.can_edit_directory(viewer):
        raise Forbidden("directory_edit_not_allowed",
                        "only administrators and supervisors may edit the directory")


async def ensure_may_start_for(deps: Deps, actor: Actor, assignee_user_id: str | None) -> None:
    """A dialogue started from our side is assigned to its author unless another employee is
    named; managers start only their own, supervisors for members of their groups."""
    if not assignee_user_id or assignee_user_id == actor.user.id:
        return
    assignee = await deps.directory.get_user(assignee_user_id)
    if assignee is None or assignee.is_service:
        raise Invalid("unknown_user", f"no employee {assignee_user_id}")
    if not access.can_start_for(actor.viewer, assignee):
        raise Forbidden("start_for_other", "managers start dialogues for themselves, "
                        "supervisors for members of their groups")
