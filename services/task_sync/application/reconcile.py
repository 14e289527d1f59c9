"""Reconciliation: no comment stays ``queued`` for good without saying why.

An outgoing comment normally leaves ``queued`` within seconds: sent, waiting (with the reason)
or failed. One still queued after WABRIDGE_RECONCILE_AFTER_SECONDS lost its result somewhere
(an event dead-lettered while the comment was not recorded yet, a crash in between). Its sends
are asked about: outbound-sender answers from its records with the result (sent, with the
gateway's id; failed, with the reason), why it still waits, or that it never reached the send
queue (failed, resendable). The answers arrive as ordinary send results.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec

from services.task_sync.application.outgoing import remaining_sends
from services.task_sync.deps import Deps
from shared import events
from shared.batching import first_of
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
EVERY_S = 60.0


async def reconcile_once(deps: Deps) -> int:
    """Ask about the sends of every comment queued too long; returns how many were asked."""
    cutoff = events.utcnow() - timedelta(seconds=deps.settings.wabridge_reconcile_after_seconds)
    asked = 0
    for comment in await deps.tasks.unsettled_comments(cutoff):
        task = await deps.tasks.get_task(comment.task_id)
        if task is None or comment.send_id is None:
            continue
        questions = [msgspec.structs.replace(cmd, reconcile=True)
                     for cmd in await remaining_sends(deps, task, comment)]
        await deps.bus.publish_all(questions)
        asked += len(questions)
        log.warning("comment still queued without a send result; asking the sender",
                    comment_id=comment.id, task_id=task.id, queued_since=comment.at.isoformat())
    return asked


async def run_reconciler(deps: Deps, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await reconcile_once(deps)
        except RetryableError as exc:
            log.warning("reconciliation round failed; trying again next round", reason=str(exc))
        except Exception:  # a reconciler that dies silently would let comments lie for good
            log.exception("reconciliation round failed unexpectedly")
        await first_of(stop, timeout=min(EVERY_S, deps.settings.wabridge_reconcile_after_seconds))
