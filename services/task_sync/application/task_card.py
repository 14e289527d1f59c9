"""A task as its card shows it: the task, its 24-hour window, channel, contact, assignee,
group, and what the viewer may do with it."""

from __future__ import annotations

from typing import Any

import msgspec

from services.task_sync.application.access import visible_task
from services.task_sync.application.window import is_waba
from services.task_sync.deps import Deps
from shared import events
from shared.domain import access
from shared.domain.access import Viewer
from shared.domain.tasks import Task
from shared.domain.window import WINDOW
from shared.providers import REGISTRY


async def task_card(deps: Deps, viewer: Viewer, task_id: str) -> dict[str, Any]:
    """The card of a task ``viewer`` may see (NotFound otherwise)."""
    task = await visible_task(deps, viewer, task_id)
    out: dict[str, Any] = msgspec.to_builtins(task)
    out["window"] = await _window(deps, task)
    channel = await deps.channels.get(task.chat.channel_id)
    # last_webhook_at: the newest webhook any ingest replica accepted (reported every 30 s)
    out["channel"] = {"state": channel.get("state"), "provider": channel.get("provider"),
                      "last_webhook_at": channel.get("last_webhook_at")} if channel else None
    if name := channel_name(deps, task.chat):  # our name for the connection the chat is on
        out["channel"] = (out["channel"] or {"state": None, "provider": task.chat.provider,
                                             "last_webhook_at": None}) | {"name": name}
    contact = await deps.directory.get_contact(task.contact_id) if task.contact_id else None
    out["contact"] = msgspec.to_builtins(contact) if contact else None
    assignee = (await deps.directory.get_user(task.assignee_user_id)
                if task.assignee_user_id else None)
    out["assignee"] = {"id": assignee.id, "full_name": assignee.full_name} if assignee else None
    group = (await deps.directory.get_group(task.assignee_group_id)
             if task.assignee_group_id else None)
    out["group"] = {"id": group.id, "name": group.name} if group else None
    out["permissions"] = access.permissions(viewer, task, deps.statuses.closed)
    out["gateway"] = gateway_features(task.chat.provider)
    # the configured names: the console closes a task with statuses.closed
    out["statuses"] = msgspec.to_builtins(deps.statuses)
    return out


def gateway_features(provider_name: str) -> dict[str, bool]:
    """What the chat's gateway carries besides messages, so the console offers only that."""
    provider = REGISTRY.get(provider_name)
    caps = provider.capabilities if provider else None
    return {"reactions": bool(caps and caps.reactions_out),
            "typing": bool(caps and caps.typing), "read_marks": bool(caps and caps.read_marks)}


def channel_name(deps: Deps, chat: events.ChatRef) -> str | None:
    """The configured connection's name (``sales-wazzup``) of the chat's company number."""
    if chat.connection:
        return chat.connection
    return next((c.id for c in deps.connections if c.provider == chat.provider
                 and c.account.channel_id == chat.channel_id), None)


async def _window(deps: Deps, task: Task) -> dict[str, Any]:
    if not await is_waba(deps, task.chat):
        return {"applies": False, "expires_at": None, "open": True}
    last = await deps.tasks.last_inbound_at(task.chat.key)
    expires = last + WINDOW if last else None
    return {"applies": True, "expires_at": expires.isoformat() if expires else None,
            "open": expires is not None and expires > events.utcnow()}
