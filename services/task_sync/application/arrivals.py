"""Comments this process just recorded, for the results that arrive a moment before them.

A send's result (``send.succeeded``, ``send.failed``) and the comment it belongs to travel on
different queues; under load the result often comes first. Rather than sending it round the
delay queue (a publish, a second delivery, its reads again, a second later), its handler waits
here a little for the comment: the handler that records comments says which it recorded. Only
this process's records wake a waiter; a comment recorded by another replica is noticed when
the wait ends and the result goes round the delay queue as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

WAIT_S = 2.0  # a little longer than the first delay tier, so waiting never costs more


class Arrivals:
    """Waiters for comments by id (an entry exists only while someone waits)."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[asyncio.Event, int]] = {}

    def recorded(self, comment_ids: Iterable[str]) -> None:
        """These comments are in their tasks now: wake whoever waits for them."""
        if not self._waiting:
            return
        for comment_id in comment_ids:
            if (entry := self._waiting.get(comment_id)) is not None:
                entry[0].set()

    async def wait(self, comment_id: str, timeout: float | None = None) -> bool:
        """Whether ``comment_id`` was recorded here within ``timeout`` seconds (``WAIT_S``)."""
        event, count = self._waiting.get(comment_id, (asyncio.Event(), 0))
        self._waiting[comment_id] = (event, count + 1)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), WAIT_S if timeout is None else timeout)
            return event.is_set()
        finally:
            event, count = self._waiting[comment_id]
            if count > 1:
                self._waiting[comment_id] = (event, count - 1)
            else:
                del self._waiting[comment_id]

    def __len__(self) -> int:
        return len(self._waiting)
