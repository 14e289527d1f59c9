"""What a manager does to the customer's chat besides writing: mark the customer's messages
read when opening the chat, show "typing…", react to a message (or take the reaction back).

Each becomes an ``outbound.signal`` for outbound-sender, on gateways that carry it; where a
gateway cannot, the answer says so instead of pretending. A manager's reaction is also kept
in the task as a comment replying to the message, so the task shows it as WhatsApp does.
"""

from __future__ import annotations

import msgspec

from services.task_sync.application.access import ensure_can_post, visible_task
from services.task_sync.application.activity import announce
from services.task_sync.application.comments import comment_in_task
from services.task_sync.application.errors import Invalid
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Actor, Viewer
from shared.domain.comments import Comment, order_of
from shared.domain.tasks import Task
from shared.providers import REGISTRY

MAX_EMOJI_CHARS = 8  # one emoji, with its modifiers and joiners


class Signalled(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Whether a signal went to the gateway; ``reason`` when it did not."""

    sent: bool
    reason: str | None = None


async def mark_read(deps: Deps, viewer: Viewer, task_id: str) -> Signalled:
    """The customer's messages are read (Meta: up to the newest; chat-api: the chat); anyone
    who may see the task opens it."""
    task = await visible_task(deps, viewer, task_id)
    if not _read_receipts_on(deps, task):
        return Signalled(sent=False, reason="read receipts are off for this channel")
    return await _signal(deps, task, "read", events.derive_id("read", task.id))


async def show_typing(deps: Deps, viewer: Viewer, task_id: str) -> Signalled:
    """Meta shows "typing…" (for up to 25 s, or until our answer); the console debounces.
    Only who may write into the task types in it."""
    task = await visible_task(deps, viewer, task_id)
    ensure_can_post(viewer, task)
    return await _signal(deps, task, "typing", events.new_id())


async def react(deps: Deps, actor: Actor, task_id: str, comment_id: str, emoji: str
                ) -> Comment:
    """A reaction (``emoji``; empty takes it back) to a message of the chat, sent to WhatsApp
    and kept in the task as the manager's comment replying to that message."""
    if len(emoji) > MAX_EMOJI_CHARS or (emoji and not emoji.strip()):
        raise Invalid("invalid_emoji", "a reaction is one emoji (empty removes it)")
    task = await visible_task(deps, actor.viewer, task_id)
    ensure_can_post(actor.viewer, task)
    target = await comment_in_task(deps, task, comment_id)
    if not target.gateway_message_id:
        raise Invalid("not_in_whatsapp", "this comment has no WhatsApp message to react to")
    provider = REGISTRY.get(task.chat.provider)
    if provider is None or not provider.capabilities.reactions_out:
        raise Invalid("reactions_not_supported",
                      f"{task.chat.provider} cannot send reactions to WhatsApp")
    now, user = events.utcnow(), actor.user
    reaction_id = events.derive_id("reaction", target.id, user.id, emoji, now.isoformat())
    comment = Comment(
        id=reaction_id, task_id=task.id, order=order_of(now), at=now, author_kind="user",
        direction="out", text=f"[reaction {emoji}]" if emoji else "[reaction removed]",
        content_type="reaction", author_user_id=user.id, author_name=user.full_name,
        reply_to_comment_id=target.id, delivery="sent", delivery_rank=1)
    await deps.tasks.add_comment(comment)
    await deps.bus.publish(events.SendSignal(
        id=events.derive_id("signal", reaction_id), correlation_id=reaction_id,
        occurred_at=now, chat=task.chat, kind="reaction",
        gateway_message_id=target.gateway_message_id, task_id=task.id, comment_id=target.id,
        emoji=emoji))
    # every console showing the chat puts it on the message (CONSOLE_API.md, comment.added)
    await announce(deps, "comment.added", task, comment.id, comment)
    return comment


async def _signal(deps: Deps, task: Task, kind: str, signal_id: str) -> Signalled:
    provider = REGISTRY.get(task.chat.provider)
    supported = provider is not None and (
        provider.capabilities.read_marks if kind == "read" else provider.capabilities.typing)
    if not supported:
        return Signalled(sent=False, reason=f"{task.chat.provider} has no {kind} signal")
    newest = await _newest_customer_message(deps, task)
    if newest is None:
        return Signalled(sent=False, reason="the customer has written nothing to mark")
    await deps.bus.publish(events.SendSignal(
        id=events.derive_id(signal_id, newest.gateway_message_id or ""),
        correlation_id=task.id, occurred_at=events.utcnow(), chat=task.chat,
        kind="read" if kind == "read" else "typing",
        gateway_message_id=newest.gateway_message_id or "", task_id=task.id,
        comment_id=newest.id))
    return Signalled(sent=True)


async def _newest_customer_message(deps: Deps, task: Task) -> Comment | None:
    found = [c for c in await deps.tasks.comments_of_task(task.id)
             if c.direction == "in" and c.gateway_message_id and c.author_kind == "customer"]
    return max(found, key=lambda c: c.order) if found else None


def _read_receipts_on(deps: Deps, task: Task) -> bool:
    """``WABRIDGE_READ_RECEIPTS``: ``*`` every channel, or a comma-separated list of channel
    ids (empty: none)."""
    chosen = {c.strip() for c in deps.settings.wabridge_read_receipts.split(",") if c.strip()}
    return "*" in chosen or task.chat.channel_id in chosen
