"""What identity changes and unplaceable messages record: a task whose customer changed number
(or BSUID) sends to the new one and shows the new phone; a message naming no sender is kept as
a problem for people to see."""

from __future__ import annotations

import msgspec

from services.task_sync.deps import Deps
from shared import events
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
