"""What people do inside an external task system (First Form), sent to WhatsApp and announced.

The task system's adapter polls it (``pick_up``) and records what it found in the projection,
comments with their outbox flag and status changes as pending announcements, so a crash before
the publishing below loses nothing: the outbox sweeper does it. Here the comments' sends are
queued at once and the consoles and bot-router are told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from services.task_sync.application.activity import announce, note_comments
from services.task_sync.application.outgoing import (
    publish_sends,
    publish_status,
    remaining_sends,
)
from services.task_sync.deps import Deps
from shared.batching import first_of
from shared.domain.comments import Comment
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class Picked(Protocol):
    comments: list[Comment]  # people's comments to send, recorded with the outbox flag
    tasks: list[Task]  # tasks whose status or assignee people changed there


class PeopleFeed(Protocol):
    async def pick_up(self) -> Picked: ...


async def send_picked(deps: Deps, picked: Picked) -> None:
    """Queue the sends of picked-up comments and announce changed tasks."""
    for comment in picked.comments:
        task = await deps.tasks.get_task(comment.task_id)
        if task is None:
            continue
        await publish_sends(deps, comment.id, await remaining_sends(deps, task, comment))
        note_comments(deps, [comment])
        await announce(deps, "comment.added", task, comment.id, comment)
    for task in picked.tasks:
        await publish_status(deps, task)
        await announce(deps, "task.updated", task, f"{task.id}:{task.status_version}")


async def run_people_feed(deps: Deps, feed: PeopleFeed, stop: asyncio.Event, *,
                          every_s: float, leader: Callable[[], Awaitable[bool]]) -> None:
    """Poll every ``every_s`` while this replica holds the lease (``leader``); failures are
    logged and the next round tries again (the task system's cursor keeps the place)."""
    while not stop.is_set():
        try:
            if await leader():
                await send_picked(deps, await feed.pick_up())
        except RetryableError as exc:
            log.warning("task system not polled this round; trying again", reason=str(exc))
        except Exception:  # a poller that dies silently would stop every manager's answers
            log.exception("task system poll failed unexpectedly; trying again")
        await first_of(stop, timeout=every_s)


def people_feed_job(deps: Deps, feed: PeopleFeed, *, every_s: float,
                    leader: Callable[[], Awaitable[bool]]) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await run_people_feed(deps, feed, stop, every_s=every_s, leader=leader)
    return job
