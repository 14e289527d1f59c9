"""What the API modules share: the app key of the dependencies and common lookups."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.deps import Deps
from services.task_sync.http_json import problem
from shared.store import tasks

DEPS = web.AppKey("deps", Deps)


async def task_or_404(deps: Deps, task_id: str) -> tasks.Task:
    task = await tasks.get(deps.db, task_id)
    if task is None:
        raise problem(404, "not_found", f"no task {task_id}")
    return task
