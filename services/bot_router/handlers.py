"""bot-router's handlers: load state, decide (pure), record the decision, apply it, publish."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from services.bot_router.decide import BotPolicy, decide, follow_status_change
from services.bot_router.identity import ChatAliases, locate
from services.bot_router.ports import (
    ConversationStore,
    FlowSource,
    IdentityStore,
    Publisher,
)
from shared import events
from shared.domain.conversations import Decision
from shared.domain.identities import has_sender
from shared.errors import PermanentError, RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    conversations: ConversationStore
    publisher: Publisher
    policy: BotPolicy
    flows: FlowSource
    identities: IdentityStore
    aliases: ChatAliases = field(default_factory=ChatAliases)


async def handle(deps: Deps, message: events.Message) -> None:
    """Dispatch ``message`` to its handler in ``HANDLERS``."""
    handler = HANDLERS.get(type(message))
    if handler is None:
        raise PermanentError(f"bot-router has no handler for {events.message_type(message)}")
    await handler(deps, message)


async def on_message_received(deps: Deps, event: events.MessageReceived) -> None:
    if not has_sender(event):
        await record_problem(deps, event, "the message names no sender (no phone, no user id): "
                             "it cannot be placed in a task or answered")
        return
    store = deps.conversations
    located = await locate(store, deps.identities, deps.publisher, deps.aliases, event)
    flow = await deps.flows.get(event.chat.channel_id)
    decision = decide(located.conversation, event, flow, deps.policy, events.utcnow(),
                      located.identity)
    if not await store.record_decision(decision, events.utcnow()):
        # a redelivery or a repeated webhook: replay what was decided then, never re-decide
        earlier = await store.find_decision(event.id)
        if earlier is None:
            raise RetryableError(f"decision of {event.id} vanished", code="CONFLICT")
        await _carry_out(deps, earlier, replay=True)
        return
    await _carry_out(deps, decision)


async def record_problem(deps: Deps, event: events.MessageReceived, reason: str) -> None:
    """A message no task can hold: kept for people to see (task-sync lists problems)."""
    log.warning("message recorded as a problem", reason=reason,
                gateway_message_id=event.gateway_message_id, provider=event.chat.provider)
    await deps.publisher.publish(events.RecordProblem(
        id=events.derive_id("problem", event.id), correlation_id=event.correlation_id,
        occurred_at=event.occurred_at, provider=event.chat.provider,
        channel_id=event.chat.channel_id, reason=reason,
        gateway_message_id=event.gateway_message_id, raw_type=event.raw_type,
        detail=event.system_kind or event.content_type))


async def on_task_status_changed(deps: Deps, event: events.TaskStatusChanged) -> None:
    store = deps.conversations
    earlier = await store.find_decision(event.id)
    if earlier is not None:
        await _carry_out(deps, earlier, replay=True)
        return
    conv = await store.get(event.conversation_id)
    if conv is None or (not conv.is_open and event.state != "closed"):
        other = await store.find_open(event.chat.key)
        if other is not None and (conv is None or other.id != conv.id):
            how = "started from our side" if conv is None else "reopened"
            raise PermanentError(
                f"task {event.task_id} was {how} while conversation {other.id} (task "
                f"{other.task_id}) is open in the same chat; the customer's replies go to the "
                "open one")
    decision = follow_status_change(conv, event, events.utcnow())
    if not await store.record_decision(decision, events.utcnow()):
        return  # decided concurrently by a replay; its effects are idempotent
    await _carry_out(deps, decision)


HANDLERS: dict[type, Callable[[Deps, Any], Awaitable[None]]] = {
    events.MessageReceived: on_message_received,
    events.TaskStatusChanged: on_task_status_changed,
}


async def _carry_out(deps: Deps, decision: Decision, *, replay: bool = False) -> None:
    """Apply the state change, then publish the commands (both idempotent)."""
    if not await deps.conversations.apply(decision, replay=replay):
        # the conversation moved on under another consumer: decide again on the fresh state
        await deps.conversations.discard_decision(decision.event_id)
        raise RetryableError("conversation changed while deciding; deciding again",
                             code="CONFLICT")
    # records before sends, in one call: the publisher queues the sends in their chat's queue
    # first (so a person who sees the hand-over cannot get a reply out ahead of the bot's
    # message), then publishes the records, then wakes the sender (the comment usually exists
    # when its send result arrives)
    commands = bundle_comments(decision.event_id, decision.commands)
    await deps.publisher.publish_all(
        [c for c in commands if not isinstance(c, events.SendMessage)]
        + [c for c in commands if isinstance(c, events.SendMessage)])


def bundle_comments(event_id: str, commands: list[events.Command]) -> list[events.Command]:
    """The decision's comments as one command (one publish, one insert in task-sync)."""
    comments = [c for c in commands if isinstance(c, events.AddComment)
                and not (c.is_edit or c.is_delete)]
    if len(comments) < 2:
        return commands
    bundle = events.AddComments(id=events.derive_id("comments", event_id),
                                correlation_id=comments[0].correlation_id,
                                occurred_at=comments[0].occurred_at, items=comments)
    return [bundle, *(c for c in commands if c not in comments)]
