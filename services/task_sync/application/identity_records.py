"""What identity changes and unplaceable messages record: a task whose customer changed number
(or BSUID) sends to the new one and shows the new phone; a message naming no sender is kept as
a problem for people to see; and who a task's customer is, with every identifier linked."""

from __future__ import annotations

import msgspec

from services.task_sync.application.access import visible_task
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Viewer
from shared.domain.identities import CustomerRecord, task_identifiers
from shared.domain.problems import Problem
from shared.errors import RetryableError


async def change_task_chat(deps: Deps, cmd: events.ChangeTaskChat) -> None:
    """The task's chat sends to ``cmd.chat.address`` from now on (its key is unchanged)."""
    fields: dict[str, object] = {"chat": msgspec.to_builtins(cmd.chat)}
    if cmd.phone:
        fields["phone"] = cmd.phone
    if cmd.user_id:
        fields["user_id"] = cmd.user_id
    if await deps.tasks.update_task(cmd.task_id, cmd.occurred_at, fields=fields) is None:
        raise RetryableError(f"task {cmd.task_id} is not recorded yet",
                             code="TASK_NOT_YET_RECORDED")


async def record_problem(deps: Deps, cmd: events.RecordProblem) -> None:
    await deps.problems.record(Problem(
        id=cmd.id, at=cmd.occurred_at, provider=cmd.provider, channel_id=cmd.channel_id,
        reason=cmd.reason, gateway_message_id=cmd.gateway_message_id or None,
        raw_type=cmd.raw_type or None, detail=cmd.detail or None))


async def customer_of_task(deps: Deps, viewer: Viewer, task_id: str) -> CustomerRecord | None:
    """The customer behind a task the viewer may see: identifiers, links (what linked each)
    and merges; None when none was recorded (a group chat, a task from before identities)."""
    task = await visible_task(deps, viewer, task_id)
    if task.chat.chat_type != "whatsapp":
        return None
    named = task_identifiers(task.chat.chat_id, task.phone, task.user_id, task.username)
    return await deps.customers.record(task.conversation_id, task.chat.provider, named)
