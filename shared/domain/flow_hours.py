"""Business hours as a flow sees them (pure): open or closed now, which nodes apply, and the
next opening in words a customer reads ("завтра в 09:00").

Times come in as arguments (the message's time), never from a clock, so a replay of last
week's chats answers as the bot would have answered then.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.domain.calendar import is_open, next_opening
from shared.domain.flows import FlowSet, Node

_ON_WEEKDAY = ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу",
               "в субботу", "в воскресенье")
UNKNOWN_OPENING = "в ближайшее рабочее время"  # a calendar that never opens again


def flow_is_open(flow: FlowSet, now: datetime) -> bool:
    """Whether the flow's business is open at ``now`` (no calendar: always)."""
    return flow.hours is None or is_open(flow.hours, now)


def applies(node: Node, open_now: bool) -> bool:
    """Whether ``node`` takes part in matching and offers at this openness."""
    return node.hours == "any" or (node.hours == "open") == open_now


def visible_children(node: Node, open_now: bool) -> list[Node]:
    """``node``'s sub-menu as offered now (hours-conditioned children left out)."""
    return [child for child in node.children if applies(child, open_now)]


def opening_words(now: datetime, opening: datetime, timezone: str) -> str:
    """``opening`` as a Russian phrase relative to ``now`` in ``timezone``: "сегодня в 09:00",
    "завтра в 09:00", "в понедельник в 09:00" (within a week), else "02.01 в 09:00"."""
    zone = ZoneInfo(timezone)
    local = opening.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    clock = f"{local:%H:%M}"
    if days <= 0:
        return f"сегодня в {clock}"
    if days == 1:
        return f"завтра в {clock}"
    if days < 7:
        return f"{_ON_WEEKDAY[local.weekday()]} в {clock}"
    return f"{local:%d.%m} в {clock}"


def next_opening_words(flow: FlowSet, now: datetime) -> str:
    """The flow's next opening after ``now`` in words (see ``opening_words``)."""
    if flow.hours is None:
        return opening_words(now, now, "UTC")
    opening = next_opening(flow.hours, now)
    if opening is None:
        return UNKNOWN_OPENING
    return opening_words(now, opening, flow.hours.timezone)
