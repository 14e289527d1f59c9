"""Running flows without effects (issue 12): the simulator (messages in, the bot's answers and
actions out) and the replay of real past conversations against a draft or a version.

Both call the pure engine the bot runs (``shared.domain.flow_engine``): the first message
through ``start``, the rest through ``step``, and nothing after a hand-over or a close, as
bot-router does. Nothing is stored, sent or looked up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

from services.task_sync.application.access import ensure_admin
from services.task_sync.application.flow_ports import ConversationHistory
from services.task_sync.application.flows import (
    Unsupported,
    checked_key,
    flow_of,
    live_or_legacy,
    store,
)
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Actor
from shared.domain.flow_engine import (
    Close,
    Effect,
    FlowState,
    HandOver,
    Incoming,
    LookUp,
    SetStatus,
    Step,
    incoming_from,
    render_numbered,
    start,
    step,
)
from shared.domain.flows import DEFAULT_KEY, FlowSet

MAX_SIM_MESSAGES = 100
MAX_REPLAY_DAYS = 90
MAX_CONVERSATIONS = 500
MAX_MESSAGES = 50
VersionNumber = Annotated[int, msgspec.Meta(ge=1, le=999_999_999)]


class SimMessage(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: str = ""
    payload: str | None = None
    kind: str = "text"  # a content type as gateways report it (text, button, sticker, image...)


class SimulateIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    key: str = DEFAULT_KEY
    version: VersionNumber | Literal["draft"] | None = None  # None: the live version
    messages: Annotated[list[SimMessage], msgspec.Meta(min_length=1,
                                                       max_length=MAX_SIM_MESSAGES)]
    at: datetime | None = None  # when the conversation happens (business hours); None: now
    phone: str | None = None  # the customer's, shown with a look-up

    def __post_init__(self) -> None:
        if self.at is not None and (self.at.tzinfo is None or not 2000 <= self.at.year <= 2100):
            raise ValueError("at must be a time with a zone (Z or +03:00) in 2000-2100")


class Turn(msgspec.Struct, kw_only=True):
    """One message and what the bot did with it (``step`` None: it was with people already)."""

    incoming: Incoming
    step: Step | None


def bot_is_done(found: Step, bot_status: str) -> bool:
    """After this step the chat is no longer the bot's (handed over, closed, moved on)."""
    return any(isinstance(e, HandOver | Close) or (isinstance(e, SetStatus)
                                                   and e.status != bot_status)
               for e in found.effects)


def run_conversation(flow: FlowSet, messages: list[tuple[Incoming, datetime]],
                     bot_status: str) -> list[Turn]:
    """Each message through the engine, the state kept across them, as bot-router would."""
    turns: list[Turn] = []
    state: FlowState | None = None
    done = False
    for incoming, at in messages:
        if done:
            turns.append(Turn(incoming=incoming, step=None))
            continue
        found = start(flow, incoming, at) if state is None else step(flow, state, incoming, at)
        state = found.state
        done = bot_is_done(found, bot_status)
        turns.append(Turn(incoming=incoming, step=found))
    return turns


def _effect_view(effect: Effect, phone: str | None) -> dict[str, Any]:
    view: dict[str, Any] = msgspec.to_builtins(effect)
    if isinstance(effect, LookUp):
        view["simulated"] = True
        view["would"] = (f"answer with the status of request {effect.number} if it belongs to "
                         f"the contact of {phone or 'this chat'}, else: "
                         f"{effect.not_found_text}")
    return view


def _turn_view(turn: Turn, phone: str | None) -> dict[str, Any]:
    incoming = {"text": turn.incoming.text, "payload": turn.incoming.payload}
    if turn.step is None:
        return {"input": incoming, "replies": [], "effects": [], "node_id": None,
                "state": None, "open": None, "handed_over": True}
    found = turn.step
    return {"input": incoming,
            "replies": [msgspec.to_builtins(r) | {"numbered": render_numbered(r)}
                        for r in found.replies],
            "effects": [_effect_view(e, phone) for e in found.effects],
            "node_id": found.node_id, "state": msgspec.to_builtins(found.state),
            "open": found.open, "handed_over": False}


async def simulate(deps: Deps, actor: Actor, body: SimulateIn) -> dict[str, Any]:
    """The bot's answers and actions for ``body.messages`` on a version, the draft or the
    live flow; no side effects at all."""
    ensure_admin(actor.viewer)
    flow, version = await flow_of(deps, checked_key(body.key), body.version)
    at = body.at or events.utcnow()
    messages = [(incoming_from(m.kind, m.text, m.payload), at) for m in body.messages]
    turns = run_conversation(flow, messages, deps.statuses.bot)
    return {"key": body.key, "version": version,
            "steps": [_turn_view(t, body.phone) for t in turns]}


def _texts(turn: Turn) -> list[str]:
    return [render_numbered(r) for r in turn.step.replies] if turn.step else []


def _handed_over(turns: list[Turn], bot_status: str) -> bool:
    return any(t.step is not None and bot_is_done(t.step, bot_status) for t in turns)


def compare(live: list[Turn], draft: list[Turn]) -> list[dict[str, Any]]:
    """Where the two runs of one conversation answered differently, message by message."""
    return [{"index": n, "input": a.incoming.text, "live": _texts(a), "draft": _texts(b)}
            for n, (a, b) in enumerate(zip(live, draft, strict=True))
            if _texts(a) != _texts(b) or (a.step is None) != (b.step is None)]


async def _own_channels(deps: Deps) -> set[str]:
    return {k.key for k in await store(deps).keys()
            if k.live_version is not None and k.key != DEFAULT_KEY}


async def replay(deps: Deps, actor: Actor, key: str, days: int,
                 version: int | Literal["draft"], *, now: datetime) -> dict[str, Any]:
    """The real conversations of the last ``days`` days run on the live flow and on
    ``version``; those that would go differently, with where."""
    ensure_admin(actor.viewer)
    history = deps.tasks
    if not isinstance(history, ConversationHistory):
        raise Unsupported("not_supported", "replay needs the built-in task store; the "
                          "configured task system keeps no chat history here")
    chosen, _ = await flow_of(deps, checked_key(key), version)
    live, live_version = await live_or_legacy(deps, key)
    found = await history.customer_messages_since(
        now - timedelta(days=days), category=deps.settings.wabridge_category,
        limit=MAX_CONVERSATIONS + 1, per_conversation=MAX_MESSAGES + 1)
    capped_conversations = len(found) > MAX_CONVERSATIONS
    own = await _own_channels(deps)
    bot = deps.statuses.bot
    compared, capped_messages = 0, 0
    items: list[dict[str, Any]] = []
    for past in found[:MAX_CONVERSATIONS]:
        if (past.channel_id != key) if key != DEFAULT_KEY else past.channel_id in own:
            continue
        capped_messages += len(past.messages) > MAX_MESSAGES
        messages = [(incoming_from(m.kind, m.text, m.payload), m.at)
                    for m in past.messages[:MAX_MESSAGES]]
        if not messages:
            continue
        compared += 1
        on_live = run_conversation(live, messages, bot)
        on_chosen = run_conversation(chosen, messages, bot)
        differences = compare(on_live, on_chosen)
        handed = (_handed_over(on_live, bot), _handed_over(on_chosen, bot))
        if differences or handed[0] != handed[1]:
            items.append({"task_id": past.task_id, "title": past.title,
                          "at": past.created_at.isoformat(), "live_handed_over": handed[0],
                          "draft_handed_over": handed[1], "differences": differences})
    return {"key": key, "live_version": live_version, "version": version, "days": days,
            "compared": compared, "differing": len(items), "items": items,
            "capped": {"conversations": capped_conversations,
                       "conversations_with_more_messages": capped_messages,
                       "max_conversations": MAX_CONVERSATIONS,
                       "max_messages": MAX_MESSAGES}}
