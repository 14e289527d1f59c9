"""Publishing what the API recorded: at once, and again by a sweeper if the first try failed.

A manager's comment and a status change are written first, with an outbox flag on the same
document (single-document atomic), then published with confirms, then the flag is cleared. If
the process dies in between, the sweeper finds the flag and publishes again; the consumers drop
the repeat by id.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.task_sync.deps import Deps
from services.task_sync.sending import sends_for
from shared import events
from shared.errors import RetryableError
from shared.logs import get_logger
from shared.store import comments, files, tasks

log = get_logger(__name__)


def status_event(deps: Deps, task: tasks.Task) -> events.TaskStatusChanged:
    return events.TaskStatusChanged(
        id=events.derive_id("status", task.id, str(task.status_version)), correlation_id=task.id,
        occurred_at=task.updated_at, task_id=task.id, conversation_id=task.conversation_id,
        chat=task.chat, status=task.status,
        state=deps.conversation_state(task.status))  # type: ignore[arg-type]


async def publish_sends(deps: Deps, comment_id: str, commands: list[events.SendMessage]) -> bool:
    """Publish a comment's sends; False (left for the sweeper) when the broker did not confirm."""
    try:
        for command in commands:  # in order: the parts of one comment arrive in sequence
            await deps.bus.publish(command)
    except RetryableError as exc:
        log.warning("send not published yet; the outbox sweeper will retry",
                    comment_id=comment_id, reason=str(exc))
        deps.outbox_pending.set()
        return False
    await comments.clear_outbox(deps.db, comment_id)
    return True


async def publish_status(deps: Deps, task: tasks.Task) -> bool:
    try:
        await deps.bus.publish(status_event(deps, task))
    except RetryableError as exc:
        log.warning("status change not published yet; the outbox sweeper will retry",
                    task_id=task.id, reason=str(exc))
        deps.outbox_pending.set()
        return False
    await tasks.announced(deps.db, task.id, task.status_version)
    return True


async def sweep_once(deps: Deps) -> int:
    """Publish whatever the API recorded but could not publish; returns how many."""
    grace = timedelta(seconds=deps.settings.wabridge_outbox_sweep_seconds)
    done = 0
    unannounced: set[str] = set()
    # status changes first: a dialogue started from our side is announced to bot-router
    # before its first message goes out
    for pending in await tasks.pending_announcements(deps.db):
        if events.utcnow() - pending.updated_at < grace:
            unannounced.add(pending.id)
        elif await publish_status(deps, pending):
            done += 1
        else:
            unannounced.add(pending.id)
    for comment in await comments.pending_outbox(deps.db, events.utcnow() - grace):
        task = await tasks.get(deps.db, comment.task_id)
        if task is None or comment.send_id is None or task.id in unannounced:
            continue
        reply_to = None
        if comment.reply_to_comment_id:
            target = await comments.get(deps.db, comment.reply_to_comment_id)
            reply_to = target.gateway_message_id if target else None
        attachments = await files.of_comment(deps.db, comment.id)
        received = (await comments.sent_parts(deps.db, comment) if comment.send_attempt
                    else set())
        commands = [c for c in sends_for(deps, task, comment, attachments, reply_to)
                    if c.part not in received]
        done += await publish_sends(deps, comment.id, commands)
    return done


async def run_sweeper(deps: Deps, stop: asyncio.Event) -> None:
    """Sweep at start (what a crashed process left), soon after a publish here failed, and
    every WABRIDGE_OUTBOX_SAFETY_SWEEP_SECONDS for what another replica left behind; no
    polling queries in between."""
    settings = deps.settings
    while not stop.is_set():
        deps.outbox_pending.clear()
        try:
            count = await sweep_once(deps)
            if count:
                log.info("outbox sweeper published what was pending", published=count)
        except RetryableError as exc:
            deps.outbox_pending.set()
            log.warning("outbox sweep failed; trying again soon", reason=str(exc))
        except Exception:  # a sweeper that dies silently would leave sends unpublished
            deps.outbox_pending.set()
            log.exception("outbox sweep failed unexpectedly; trying again soon")
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(
            deps.outbox_pending.wait())]
        await asyncio.wait(waits, timeout=settings.wabridge_outbox_safety_sweep_seconds,
                           return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
        if deps.outbox_pending.is_set() and not stop.is_set():
            # let the broker come back before trying again (and the grace period pass)
            try:
                await asyncio.wait_for(stop.wait(), settings.wabridge_outbox_sweep_seconds)
            except TimeoutError:
                pass
