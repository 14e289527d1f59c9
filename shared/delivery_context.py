"""What the worker tells a handler about the delivery it is handling: which attempt this is,
and whether an operator replayed it. Context variables only (no bus imports), so application
code may ask without importing the consume loop."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_attempt: ContextVar[int] = ContextVar("attempt", default=1)
_delivery_headers: ContextVar[dict[str, Any] | None] = ContextVar("delivery_headers",
                                                                 default=None)


def is_replay() -> bool:
    """True while handling a message an operator replayed from its dead-letter queue."""
    return bool((_delivery_headers.get() or {}).get("x-replayed"))


def current_attempt() -> int:
    """Which attempt at the message being handled this is (1 for the first delivery)."""
    return _attempt.get()
