"""WhatsApp Business's 24-hour customer-service window, checked before free text is sent.

On a WABA channel (Meta Cloud API, or a Wazzup channel whose transport is ``wapi``) free text is
allowed only within 24 hours of the customer's last message; outside it only templates go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.task_sync.deps import Deps
from services.task_sync.http_json import problem
from shared import events
from shared.providers import REGISTRY
from shared.store import channels, comments, tasks

WINDOW = timedelta(hours=24)


async def is_waba(deps: Deps, chat: events.ChatRef) -> bool:
    provider = REGISTRY.get(chat.provider)
    if provider is not None and provider.capabilities.window_24h:
        return True
    channel = await channels.get(deps.db, chat.channel_id)
    return channel is not None and channel.get("transport") == "wapi"


async def last_inbound_at(deps: Deps, chat: events.ChatRef) -> datetime | None:
    """When the customer last wrote in this chat, across its tasks."""
    task_ids = await tasks.ids_of_chat(deps.db, chat.key)
    return await comments.last_inbound_at(deps.db, task_ids) if task_ids else None


async def ensure_free_text_allowed(deps: Deps, task: tasks.Task) -> None:
    """Refuse (422, naming the window) free text a WABA channel would reject."""
    if not await is_waba(deps, task.chat):
        return
    last = await last_inbound_at(deps, task.chat)
    if last is None or events.utcnow() - last > WINDOW:
        since = f"the customer last wrote at {last.isoformat()}" if last else \
            "the customer has not written yet"
        raise problem(422, "window_closed",
                      f"the 24-hour customer-service window of this WhatsApp Business channel is "
                      f"closed ({since}); only an approved template can be sent")
