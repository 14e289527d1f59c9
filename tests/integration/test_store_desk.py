"""The desk's stores on the database: a clock saved only over the version it was read at,
the deadline shown on the task and the inbox's "due soonest" order, a held reply leaving
``held`` exactly once, the round-robin cursor moved once per turn, and report facts by period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from shared import events
from shared.domain.access import Viewer
from shared.domain.comments import Comment, order_of
from shared.domain.desk import Fact
from shared.domain.inbox import InboxQuery
from shared.domain.routing import AgentState, GroupPolicy
from shared.domain.sla import Clock
from shared.store import comments, inbox, tasks
from shared.store.desk_ports import MongoDesk, ensure_indexes
from tests.fakes.task_sync import a_task

ADMIN = Viewer(user_id="usr-admin", role="admin")


async def test_a_clock_is_saved_only_over_the_version_it_was_read_at(db: Any) -> None:
    desk = MongoDesk(db)
    await ensure_indexes(db)
    first = Clock(task_id="t1", state="waiting", due_at=events.utcnow())
    assert await desk.save_clock(first)
    stored = await desk.clock("t1")
    assert stored is not None and stored.seq == 1 and stored.due_at is not None

    assert await desk.save_clock(msgspec.structs.replace(stored, breached=True))
    assert not await desk.save_clock(msgspec.structs.replace(stored, state="answered"))
    again = await desk.clock("t1")
    assert again is not None and again.breached and again.state == "waiting"


async def test_due_soonest_lists_tasks_with_a_deadline_in_order_and_pages(db: Any) -> None:
    desk = MongoDesk(db)
    now = events.utcnow()
    for n, minutes in enumerate((30, 5, 15)):
        await tasks.create(db, a_task(f"t{n}", at=now))
        await desk.show_deadline(f"t{n}", now + timedelta(minutes=minutes), "first")
    await tasks.create(db, a_task("t-none", at=now))
    await desk.show_deadline("t2", None, None)  # answered: no deadline any more

    query = InboxQuery(viewer=ADMIN, view="all", open_statuses=(a_task().status,),
                       closed_status="closed", sort="due", limit=1)
    first = await inbox.find(db, query)
    assert [t.id for t in first] == ["t1"] and first[0].sla_kind == "first"
    due = first[0].sla_due_at
    assert due is not None
    rest = await inbox.find(db, msgspec.structs.replace(query, limit=10, before=(
        due.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "t1")))
    assert [t.id for t in rest] == ["t0"]


async def test_a_held_reply_is_released_or_withdrawn_once(db: Any) -> None:
    desk = MongoDesk(db)
    now = events.utcnow()
    for cid in ("c1", "c2"):
        await comments.insert(db, Comment(
            id=cid, task_id="t1", order=order_of(now), at=now, author_kind="user",
            direction="out", text="later", delivery="held", delivery_rank=0))
        await desk.hold(cid, "ch:whatsapp:7901", "t1", order_of(now))
    assert [h["_id"] for h in await desk.held_of_chat("ch:whatsapp:7901")] == ["c1", "c2"]

    assert await desk.release_held("c1") and not await desk.cancel_held("c1")
    assert await desk.cancel_held("c2") and not await desk.release_held("c2")
    released = await comments.get(db, "c1")
    assert released is not None and released.delivery == "queued" and released.outbox
    assert [c.id for c in await comments.pending_outbox(db, now + timedelta(seconds=1))] == ["c1"]


async def test_the_cursor_moves_once_per_turn_and_states_and_policies_round_trip(
    db: Any,
) -> None:
    desk = MongoDesk(db)
    last, seq = await desk.cursor("g1")
    assert (last, seq) == (None, 0)
    assert await desk.advance("g1", seq, "u1")
    assert not await desk.advance("g1", seq, "u2")
    assert await desk.cursor("g1") == ("u1", 1)

    await desk.save_agent(AgentState(user_id="u1", availability="away", capacity=3))
    states = await desk.agents(["u1", "u2"])
    assert states["u1"].availability == "away" and states["u1"].capacity == 3
    assert states["u2"] == AgentState(user_id="u2")
    policy = msgspec.json.decode(
        b'{"group_id": "g1", "mode": "least_open", "first_response_minutes": 30, "calendar":'
        b' {"timezone": "Europe/Moscow", "holidays_country": "RU", "closed_dates":'
        b' ["2026-12-31"], "hours": [{"day": "mon", "start": "09:00", "end": "18:00"}]}}',
        type=GroupPolicy)
    await desk.save_policy(policy)
    assert await desk.policy("g1") == policy


async def test_report_facts_are_read_by_period_and_a_repeat_adds_nothing(db: Any) -> None:
    desk = MongoDesk(db)
    now = events.utcnow()
    fact = Fact(id="f1", kind="response", at=now, task_id="t1", group_id="g1", met=True,
                business_s=12.5)
    await desk.add_fact(fact)
    await desk.add_fact(fact)
    await desk.add_fact(Fact(id="f0", kind="closed", at=now - timedelta(days=9), task_id="t0"))

    found = await desk.facts(now - timedelta(days=1), now + timedelta(seconds=1))
    assert [(f.id, f.met, f.business_s) for f in found] == [("f1", True, 12.5)]
