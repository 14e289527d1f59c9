"""task-sync: owns tasks and comments, applies the bot's commands, serves the operator API.
Composition root only."""

from __future__ import annotations

import asyncio
from functools import partial

from services.task_sync.api_common import install_operator_api
from services.task_sync.api_routes import add_operator_routes
from services.task_sync.application.activity import run_activity_writer
from services.task_sync.application.outgoing import run_clearer, run_sweeper
from services.task_sync.application.reconcile import run_reconciler
from services.task_sync.application.text_indexer import run_text_indexer
from services.task_sync.application.timers import run_scheduler
from services.task_sync.console_static import routes as console_routes
from services.task_sync.first_form_wiring import with_task_system
from services.task_sync.handlers import handle
from services.task_sync.live_follow import follow
from services.task_sync.seed import prepare
from services.task_sync.wiring import builtin_deps
from shared.channels_config import load_channels
from shared.config import TaskSyncSettings, load
from shared.runtime import Connections, main_entry, new_app, retry_policy, serve_until_stopped
from shared.store import (
    accounts,
    audit,
    comments,
    desk_ports,
    directory,
    files,
    inbox,
    revisions,
    search_index,
    tasks,
)
from shared.store.search_index import MongoTextIndex
from shared.worker import Worker


async def run() -> None:
    settings = load(TaskSyncSettings)
    conns = await Connections.open(settings)
    for module in (tasks, comments, directory, files, revisions, inbox, accounts, audit,
                   search_index):
        await module.ensure_indexes(conns.db)
    await desk_ports.ensure_indexes(conns.db)  # routing, deadlines, timers (issue 13)
    robot_id, group_bot_id = await prepare(conns.db, settings)
    deps = builtin_deps(conns.db, conns.bus, settings, robot_user_id=robot_id,
                        group_bot_user_id=group_bot_id,
                        connections=load_channels(required=False))
    # WABRIDGE_TASK_SYSTEM=first_form: First Form behind the port, and its poller (issue 15)
    deps, task_system_jobs, cleanup = await with_task_system(conns.db, deps, settings)
    workers = [
        Worker(conns.bus, spec, partial(handle, deps), policy=retry_policy(settings),
               prefetch=settings.wabridge_prefetch)
        for spec in conns.bus.topology.queues_of("task_sync")
    ]
    app = new_app(conns)
    install_operator_api(app, deps)
    add_operator_routes(app)
    console_routes(app)  # the operator console at /, after the API

    async def sweeper(stop: asyncio.Event) -> None:
        await run_sweeper(deps, stop)

    async def reconciler(stop: asyncio.Event) -> None:
        await run_reconciler(deps, stop)

    async def clearer(stop: asyncio.Event) -> None:
        await run_clearer(deps, stop)

    async def activity_writer(stop: asyncio.Event) -> None:
        await run_activity_writer(deps, stop)

    async def timers(stop: asyncio.Event) -> None:  # durable timers (issue 13)
        await run_scheduler(deps, stop)

    async def text_indexer(stop: asyncio.Event) -> None:  # the text search's words (issue 9)
        await run_text_indexer(MongoTextIndex(conns.db), stop)

    async def live_updates(stop: asyncio.Event) -> None:
        await follow(deps, conns.bus, stop, settings.wabridge_robot_user)

    await serve_until_stopped("task-sync", settings, settings.task_sync_port, app, workers,
                              conns, background=[sweeper, clearer, reconciler, activity_writer,
                                                 live_updates, timers, text_indexer,
                                                 *task_system_jobs],
                              cleanup=cleanup)


if __name__ == "__main__":
    main_entry("task-sync", run)
