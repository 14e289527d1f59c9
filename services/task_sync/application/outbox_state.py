"""In-process state of the outbox: a wake-up for the sweeper and published marks to write.

A comment is recorded with an outbox flag before its sends are published; once the broker has
confirmed them the flag is cleared. The clears are written together, a few per second, in one
write: a crash before that write only makes the sweeper publish again, and consumers drop the
repeat by id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class OutboxState:
    # set when a publish failed here: the sweeper runs soon instead of at its next round
    pending: asyncio.Event = field(default_factory=asyncio.Event)
    published: set[str] = field(default_factory=set)
    has_published: asyncio.Event = field(default_factory=asyncio.Event)

    def mark_published(self, comment_id: str) -> None:
        self.published.add(comment_id)
        self.has_published.set()

    def take_published(self) -> list[str]:
        taken = sorted(self.published)
        self.published.clear()
        self.has_published.clear()
        return taken
