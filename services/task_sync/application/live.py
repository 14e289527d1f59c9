"""Live updates for the consoles connected to this replica: a fan-out of console events to
each subscriber that may see their task, with the last minutes kept so that a console that
reconnects with ``Last-Event-ID`` misses nothing."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import msgspec

from shared.domain.access import Viewer, can_see
from shared.domain.tasks import Task

KEEP_S = 600.0
KEEP_MAX = 20_000
QUEUE_MAX = 1_000


class ConsoleEvent(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    task_id: str
    data: dict[str, Any]
    task: Task | None = None  # who may see it; not sent
    audience: frozenset[str] | None = None  # only these people (a notice); not sent


@dataclass(eq=False)
class Subscription:
    viewer: Viewer
    queue: asyncio.Queue[ConsoleEvent] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_MAX))
    missed: bool = False  # events were lost (too slow, or resumed from too long ago)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


def visible(viewer: Viewer, event: ConsoleEvent) -> bool:
    if event.audience is not None:
        return viewer.user_id in event.audience
    return event.task is not None and can_see(viewer, event.task)


class LiveHub:
    def __init__(self, keep_s: float = KEEP_S, keep_max: int = KEEP_MAX) -> None:
        self._keep_s = keep_s
        self._recent: deque[tuple[float, ConsoleEvent]] = deque(maxlen=keep_max)
        self._seen_ids: set[str] = set()
        self._subscribers: set[Subscription] = set()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, event: ConsoleEvent) -> None:
        """Keep the event and hand it to every subscriber that may see it (once per id)."""
        if event.id in self._seen_ids:
            return
        self._prune()
        if len(self._recent) == self._recent.maxlen:
            self._seen_ids.discard(self._recent[0][1].id)
        self._recent.append((time.monotonic(), event))
        self._seen_ids.add(event.id)
        for sub in list(self._subscribers):
            if visible(sub.viewer, event):
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:  # a stalled client: it reconnects and resumes
                    sub.missed = True
                    sub.closed.set()
                    self._subscribers.discard(sub)

    def subscribe(self, viewer: Viewer, last_event_id: str | None = None) -> Subscription:
        """A new subscription; with ``last_event_id``, the kept events after it come first."""
        sub = Subscription(viewer=viewer)
        if last_event_id:
            ids = [e.id for _, e in self._recent]
            if last_event_id in ids:
                for _, event in list(self._recent)[ids.index(last_event_id) + 1:]:
                    if not visible(viewer, event):
                        continue
                    try:
                        sub.queue.put_nowait(event)
                    except asyncio.QueueFull:  # more than a stream holds: reload instead
                        sub.missed = True
                        break
            else:
                sub.missed = True
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)
        sub.closed.set()

    def close_all(self) -> None:
        """The process stops: every stream ends (consoles reconnect to another replica)."""
        for sub in list(self._subscribers):
            self.unsubscribe(sub)

    def _prune(self) -> None:
        horizon = time.monotonic() - self._keep_s
        while self._recent and self._recent[0][0] < horizon:
            self._seen_ids.discard(self._recent.popleft()[1].id)
