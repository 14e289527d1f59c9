"""An in-memory ``Desk`` (``services/task_sync/application/desk_ports.py``), mirroring
``shared/store/desk_ports.py`` where the use cases rely on it: timers keyed and versioned,
clocks stored with their version as a precondition, held replies moved out of ``held`` once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import msgspec

from shared.domain.desk import Fact, Notice, Timer
from shared.domain.routing import AgentState, GroupPolicy, default_policy
from shared.domain.sla import Clock
from shared.domain.tasks import Task
from tests.fakes.task_sync import FakeDirectory, FakeTaskSystem


class FakeDesk:
    def __init__(self, tasks: FakeTaskSystem, directory: FakeDirectory) -> None:
        self._tasks = tasks
        self._directory = directory
        self.armed = asyncio.Event()
        self.planned_wake: datetime | None = None
        self.group_policies: dict[str, GroupPolicy] = {}
        self.states: dict[str, AgentState] = {}
        self.cursors: dict[str, tuple[str | None, int]] = {}
        self.clocks: dict[str, Clock] = {}
        self.deadlines: dict[str, tuple[datetime, str]] = {}
        self.fact_log: dict[str, Fact] = {}
        self.timers: dict[str, Timer] = {}
        self.held: dict[str, dict[str, Any]] = {}
        self.notices: list[Notice] = []

    async def policy(self, group_id: str) -> GroupPolicy:
        return self.group_policies.get(group_id) or default_policy(group_id)

    async def policies(self) -> list[GroupPolicy]:
        return list(self.group_policies.values())

    async def save_policy(self, policy: GroupPolicy) -> None:
        self.group_policies[policy.group_id] = policy

    async def agents(self, user_ids: list[str]) -> dict[str, AgentState]:
        return {u: self.states.get(u) or AgentState(user_id=u) for u in user_ids}

    async def save_agent(self, state: AgentState) -> None:
        self.states[state.user_id] = state

    async def members(self, group_id: str) -> list[str]:
        return sorted(u.id for u in self._directory.users.values() if group_id in u.group_ids)

    async def open_counts(self, user_ids: list[str], open_statuses: list[str]
                          ) -> dict[str, int]:
        return {u: sum(1 for t in self._tasks.tasks.values()
                       if t.assignee_user_id == u and t.status in open_statuses)
                for u in user_ids}

    async def queued(self, group_id: str, status: str, limit: int = 50) -> list[Task]:
        found = [t for t in self._tasks.tasks.values() if t.assignee_group_id == group_id
                 and t.status == status and t.assignee_user_id is None]
        return sorted(found, key=lambda t: (t.created_at, t.id))[:limit]

    async def cursor(self, group_id: str) -> tuple[str | None, int]:
        return self.cursors.get(group_id, (None, 0))

    async def advance(self, group_id: str, seq: int, user_id: str) -> bool:
        if self.cursors.get(group_id, (None, 0))[1] != seq:
            return False
        self.cursors[group_id] = (user_id, seq + 1)
        return True

    async def clock(self, task_id: str) -> Clock | None:
        return self.clocks.get(task_id)

    async def save_clock(self, clock: Clock) -> bool:
        stored = self.clocks.get(clock.task_id)
        if (stored.seq if stored else 0) != clock.seq:
            return False
        self.clocks[clock.task_id] = msgspec.structs.replace(clock, seq=clock.seq + 1)
        return True

    async def show_deadline(self, task_id: str, due_at: datetime | None,
                            kind: str | None) -> None:
        task = self._tasks.tasks.get(task_id)
        if task is not None:
            self._tasks.tasks[task_id] = msgspec.structs.replace(task, sla_due_at=due_at,
                                                                 sla_kind=kind)

    async def add_fact(self, fact: Fact) -> None:
        self.fact_log.setdefault(fact.id, fact)

    async def facts(self, since: datetime, until: datetime) -> list[Fact]:
        return sorted((f for f in self.fact_log.values() if since <= f.at < until),
                      key=lambda f: f.at)

    async def arm(self, key: str, kind: str, due_at: datetime, *, task_id: str | None = None,
                  group_id: str | None = None, user_id: str | None = None) -> None:
        seq = self.timers[key].seq + 1 if key in self.timers else 1
        self.timers[key] = Timer(id=key, kind=kind, due_at=due_at, task_id=task_id,
                                 group_id=group_id, user_id=user_id, seq=seq)
        self.armed.set()

    async def cancel(self, key: str) -> None:
        self.timers.pop(key, None)

    async def claim_due(self, now: datetime, lease: timedelta) -> Timer | None:
        due = sorted((t for t in self.timers.values() if t.due_at <= now),
                     key=lambda t: (t.due_at, t.id))
        if not due:
            return None
        timer = due[0]
        self.timers[timer.id] = msgspec.structs.replace(timer, due_at=now + lease,
                                                        attempts=timer.attempts + 1)
        return msgspec.structs.replace(timer, attempts=timer.attempts + 1)

    async def finish(self, timer: Timer) -> None:
        stored = self.timers.get(timer.id)
        if stored is not None and stored.seq == timer.seq:
            del self.timers[timer.id]

    async def next_due(self) -> datetime | None:
        return min((t.due_at for t in self.timers.values()), default=None)

    async def hold(self, comment_id: str, chat_key: str, task_id: str, order: int) -> None:
        self.held.setdefault(comment_id, {"_id": comment_id, "chat_key": chat_key,
                                          "task_id": task_id, "order": order})

    async def held_of_chat(self, chat_key: str) -> list[dict[str, Any]]:
        return sorted((h for h in self.held.values() if h["chat_key"] == chat_key),
                      key=lambda h: (h["order"], h["_id"]))

    async def forget_held(self, comment_id: str) -> None:
        self.held.pop(comment_id, None)

    async def release_held(self, comment_id: str) -> bool:
        return self._move(comment_id, delivery="queued", outbox=True)

    async def cancel_held(self, comment_id: str) -> bool:
        return self._move(comment_id, delivery="cancelled", deleted=True)

    def _move(self, comment_id: str, **fields: Any) -> bool:
        comment = self._tasks.comments.get(comment_id)
        if comment is None or comment.delivery != "held":
            return False
        self._tasks.comments[comment_id] = msgspec.structs.replace(comment, **fields)
        return True

    async def notify(self, notice: Notice) -> None:
        if all(n.id != notice.id for n in self.notices):
            self.notices.append(notice)

    async def notices_of(self, user_id: str, limit: int = 50) -> list[Notice]:
        return [n for n in reversed(self.notices) if n.user_id == user_id][:limit]

    async def unread_notices(self, user_id: str) -> int:
        return sum(1 for n in self.notices if n.user_id == user_id and not n.read)

    async def mark_notices_read(self, user_id: str, ids: list[str] | None) -> int:
        changed = 0
        for at, n in enumerate(self.notices):
            if n.user_id == user_id and not n.read and (ids is None or n.id in ids):
                self.notices[at] = msgspec.structs.replace(n, read=True)
                changed += 1
        return changed
