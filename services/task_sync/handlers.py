"""task-sync's bus handlers: each message type to its use case, in one table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.task_sync.application import (
    bot_actions,
    delivery,
    identity_records,
    records,
    tasks,
    templates,
)
from services.task_sync.deps import Deps
from shared import events
from shared.errors import PermanentError

Handler = Callable[[Deps, Any], Awaitable[None]]

HANDLERS: dict[type, Handler] = {
    events.OpenTask: records.open_task,
    events.AddComment: records.add_comment,
    events.AddComments: records.add_comments,
    events.CreateContact: records.create_contact,
    events.ChangeTaskChat: identity_records.change_task_chat,
    events.RecordProblem: identity_records.record_problem,
    events.HandOver: tasks.hand_over,
    events.SetTaskStatus: tasks.set_status,
    events.SetTaskField: bot_actions.set_task_field,
    events.LookUpStatus: bot_actions.look_up_status,
    events.SendSucceeded: delivery.record_send_result,
    events.SendFailed: delivery.record_send_failure,
    events.StatusUpdated: delivery.record_status,
    events.MediaStored: delivery.record_media_stored,
    events.MediaFetchFailed: delivery.record_media_failure,
    events.ChannelUpdated: delivery.record_channel_state,
    events.ChannelWebhookSeen: delivery.record_webhook_seen,
    events.TemplatesListed: templates.record_listed,
    events.TemplateStatusChanged: templates.record_template_status,
}


async def handle(deps: Deps, message: events.Message) -> None:
    handler = HANDLERS.get(type(message))
    if handler is None:
        raise PermanentError(f"task-sync has no handler for {events.message_type(message)}")
    await handler(deps, message)
