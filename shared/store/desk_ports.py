"""The desk port (``services/task_sync/application/desk_ports.py``) over MongoDB."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from shared.domain.desk import Fact, Notice, Timer
from shared.domain.routing import AgentState, GroupPolicy
from shared.domain.sla import Clock
from shared.domain.tasks import Task
from shared.store import held, notices, routing, sla, timers
from shared.store.mongo import Database

MODULES = (routing, sla, timers, held, notices)


async def ensure_indexes(db: Database) -> None:
    for module in MODULES:
        await module.ensure_indexes(db)


class MongoDesk:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.armed = asyncio.Event()
        self.planned_wake: datetime | None = None

    async def policy(self, group_id: str) -> GroupPolicy:
        return await routing.policy(self._db, group_id)

    async def policies(self) -> list[GroupPolicy]:
        return await routing.policies(self._db)

    async def save_policy(self, policy: GroupPolicy) -> None:
        await routing.save_policy(self._db, policy)

    async def agents(self, user_ids: list[str]) -> dict[str, AgentState]:
        return await routing.agents(self._db, user_ids)

    async def save_agent(self, state: AgentState) -> None:
        await routing.save_agent(self._db, state)

    async def members(self, group_id: str) -> list[str]:
        return await routing.members(self._db, group_id)

    async def open_counts(self, user_ids: list[str], open_statuses: list[str]
                          ) -> dict[str, int]:
        return await routing.open_counts(self._db, user_ids, open_statuses)

    async def queued(self, group_id: str, status: str, limit: int = 50) -> list[Task]:
        return await routing.queued(self._db, group_id, status, limit)

    async def cursor(self, group_id: str) -> tuple[str | None, int]:
        return await routing.cursor(self._db, group_id)

    async def advance(self, group_id: str, seq: int, user_id: str) -> bool:
        return await routing.advance(self._db, group_id, seq, user_id)

    async def clock(self, task_id: str) -> Clock | None:
        return await sla.clock(self._db, task_id)

    async def save_clock(self, clock: Clock) -> bool:
        return await sla.save_clock(self._db, clock)

    async def show_deadline(self, task_id: str, due_at: datetime | None,
                            kind: str | None) -> None:
        await sla.show_deadline(self._db, task_id, due_at, kind)

    async def add_fact(self, fact: Fact) -> None:
        await sla.add_fact(self._db, fact)

    async def facts(self, since: datetime, until: datetime) -> list[Fact]:
        return await sla.facts(self._db, since, until)

    async def arm(self, key: str, kind: str, due_at: datetime, *, task_id: str | None = None,
                  group_id: str | None = None, user_id: str | None = None) -> None:
        await timers.arm(self._db, key, kind, due_at, task_id=task_id, group_id=group_id,
                         user_id=user_id)
        if self.planned_wake is None or due_at < self.planned_wake:
            self.armed.set()

    async def cancel(self, key: str) -> None:
        await timers.cancel(self._db, key)

    async def claim_due(self, now: datetime, lease: timedelta) -> Timer | None:
        return await timers.claim_due(self._db, now, lease)

    async def finish(self, timer: Timer) -> None:
        await timers.finish(self._db, timer)

    async def next_due(self) -> datetime | None:
        return await timers.next_due(self._db)

    async def hold(self, comment_id: str, chat_key: str, task_id: str, order: int) -> None:
        await held.remember(self._db, comment_id, chat_key, task_id, order)

    async def held_of_chat(self, chat_key: str) -> list[dict[str, Any]]:
        return await held.of_chat(self._db, chat_key)

    async def forget_held(self, comment_id: str) -> None:
        await held.forget(self._db, comment_id)

    async def release_held(self, comment_id: str) -> bool:
        return await held.release(self._db, comment_id)

    async def cancel_held(self, comment_id: str) -> bool:
        return await held.cancel(self._db, comment_id)

    async def notify(self, notice: Notice) -> None:
        await notices.add(self._db, notice)

    async def notices_of(self, user_id: str, limit: int = 50) -> list[Notice]:
        return await notices.of_user(self._db, user_id, limit)

    async def unread_notices(self, user_id: str) -> int:
        return await notices.unread_count(self._db, user_id)

    async def mark_notices_read(self, user_id: str, ids: list[str] | None) -> int:
        return await notices.mark_read(self._db, user_id, ids)
