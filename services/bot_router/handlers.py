"""bot-router's handlers: load state, decide (pure), record the decision, apply it, publish."""

from __future__ import annotations

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
    conv = await conversations.find_open(deps.db, event.chat.key)
    scenario_set = await deps.scenarios.get()
    decision = decide(conv, event, scenario_set.items, deps.policy, events.utcnow())
    if not await conversations.record_decision(deps.db, decision, events.utcnow()):
        # a redelivery or a repeated webhook: replay what was decided then, never re-decide
        earlier = await conversations.find_decision(deps.db, event.id)
        if earlier is None:
            raise RetryableError(f"decision of {event.id} vanished", code="CONFLICT")
        await _carry_out(deps, earlier, replay=True)
        return
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
    if not await conversations.record_decision(deps.db, decision, events.utcnow()):
        return  # decided concurrently by a replay; its effects are idempotent
    await _carry_out(deps, decision)


async def _carry_out(deps: Deps, decision: Decision, *, replay: bool = False) -> None:
    """Apply the state change, then publish the commands (both idempotent)."""
    if not await conversations.apply(deps.db, decision, replay=replay):
        # the conversation moved on under another consumer: decide again on the fresh state
        with db_errors("discarding a stale decision"):
            await deps.db.decisions.delete_one({"_id": decision.event_id})
        raise RetryableError("conversation changed while deciding; deciding again",
                             code="CONFLICT")
    # records before sends: the comment usually exists when its send result arrives
    commands = bundle_comments(decision.event_id, decision.commands)
    await deps.bus.publish_all([c for c in commands if not isinstance(c, events.SendMessage)])
    await deps.bus.publish_all([c for c in commands if isinstance(c, events.SendMessage)])


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
