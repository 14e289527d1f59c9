"""Inbox activity noted in memory, merged per task, until it is written together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from shared.domain.inbox import Activity, merge


@dataclass
class ActivityBuffer:
    """Activity noted since the last write, merged per task."""

    items: list[Activity] = field(default_factory=list)
    has_items: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, item: Activity) -> None:
        self.items.append(item)
        self.has_items.set()

    def take(self) -> list[Activity]:
        taken = merge(self.items)
        self.items = []
        self.has_items.clear()
        return taken
