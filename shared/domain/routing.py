"""Who takes a handed-over task inside a group: the group's policy, each person's availability
and capacity, and the pure choice among the candidates.

The seed's rule stays first (the contact's responsible employee, unless on leave); inside the
group a mode decides: ``claim`` (the task waits in the queue for someone to take it),
``round_robin`` (the next available member after the last one given a task) or ``least_open``
(the available member with the fewest open tasks). Away, on-leave and full members are skipped;
when nobody can take it the task waits in the queue.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.calendar import ALWAYS_OPEN, BusinessCalendar

Mode = Literal["claim", "round_robin", "least_open"]
Availability = Literal["online", "away", "on_leave"]
MODES: tuple[Mode, ...] = ("claim", "round_robin", "least_open")
AVAILABILITIES: tuple[Availability, ...] = ("online", "away", "on_leave")


class ChannelTargets(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Response targets for the group's chats on one channel (one WhatsApp number may promise
    faster answers than another); None: the group's own target."""

    first_response_minutes: float | None = None
    next_response_minutes: float | None = None


class GroupPolicy(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A group's routing, idle forwarding and SLA settings (times in business minutes of the
    group's calendar; None: off), with optional per-channel targets (by channel id)."""

    group_id: str
    mode: Mode = "claim"
    idle_forward_minutes: float | None = None
    first_response_minutes: float | None = None
    next_response_minutes: float | None = None
    calendar: BusinessCalendar = ALWAYS_OPEN
    channels: dict[str, ChannelTargets] = {}

    def __post_init__(self) -> None:
        for name in ("idle_forward_minutes", "first_response_minutes", "next_response_minutes"):
            _check_minutes(name, getattr(self, name))
        for channel_id, targets in self.channels.items():
            if not channel_id.strip():
                raise ValueError("channels: a channel id must not be empty")
            for name in ("first_response_minutes", "next_response_minutes"):
                _check_minutes(f"channels.{channel_id}.{name}", getattr(targets, name))

    def target_seconds(self, kind: str, channel_id: str | None = None) -> float | None:
        """The response target of ``kind`` ("first"/"next"): the channel's own when it has
        one, else the group's; None: no target."""
        own = self.channels.get(channel_id) if channel_id else None
        minutes = None
        if own is not None:
            minutes = own.first_response_minutes if kind == "first" else own.next_response_minutes
        if minutes is None:
            minutes = (self.first_response_minutes if kind == "first"
                       else self.next_response_minutes)
        return minutes * 60 if minutes is not None else None


def _check_minutes(name: str, value: float | None) -> None:
    if value is not None and not 0 < value <= 60 * 24 * 60:
        raise ValueError(f"{name} must be more than 0 and at most 86400 (60 days)")


def default_policy(group_id: str) -> GroupPolicy:
    """A group nobody configured: the seed's behaviour (the queue), no timers."""
    return GroupPolicy(group_id=group_id)


class AgentState(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A person's availability (set by them or an admin) and capacity (open tasks at most;
    None: no limit)."""

    user_id: str
    availability: Availability = "online"
    capacity: int | None = None

    def __post_init__(self) -> None:
        if self.capacity is not None and not 0 <= self.capacity <= 10_000:
            raise ValueError("capacity must be between 0 and 10000")


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """A member of the group as the choice sees them."""

    user_id: str
    availability: Availability = "online"
    capacity: int | None = None
    open_tasks: int = 0


def can_take(candidate: Candidate) -> bool:
    """Online and below capacity."""
    return candidate.availability == "online" and (
        candidate.capacity is None or candidate.open_tasks < candidate.capacity)


def responsible_takes(state: AgentState) -> bool:
    """The contact's responsible employee gets their customer's chat unless on leave (capacity
    does not apply: the customer is theirs)."""
    return state.availability != "on_leave"


def choose(mode: Mode, candidates: list[Candidate], *, last_user_id: str | None = None,
           exclude: frozenset[str] = frozenset()) -> str | None:
    """The member who gets the task, or None (it waits in the queue).

    ``last_user_id``: who round-robin gave the group's previous task to; ``exclude``: members
    not to give it to (the one it was forwarded away from).
    """
    if mode == "claim":
        return None
    eligible = sorted((c for c in candidates if can_take(c) and c.user_id not in exclude),
                      key=lambda c: c.user_id)
    if not eligible:
        return None
    if mode == "least_open":
        fewest = min(c.open_tasks for c in eligible)
        eligible = [c for c in eligible if c.open_tasks == fewest]
    # the member after the last one given a task (ties of least_open rotate the same way)
    after = [c for c in eligible if last_user_id is not None and c.user_id > last_user_id]
    return (after or eligible)[0].user_id
