"""Publishing what the use cases recorded: at once, and again by the sweeper if that failed.

A person's comment and a status change are written first, with an outbox flag on the same
document (single-document atomic), then published with confirms (a comment's sends: queued in
their chat's send queue, see ``shared.send_queue``), then the flag is cleared. If the process
dies in between, the sweeper finds the flag and does it again; the consumers drop the repeat by
id, and a send queued before keeps its place.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.task_sync.deps import Deps
from shared import events
from shared.batching import first_of, run_batched_writes
from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord
from shared.domain.outgoing import sends_for
from shared.domain.tasks import Task, status_event
from shared.errors import RetryableError
from shared.logs import get_logger
from shared.providers import REGISTRY

log = get_logger(__name__)
CLEAR_EVERY_S = 0.5


def sends_of(deps: Deps, task: Task, comment: Comment, attachments: list[AttachmentRecord],
             reply_to_gateway_message_id: str | None,
             skip_parts: frozenset[int] = frozenset()) -> list[events.SendMessage]:
    """The comment's send commands through the task's gateway."""
    provider = REGISTRY.get(task.chat.provider)
    return sends_for(task, comment, attachments, reply_to_gateway_message_id,
                     signature=deps.settings.wabridge_manager_signature,
                     caption_with_media=bool(provider and provider.capabilities.caption_with_media),
                     skip_parts=skip_parts)


async def remaining_sends(deps: Deps, task: Task, comment: Comment) -> list[events.SendMessage]:
    """The sends of a recorded comment that the customer has not received yet (all of them
    unless this is a resend)."""
    reply_to = None
    if comment.reply_to_comment_id:
        target = await deps.tasks.get_comment(comment.reply_to_comment_id)
        reply_to = target.gateway_message_id if target else None
    attachments = await deps.tasks.attachments_of_comment(comment.id)
    received = (frozenset(await deps.tasks.sent_parts(comment)) if comment.send_attempt
                else frozenset())
    return sends_of(deps, task, comment, attachments, reply_to, skip_parts=received)


async def publish_sends(deps: Deps, comment_id: str, commands: list[events.SendMessage]) -> bool:
    """Queue a comment's sends at the end of their chat's queue (the publisher queues, then
    wakes the sender); False (left for the sweeper) when that failed."""
    try:
        if commands:
            await _queue_earlier_first(deps, commands[0].task_id, comment_id)
        for command in commands:  # in order: the parts of one comment arrive in sequence
            await deps.bus.publish(command)
    except RetryableError as exc:
        log.warning("send not queued yet; the outbox sweeper will retry",
                    comment_id=comment_id, reason=str(exc))
        deps.outbox.pending.set()
        return False
    deps.outbox.mark_published(comment_id)
    return True


async def _queue_earlier_first(deps: Deps, task_id: str, comment_id: str) -> None:
    """A comment posted earlier in the task whose sends could not be queued yet (the database
    failed a moment) goes first: the customer reads the task's messages in the order they were
    posted, whichever of them had to wait for the sweeper."""
    # of this task only: a hundred comments being published elsewhere cannot hide its own
    earlier = [c for c in await deps.tasks.unsent_people_comments(events.utcnow(), task_id)
               if c.id != comment_id and c.send_id is not None
               and c.id not in deps.outbox.published]
    if earlier and (own := await deps.tasks.get_comment(comment_id)) is not None:
        # only those posted before it: a later one still unsent goes after it, not ahead
        earlier = [c for c in earlier if c.order < own.order]
    if not earlier:
        return
    task = await deps.tasks.get_task(task_id)
    for comment in sorted(earlier, key=lambda c: c.order):
        if task is not None:
            for command in await remaining_sends(deps, task, comment):
                await deps.bus.publish(command)
            deps.outbox.mark_published(comment.id)


async def publish_status(deps: Deps, task: Task) -> bool:
    """Tell bot-router a task's status changed; False (left for the sweeper) on failure."""
    try:
        await deps.bus.publish(status_event(task, deps.statuses))
    except RetryableError as exc:
        log.warning("status change not published yet; the outbox sweeper will retry",
                    task_id=task.id, reason=str(exc))
        deps.outbox.pending.set()
        return False
    await deps.tasks.mark_announced(task.id, task.status_version)
    return True


async def sweep_once(deps: Deps) -> int:
    """Publish whatever was recorded but could not be published; returns how many."""
    await flush_published(deps)
    grace = timedelta(seconds=deps.settings.wabridge_outbox_sweep_seconds)
    done = 0
    unannounced: set[str] = set()
    # status changes first: a dialogue started from our side is announced to bot-router
    # before its first message goes out
    for pending in await deps.tasks.unannounced_tasks():
        if events.utcnow() - pending.updated_at < grace:
            unannounced.add(pending.id)
        elif await publish_status(deps, pending):
            done += 1
        else:
            unannounced.add(pending.id)
    for comment in await deps.tasks.unsent_people_comments(events.utcnow() - grace):
        task = await deps.tasks.get_task(comment.task_id)
        if task is None or comment.send_id is None or task.id in unannounced:
            continue
        done += await publish_sends(deps, comment.id, await remaining_sends(deps, task, comment))
    await flush_published(deps)
    return done


async def flush_published(deps: Deps) -> None:
    """Write the outbox clears gathered since the last flush, in one write."""
    taken = deps.outbox.take_published()
    if not taken:
        return
    try:
        await deps.tasks.mark_published(taken)
    except RetryableError:
        for comment_id in taken:  # kept for the next flush; the sweeper's grace covers it
            deps.outbox.mark_published(comment_id)
        raise


async def run_clearer(deps: Deps, stop: asyncio.Event) -> None:
    """Write outbox clears a few times a second while there are any."""
    await run_batched_writes(stop, deps.outbox.has_published, lambda: flush_published(deps),
                             every_s=CLEAR_EVERY_S, what="published marks")


async def run_sweeper(deps: Deps, stop: asyncio.Event) -> None:
    """Sweep at start (what a crashed process left), soon after a publish here failed, and
    every WABRIDGE_OUTBOX_SAFETY_SWEEP_SECONDS for what another replica left behind; no
    polling queries in between."""
    settings = deps.settings
    while not stop.is_set():
        deps.outbox.pending.clear()
        try:
            count = await sweep_once(deps)
            if count:
                log.info("outbox sweeper published what was pending", published=count)
        except RetryableError as exc:
            deps.outbox.pending.set()
            log.warning("outbox sweep failed; trying again soon", reason=str(exc))
        except Exception:  # a sweeper that dies silently would leave sends unpublished
            deps.outbox.pending.set()
            log.exception("outbox sweep failed unexpectedly; trying again soon")
        await first_of(stop, deps.outbox.pending,
                       timeout=settings.wabridge_outbox_safety_sweep_seconds)
        if deps.outbox.pending.is_set() and not stop.is_set():
            # let the broker come back before trying again (and the grace period pass)
            await first_of(stop, timeout=settings.wabridge_outbox_sweep_seconds)

