"""What task-sync's handlers and API need, passed explicitly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from shared.bus import Bus
from shared.channels_config import ChannelConfig
from shared.config import TaskSyncSettings
from shared.store.mongo import Database


@dataclass(frozen=True)
class Deps:
    db: Database
    bus: Bus
    settings: TaskSyncSettings
    robot_user_id: str
    group_bot_user_id: str
    # the configured gateway connections (listed by the API; their secrets are never shown)
    channels: list[ChannelConfig] = field(default_factory=list)
    # set when a publish failed here: the outbox sweeper runs soon instead of at its next round
    outbox_pending: asyncio.Event = field(default_factory=asyncio.Event)

    def open_statuses(self) -> list[str]:
        """The statuses a task may be moved out of by the bot (all but closed)."""
        s = self.settings
        return [s.wabridge_status_bot, s.wabridge_status_manager]

    def conversation_state(self, status: str) -> str:
        """How the bot should treat a task in ``status``."""
        if status == self.settings.wabridge_status_closed:
            return "closed"
        if status == self.settings.wabridge_status_bot:
            return "bot"
        return "manager"
