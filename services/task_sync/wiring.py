"""task-sync's use cases wired to the built-in store (MongoDB): for the composition root and
for tests that run the use cases against a real database."""

from __future__ import annotations

from services.task_sync.application.channel_cache import CachedChannels
from services.task_sync.application.ports import Publisher
from services.task_sync.deps import Deps
from shared.channels_config import ChannelConfig
from shared.config import TaskSyncSettings
from shared.send_queue import QueueingPublisher
from shared.store.account_ports import MongoAccounts, MongoAudit
from shared.store.builtin_ports import (
    MongoChannels,
    MongoDirectory,
    MongoFiles,
    MongoInbox,
    MongoScenarios,
)
from shared.store.desk_ports import MongoDesk
from shared.store.flows import MongoFlows
from shared.store.identities import MongoIdentities
from shared.store.mongo import Database
from shared.store.problems import MongoProblems
from shared.store.sends import MongoSendLedger
from shared.store.task_system import MongoTaskSystem
from shared.store.templates import MongoTemplates


def builtin_deps(db: Database, bus: Publisher, settings: TaskSyncSettings, *,
                 robot_user_id: str, group_bot_user_id: str,
                 connections: list[ChannelConfig] | None = None) -> Deps:
    """Every port backed by the built-in MongoDB store."""
    return Deps(tasks=MongoTaskSystem(db), files=MongoFiles(db), directory=MongoDirectory(db),
                channels=CachedChannels(MongoChannels(db)),
                # a comment's sends are queued in their chat's send queue, then woken
                bus=QueueingPublisher(bus, MongoSendLedger(db)),
                scenarios=MongoScenarios(db), inbox=MongoInbox(db), settings=settings,
                robot_user_id=robot_user_id, group_bot_user_id=group_bot_user_id,
                problems=MongoProblems(db), templates=MongoTemplates(db),
                customers=MongoIdentities(db),
                connections=connections or [], accounts=MongoAccounts(db),
                audit=MongoAudit(db), desk=MongoDesk(db), flows=MongoFlows(db))
