"""The role rules (``shared/domain/access.py``'s ``can_see``) as a query on ``tasks``."""

from __future__ import annotations

from typing import Any

from shared.domain.access import Viewer


def task_scope(viewer: Viewer) -> dict[str, Any]:
    """The filter of the tasks ``viewer`` may see; keep in step with ``access.can_see``."""
    if viewer.role == "admin":
        return {}
    if viewer.role == "supervisor":
        return {"$or": [
            {"assignee_group_id": {"$in": sorted(viewer.group_ids)}},
            {"assignee_user_id": {"$in": sorted(viewer.group_member_ids | {viewer.user_id})}},
            {"assignee_user_id": {"$exists": False}, "assignee_group_id": {"$exists": False}},
        ]}
    return {"$or": [
        {"assignee_user_id": viewer.user_id},
        {"assignee_user_id": {"$exists": False},
         "assignee_group_id": {"$in": sorted(viewer.group_ids)}},
    ]}
