"""What the inbox and the consoles learn of: each message's activity on its task (written
together a moment later), and the changes people and the routing rule make (announced on the
bus, so every task-sync replica's consoles hear of them)."""

from __future__ import annotations

import asyncio

import msgspec

from services.task_sync.deps import Deps
from shared import events
from shared.batching import run_batched_writes
from shared.domain.comments import Comment
from shared.domain.inbox import Activity, preview_of
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
WRITE_EVERY_S = 0.5
_encoder = msgspec.msgpack.Encoder()


def note_comments(deps: Deps, comments: list[Comment]) -> None:
    """New messages in their tasks: the inbox shows the latest, and counts the customer's."""
    for comment in comments:
        deps.activity.add(Activity(
            task_id=comment.task_id, at=comment.at, direction=comment.direction,
            author_kind=comment.author_kind,
            preview=preview_of(comment.text, comment.content_type),
            inbound=1 if comment.direction == "in" else 0,
            inbound_at=comment.at if comment.direction == "in" else None))


async def write_activity(deps: Deps) -> None:
    taken = deps.activity.take()
    if not taken:
        return
    try:
        await deps.inbox.record_activity(taken)
    except RetryableError:
        for item in taken:  # kept for the next write
            deps.activity.add(item)
        raise


async def run_activity_writer(deps: Deps, stop: asyncio.Event) -> None:
    """Write noted activity a few times a second while there is any (a crash before a write
    only delays a task's place in the inbox until its next message)."""
    await run_batched_writes(stop, deps.activity.has_items, lambda: write_activity(deps),
                             every_s=WRITE_EVERY_S, what="task activity")


async def announce(deps: Deps, kind: str, task: Task, cause_id: str,
                   comment: Comment | None = None) -> None:
    """Tell every replica's consoles what changed (best effort: the lists reload anyway)."""
    event = events.TaskActivity(
        id=events.derive_id("activity", kind, cause_id), correlation_id=cause_id,
        occurred_at=events.utcnow(), task_id=task.id, kind=kind,  # type: ignore[arg-type]
        task=_encoder.encode(task),
        comment=_encoder.encode(comment) if comment is not None else None)
    try:
        await deps.bus.publish(event)
    except RetryableError as exc:
        log.warning("console update not announced; consoles see it on their next reload",
                    task_id=task.id, kind=kind, reason=str(exc))

