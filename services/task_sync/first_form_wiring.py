"""task-sync with First Form as the task system (WABRIDGE_TASK_SYSTEM=first_form).

The built-in ports stay (directory, files, inbox, accounts...); the task system becomes the
First Form adapter, whose projection is the built-in collections, and a background job polls
First Form for what people write and change there (one replica at a time, by a lease).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import aiohttp

from services.task_sync.application.people_feed import Job, people_feed_job
from services.task_sync.deps import Deps
from shared import events
from shared.config import ConfigError, TaskSyncSettings
from shared.first_form import options
from shared.first_form.client import FirstFormClient
from shared.first_form.task_system import FirstFormTaskSystem
from shared.store import first_form_ids
from shared.store.builtin_ports import MongoFiles
from shared.store.mongo import Database

FEED_LEASE = "first_form_feed"


def first_form_system(db: Database, settings: TaskSyncSettings,
                      session: aiohttp.ClientSession) -> FirstFormTaskSystem:
    try:
        opts = options.from_settings(settings)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return FirstFormTaskSystem(db, FirstFormClient(session, opts), opts, MongoFiles(db),
                               max_file_bytes=settings.wabridge_upload_max_bytes)


async def wire(db: Database, deps: Deps, settings: TaskSyncSettings,
               session: aiohttp.ClientSession) -> tuple[Deps, Job]:
    """``deps`` with First Form as the task system, and the job that polls it."""
    system = first_form_system(db, settings, session)
    await first_form_ids.ensure_indexes(db)
    holder = events.new_id()
    # a crashed poller's replica is replaced after this; two pollers for a moment are harmless
    # (what they pick up is recorded once), so it is kept short
    lease_s = max(10.0, 5 * settings.first_form_poll_seconds)

    async def leader() -> bool:
        return await first_form_ids.hold_lease(db, FEED_LEASE, holder, events.utcnow(), lease_s)

    wired = dataclasses.replace(deps, tasks=system)
    return wired, people_feed_job(wired, system, every_s=settings.first_form_poll_seconds,
                                  leader=leader)


async def with_task_system(db: Database, deps: Deps, settings: TaskSyncSettings
                           ) -> tuple[Deps, list[Job], list[Callable[[], Awaitable[None]]]]:
    """The composition root's choice by WABRIDGE_TASK_SYSTEM: ``deps`` as they are (builtin),
    or with First Form, its polling job and the HTTP session to close at stop."""
    if settings.wabridge_task_system != "first_form":
        return deps, [], []
    session = aiohttp.ClientSession()
    wired, job = await wire(db, deps, settings, session)
    return wired, [job], [session.close]
