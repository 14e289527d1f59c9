"""What task-sync's use cases need, passed explicitly: the ports, settings and service users."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.task_sync.application import console_ports
from services.task_sync.application.activity_buffer import ActivityBuffer
from services.task_sync.application.arrivals import Arrivals
from services.task_sync.application.customer_ports import CustomerRecords, NoCustomerRecords
from services.task_sync.application.desk_ports import Desk
from services.task_sync.application.flow_ports import FlowStore
from services.task_sync.application.live import LiveHub
from services.task_sync.application.outbox_state import OutboxState
from services.task_sync.application.ports import (
    ChannelStates,
    Directory,
    FileStore,
    Inbox,
    Publisher,
    Scenarios,
    TaskSystem,
)
from services.task_sync.application.problem_ports import LoggedProblems, Problems
from services.task_sync.application.template_ports import MemoryTemplates, Templates
from shared.channels_config import ChannelConfig
from shared.config import TaskSyncSettings
from shared.domain.tasks import Statuses


@dataclass(frozen=True)
class Deps:
    tasks: TaskSystem
    files: FileStore
    directory: Directory
    channels: ChannelStates
    bus: Publisher
    scenarios: Scenarios
    inbox: Inbox
    settings: TaskSyncSettings
    robot_user_id: str
    group_bot_user_id: str
    # the configured gateway connections (listed by the API; their secrets are never shown)
    connections: list[ChannelConfig] = field(default_factory=list)
    outbox: OutboxState = field(default_factory=OutboxState)
    # messages no task could hold (issue 11), listed by the API
    problems: Problems = field(default_factory=LoggedProblems)
    # a task's customer across identifiers, with the links and merges (issue 11)
    customers: CustomerRecords = field(default_factory=NoCustomerRecords)
    # message templates as the gateways last listed them (issue 11)
    templates: Templates = field(default_factory=MemoryTemplates)
    # routing, response deadlines, held replies and their timers (issue 13); None: the seed's
    # rule only (the responsible employee or the group's queue), no timers
    desk: Desk | None = None
    # console sign-in and the audit log (MongoDB in builtin_deps; null objects otherwise)
    accounts: console_ports.Accounts = field(default_factory=console_ports.NoAccounts)
    audit: console_ports.AuditTrail = field(default_factory=console_ports.NoAudit)
    activity: ActivityBuffer = field(default_factory=ActivityBuffer)
    # comments recorded here, for send results that came a moment before them
    arrivals: Arrivals = field(default_factory=Arrivals)
    live: LiveHub = field(default_factory=LiveHub)
    # the bot's flows: drafts, versions, the live one (issue 12); None: not editable here
    flows: FlowStore | None = None

    @property
    def statuses(self) -> Statuses:
        s = self.settings
        return Statuses(bot=s.wabridge_status_bot, manager=s.wabridge_status_manager,
                        closed=s.wabridge_status_closed)
