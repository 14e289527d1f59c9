"""The bot's turn in the bot dialogue (pure): the flow engine's step for one customer message,
turned into the bot's messages and the commands its effects ask for."""

from __future__ import annotations

import msgspec

from services.bot_router.building import BotPolicy, Builder, bot_says
from shared import events
from shared.domain import flow_engine as engine
from shared.domain.conversations import Conversation
from shared.domain.flow_engine import FlowState, Incoming, Reply
from shared.domain.flows import FlowVersion


class Turn(msgspec.Struct, frozen=True, kw_only=True):
    """What the bot's turn leaves: the dialogue's state and the flow position."""

    state: events.ConversationState
    flow: FlowState


def incoming(event: events.MessageReceived, policy: BotPolicy) -> Incoming:
    """The message as the engine reads it; the configured quiet kinds are the quiet ones."""
    if event.content_type == "interactive" and event.form:
        # a submitted form (WhatsApp Flow) asks for the node named like the form, and its
        # fields answer the questions that name them
        message = Incoming(text=event.form_name or "", kind="choice", form=form_answers(event))
    else:
        message = engine.incoming_from(event.content_type, event.text, event.reply_payload)
    if event.content_type in policy.quiet_kinds:
        return msgspec.structs.replace(message, kind="quiet")
    if message.kind == "quiet":
        return msgspec.structs.replace(message, kind="other")
    return message


def form_answers(event: events.MessageReceived) -> dict[str, str]:
    """A form's values by the flow's own field name, and by the label written as a field name
    (``screen_0_First_name_0``, shown as "First name", also answers ``first_name``)."""
    answers: dict[str, str] = {}
    for field in event.form:
        for key in (field.name, field.label.strip().lower().replace(" ", "_")):
            if key:
                answers.setdefault(key, field.value)
    return answers


def bot_turn(b: Builder, conv: Conversation, event: events.MessageReceived,
             flow: FlowVersion, policy: BotPolicy, *, greet: bool) -> Turn:
    """Run the flow for the message (``greet``: the dialogue's first) and add the bot's
    messages and the commands of its effects to ``b``."""
    message = incoming(event, policy)
    if greet:
        step = engine.start(flow.flow, message, b.now)
    else:
        step = engine.step(flow.flow, conv.flow, message, b.now)
    for reply in joined(step.replies):
        bot_says(b, conv, reply, policy)
    state: events.ConversationState = "bot"
    for n, effect in enumerate(step.effects):
        state = _apply(b, conv, event, effect, policy, str(n)) or state
    flow_state = step.state if state == "bot" else FlowState()
    return Turn(state=state, flow=flow_state)


def joined(replies: list[Reply]) -> list[Reply]:
    """Plain texts that follow each other as one message (the greeting and the first answer
    went out as one before flows): a reply with options or a file ends a message."""
    out: list[Reply] = []
    for reply in replies:
        last = out[-1] if out else None
        if last is not None and not last.choices and last.attachment is None and last.text:
            out[-1] = msgspec.structs.replace(
                reply, text="\n\n".join(t for t in [last.text, reply.text] if t))
        else:
            out.append(reply)
    return out


def _apply(b: Builder, conv: Conversation, event: events.MessageReceived,
           effect: engine.Effect, policy: BotPolicy, n: str) -> events.ConversationState | None:
    """The command one effect asks for; the state it moves the dialogue to (None: stays)."""
    task = conv.task_id
    if isinstance(effect, engine.HandOver):
        b.add(events.HandOver(**b.base("hand_over"), task_id=task,
                              status=policy.status_manager, group_id=effect.group_id))
        return "manager"
    if isinstance(effect, engine.Close):
        b.add(events.SetTaskStatus(**b.base("close"), task_id=task, status=policy.status_closed))
        return "closed"
    if isinstance(effect, engine.SetStatus):
        b.add(events.SetTaskStatus(**b.base("set_status", n), task_id=task,
                                   status=effect.status))
        if effect.status == policy.status_closed:
            return "closed"
        return "manager" if effect.status == policy.status_manager else None
    if isinstance(effect, engine.StoreField):
        b.add(events.SetTaskField(**b.base("set_field", n), task_id=task, field=effect.field,
                                  value=effect.value))
        return None
    comment_id = events.derive_id("comment", event.id, "lookup", n, "bot")
    send = events.derive_id("send", comment_id)
    b.add(events.LookUpStatus(
        **b.base("lookup", n), task_id=task, chat=conv.chat, number=effect.number,
        answer_template=effect.answer_template, not_found_text=effect.not_found_text,
        comment_id=comment_id, send_id=send))
    # the answer's place in the chat's queue, kept now: task-sync writes the text, and the
    # customer's next message is never answered before it
    b.add(events.SendMessage(
        id=send, correlation_id=b.event.correlation_id, occurred_at=b.now, chat=conv.chat,
        task_id=task, comment_id=comment_id, text="", clear_unanswered=False,
        awaits_text=True))
    return None
