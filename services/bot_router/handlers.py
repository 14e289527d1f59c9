"""bot-router's handlers: load state, decide (pure), record the decision, apply it, publish."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.bot_router.decide import BotPolicy, decide, follow_status_change
from services.bot_router.scenario_cache import ScenarioCache
from shared import events
from shared.bus import Bus
from shared.errors import PermanentError, RetryableError
from shared.store import conversations
from shared.store.conversations import Decision
from shared.store.mongo import Database, db_errors


@dataclass(frozen=True)
class Deps:
    db: Database
    bus: Bus
    policy: BotPolicy
    scenarios: ScenarioCache


async def handle(deps: Deps, message: events.Message) -> None:
    if isinstance(message, events.MessageReceived):
        await on_message_received(deps, message)
    elif isinstance(message, events.TaskStatusChanged):
        await on_task_status_changed(deps, message)
    else:
        raise PermanentError(f"bot-router has no handler for {events.message_type(message)}")


async def on_message_received(deps: Deps, event: events.MessageReceived) -> None:
    earlier, conv = await asyncio.gather(
        conversations.find_decision(deps.db, event.id),
        conversations.find_open(deps.db, event.chat.key))
    if earlier is not None:  # a redelivery or a repeated webhook: replay, never re-decide
        await _carry_out(deps, earlier, replay=True)
        return
    scenario_set = await deps.scenarios.get()
    decision = decide(conv, event, scenario_set.items, deps.policy, events.utcnow())
    await conversations.record_decision(deps.db, decision, events.utcnow())
    await _carry_out(deps, decision)


async def on_task_status_changed(deps: Deps, event: events.TaskStatusChanged) -> None:
    earlier = await conversations.find_decision(deps.db, event.id)
    if earlier is not None:
        await _carry_out(deps, earlier, replay=True)
        return
    conv = await conversations.get(deps.db, event.conversation_id)
    if conv is None:
        other = await conversations.find_open(deps.db, event.chat.key)
        if other is not None:
            raise PermanentError(
                f"task {event.task_id} was started from our side while conversation {other.id} "
                f"(task {other.task_id}) is open in the same chat; the customer's replies go "
                "to the open one")
    decision = follow_status_change(conv, event, events.utcnow())
    await conversations.record_decision(deps.db, decision, events.utcnow())
    await _carry_out(deps, decision)


async def _carry_out(deps: Deps, decision: Decision, *, replay: bool = False) -> None:
    """Apply the state change, then publish the commands (both idempotent)."""
    if not await conversations.apply(deps.db, decision, replay=replay):
        # the conversation moved on under another consumer: decide again on the fresh state
        with db_errors("discarding a stale decision"):
            await deps.db.decisions.delete_one({"_id": decision.event_id})
        raise RetryableError("conversation changed while deciding; deciding again",
                             code="CONFLICT")
    await deps.bus.publish_all(decision.commands)
