"""The timers collection: arming moves the one timer, a due timer is claimed by one caller
only and comes due again after its lease, and a timer armed again while it fired stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from shared import events
from shared.store import timers

LEASE = timedelta(seconds=30)


async def test_arming_twice_keeps_one_timer_at_the_later_time(db: Any) -> None:
    await timers.ensure_indexes(db)
    now = events.utcnow()
    await timers.arm(db, "sla:t1", "sla", now + timedelta(minutes=5), task_id="t1")
    await timers.arm(db, "sla:t1", "sla", now + timedelta(minutes=9), task_id="t1")

    stored = await timers.get(db, "sla:t1")
    assert stored is not None and stored.seq == 2 and stored.task_id == "t1"
    assert abs((stored.due_at - (now + timedelta(minutes=9))).total_seconds()) < 0.01
    assert await db.timers.count_documents({}) == 1


async def test_a_due_timer_is_claimed_once_earliest_first_and_not_a_future_one(db: Any) -> None:
    await timers.ensure_indexes(db)
    now = events.utcnow()
    await timers.arm(db, "b", "idle", now - timedelta(seconds=1))
    await timers.arm(db, "a", "idle", now - timedelta(seconds=5))
    await timers.arm(db, "later", "idle", now + timedelta(hours=1))

    claims = await asyncio.gather(*(timers.claim_due(db, now, LEASE) for _ in range(4)))

    assert sorted(t.id for t in claims if t) == ["a", "b"]
    assert await timers.claim_due(db, now, LEASE) is None
    assert (await timers.next_due(db)) is not None


async def test_a_claimed_timer_comes_due_again_after_its_lease(db: Any) -> None:
    now = events.utcnow()
    await timers.arm(db, "k", "drain", now, group_id="g1")
    first = await timers.claim_due(db, now, LEASE)
    assert first is not None and first.group_id == "g1"

    again = await timers.claim_due(db, now + LEASE + timedelta(seconds=1), LEASE)

    assert again is not None and again.id == "k" and again.attempts == 2


async def test_finishing_keeps_a_timer_armed_again_while_it_fired(db: Any) -> None:
    now = events.utcnow()
    await timers.arm(db, "k", "drain", now)
    claimed = await timers.claim_due(db, now, LEASE)
    assert claimed is not None
    await timers.arm(db, "k", "drain", now + timedelta(seconds=2))

    await timers.finish(db, claimed)

    assert await timers.get(db, "k") is not None
    again = await timers.claim_due(db, now + timedelta(seconds=3), LEASE)
    assert again is not None
    await timers.finish(db, again)
    assert await timers.get(db, "k") is None


async def test_a_timer_due_later_within_the_same_second_is_not_handed_out_early(db: Any) -> None:
    """The stand-in compares the stored stamps to the second; a timer a fraction of a second
    in the future stays armed as it was (an SLA breach fired early found nothing to report
    and was lost)."""
    await timers.ensure_indexes(db)
    now = events.utcnow().replace(microsecond=100_000)
    due = now.replace(microsecond=800_000)
    await timers.arm(db, "sla:t2", "sla", due, task_id="t2")

    assert await timers.claim_due(db, now, LEASE) is None

    stored = await timers.get(db, "sla:t2")
    assert stored is not None and stored.attempts == 0
    assert abs((stored.due_at - due).total_seconds()) < 0.001
    claimed = await timers.claim_due(db, due, LEASE)
    assert claimed is not None and claimed.id == "sla:t2" and claimed.attempts == 1
