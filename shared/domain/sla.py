"""A task's response clock: who owes the next word, and by when.

The clock runs while the customer waits for us (from the hand-over, or from their first
message after our last word) and counts business time of the group's calendar. It stops when
one of us answers (a response: first or next, met or breached), pauses while the task is closed
(what was used is kept; a reopened task resumes with the rest), and does not run while the last
word is ours. Pure: the application stores the clock and arms a timer at ``due_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.domain.calendar import add_business_time, business_seconds
from shared.domain.routing import GroupPolicy

State = Literal["answered", "waiting", "paused"]
Kind = Literal["first", "next"]


class Clock(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    task_id: str
    group_id: str | None = None
    state: State = "answered"
    kind: Kind = "first"
    waiting_since: datetime | None = None  # the customer's first unanswered word (or hand-over)
    resumed_at: datetime | None = None  # the current running stretch began
    used_s: float = 0.0  # business seconds used before ``resumed_at``
    target_s: float | None = None
    due_at: datetime | None = None
    breached: bool = False
    answered_first: bool = False
    opened_at: datetime | None = None  # handed over to people (resolution time runs from here)
    seq: int = 0  # changes with every stored version (optimistic concurrency)


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """One of our answers as the reports count it."""

    kind: Kind
    business_s: float
    wall_s: float
    target_s: float | None
    met: bool


def start_waiting(clock: Clock, policy: GroupPolicy, at: datetime,
                  channel_id: str | None = None) -> Clock:
    """The customer now waits for us (a no-op while they already do, or while paused); the
    target is the channel's own where the group sets one."""
    if clock.state != "answered":
        return clock
    kind: Kind = "next" if clock.answered_first else "first"
    target = policy.target_seconds(kind, channel_id)
    due = add_business_time(policy.calendar, at, target) if target is not None else None
    return msgspec.structs.replace(
        clock, group_id=policy.group_id, state="waiting", kind=kind, waiting_since=at,
        resumed_at=at, used_s=0.0, target_s=target, due_at=due, breached=False,
        opened_at=clock.opened_at or at)


def used_by(clock: Clock, policy: GroupPolicy, at: datetime) -> float:
    """Business seconds the customer has waited so far."""
    running = (business_seconds(policy.calendar, clock.resumed_at, at)
               if clock.state == "waiting" and clock.resumed_at else 0.0)
    return clock.used_s + running


def answer(clock: Clock, policy: GroupPolicy, at: datetime) -> tuple[Clock, Response | None]:
    """One of us wrote: the clock stops; a response when the customer was waiting."""
    if clock.state == "answered":
        return clock, None
    used = used_by(clock, policy, at)
    since = clock.waiting_since or at
    response = Response(kind=clock.kind, business_s=used, wall_s=(at - since).total_seconds(),
                        target_s=clock.target_s,
                        met=not clock.breached and (clock.target_s is None
                                                    or used <= clock.target_s))
    stopped = msgspec.structs.replace(clock, state="answered", answered_first=True,
                                      due_at=None, resumed_at=None, used_s=0.0)
    return stopped, response


def pause(clock: Clock, policy: GroupPolicy, at: datetime) -> Clock:
    """The task closed while the customer waited: keep what was used, stop counting."""
    if clock.state != "waiting":
        return clock
    return msgspec.structs.replace(clock, state="paused", used_s=used_by(clock, policy, at),
                                   resumed_at=None, due_at=None)


def resume(clock: Clock, policy: GroupPolicy, at: datetime) -> Clock:
    """The task reopened: the rest of the target runs from now."""
    if clock.state != "paused":
        return clock
    due = None
    if clock.target_s is not None:
        due = add_business_time(policy.calendar, at, max(0.0, clock.target_s - clock.used_s))
    return msgspec.structs.replace(clock, state="waiting", resumed_at=at, due_at=due)


def is_breached(clock: Clock, at: datetime) -> bool:
    """Whether the deadline has passed with the customer still waiting (not yet reported)."""
    return (clock.state == "waiting" and not clock.breached and clock.due_at is not None
            and clock.due_at <= at)


def idle_due(policy: GroupPolicy, waiting_since: datetime, assigned_at: datetime
             ) -> datetime | None:
    """When a person who holds a waiting customer's task has been idle long enough to lose it
    (business time from the later of the two; None when idle forwarding is off)."""
    if policy.idle_forward_minutes is None:
        return None
    return add_business_time(policy.calendar, max(waiting_since, assigned_at),
                             policy.idle_forward_minutes * 60)
