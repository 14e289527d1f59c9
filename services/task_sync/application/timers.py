"""The durable timers' scheduler: one cheap loop per task-sync replica.

It claims due timers one at a time (``Desk.claim_due``: an atomic find-and-modify on the
due-time index that leases the timer), fires each through the table below, and finishes it.
Then it sleeps until the earliest due time, a timer armed here, or at most
WABRIDGE_TIMER_MAX_NAP_SECONDS (what other replicas armed): one indexed read per wake-up,
never a loop per task. A replica that dies mid-fire loses nothing: the lease runs out and the
timer is due again (handlers check the task's state as it is now, so a repeat does nothing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from services.task_sync.application import idle, routing, sla, window_deadline
from services.task_sync.deps import Deps
from shared import events
from shared.batching import first_of
from shared.domain.desk import Timer
from shared.errors import RetryableError
from shared.logs import get_logger
from shared.metrics import TIMER_LAG_SECONDS, TIMERS_FIRED

log = get_logger(__name__)
Fire = Callable[[Deps, Timer], Awaitable[None]]
ROUND_MAX = 200  # timers fired before looking at the clock again

FIRE: dict[str, Fire] = {
    "drain": routing.fire_drain,
    "idle": idle.fire,
    "sla": sla.fire_breach,
    "window.remind": window_deadline.fire_remind,
    "window.close": window_deadline.fire_close,
}


async def fire_due(deps: Deps) -> int:
    """Fire what is due now; how many fired."""
    desk = deps.desk
    if desk is None:
        return 0
    lease = timedelta(seconds=deps.settings.wabridge_timer_lease_seconds)
    fired = 0
    while fired < ROUND_MAX:
        now = events.utcnow()
        timer = await desk.claim_due(now, lease)
        if timer is None:
            break
        fired += 1
        TIMER_LAG_SECONDS.observe(max(0.0, (now - timer.due_at).total_seconds()))
        handler = FIRE.get(timer.kind)
        try:
            if handler is None:
                log.error("timer of an unknown kind dropped", timer=timer.id, kind=timer.kind)
            else:
                await handler(deps, timer)
        except Exception as exc:  # it comes due again after its lease, later each time
            TIMERS_FIRED.labels(timer.kind, "failed").inc()
            report = log.warning if isinstance(exc, RetryableError) else log.exception
            report("timer failed; it fires again later", timer=timer.id, reason=str(exc),
                   attempts=timer.attempts)
            continue
        TIMERS_FIRED.labels(timer.kind, "done").inc()
        await desk.finish(timer)
    return fired


async def run_scheduler(deps: Deps, stop: asyncio.Event) -> None:
    """Fire due timers until ``stop``; sleep until the next one comes due."""
    desk = deps.desk
    if desk is None:
        return
    max_nap = deps.settings.wabridge_timer_max_nap_seconds
    while not stop.is_set():
        desk.armed.clear()
        desk.planned_wake = None  # whatever is armed while we look wakes us
        nap = max_nap
        try:
            if await fire_due(deps) >= ROUND_MAX:
                continue
            due = await desk.next_due()
            if due is not None:
                nap = min(max_nap, max(0.0, (due - events.utcnow()).total_seconds()))
        except RetryableError as exc:
            log.warning("timers not read; trying again soon", reason=str(exc))
            nap = min(max_nap, 2.0)
        except Exception:  # a scheduler that dies silently would stop every deadline
            log.exception("timer scheduler failed; trying again soon")
            nap = min(max_nap, 2.0)
        desk.planned_wake = events.utcnow() + timedelta(seconds=nap)
        await first_of(stop, desk.armed, timeout=nap)
