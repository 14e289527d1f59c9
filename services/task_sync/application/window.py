"""The 24-hour window, checked before free text goes to a WhatsApp Business channel."""

from __future__ import annotations

from services.task_sync.application.errors import Invalid
from services.task_sync.deps import Deps
from shared import events
from shared.domain.tasks import Task
from shared.domain.window import free_text_refusal
from shared.providers import REGISTRY


async def is_waba(deps: Deps, chat: events.ChatRef) -> bool:
    """Whether the chat's channel is a WhatsApp Business API channel (the window applies)."""
    provider = REGISTRY.get(chat.provider)
    if provider is not None and provider.capabilities.window_24h:
        return True
    channel = await deps.channels.get(chat.channel_id)
    return channel is not None and channel.get("transport") == "wapi"


async def ensure_free_text_allowed(deps: Deps, task: Task) -> None:
    """Refuse free text a WABA channel would reject (the window is closed)."""
    if not await is_waba(deps, task.chat):
        return
    refusal = free_text_refusal(await deps.tasks.last_inbound_at(task.chat.key),
                                events.utcnow())
    if refusal is not None:
        raise Invalid("window_closed", refusal)
