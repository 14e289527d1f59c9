"""task-sync: owns tasks and comments, applies the bot's commands, serves the operator API."""

from __future__ import annotations

import asyncio
from functools import partial

from services.task_sync import api, comments_api, conversations_api, directory_api, files_api
from services.task_sync.api_common import DEPS
from services.task_sync.auth import bearer_auth
from services.task_sync.deps import Deps
from services.task_sync.handlers import handle
from services.task_sync.outbox import run_sweeper
from services.task_sync.seed import prepare
from shared.channels_config import load_channels
from shared.config import TaskSyncSettings, load
from shared.runtime import Connections, main_entry, new_app, retry_policy, serve_until_stopped
from shared.store import comments, directory, files, revisions, tasks
from shared.worker import Worker


async def run() -> None:
    settings = load(TaskSyncSettings)
    conns = await Connections.open(settings)
    for module in (tasks, comments, directory, files, revisions):
        await module.ensure_indexes(conns.db)
    robot_id, group_bot_id = await prepare(conns.db, settings)
    deps = Deps(db=conns.db, bus=conns.bus, settings=settings, robot_user_id=robot_id,
                group_bot_user_id=group_bot_id, channels=load_channels(required=False))
    workers = [
        Worker(conns.bus, spec, partial(handle, deps), policy=retry_policy(settings),
               prefetch=settings.wabridge_prefetch)
        for spec in conns.bus.topology.queues_of("task_sync")
    ]
    app = new_app(conns)
    app.middlewares.append(bearer_auth(conns.db))
    app[DEPS] = deps
    api.routes(app)
    comments_api.routes(app)
    files_api.routes(app)
    conversations_api.routes(app)
    directory_api.routes(app)

    async def sweeper(stop: asyncio.Event) -> None:
        await run_sweeper(deps, stop)

    await serve_until_stopped("task-sync", settings, settings.task_sync_port, app, workers,
                              conns, background=[sweeper])


if __name__ == "__main__":
    main_entry("task-sync", run)
