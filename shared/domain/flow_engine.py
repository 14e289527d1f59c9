"""Runs a flow set (pure, deterministic): a message and the dialogue's state in, the bot's
replies, the effects to apply and the new state out.

bot-router's ``decide`` turns a ``Step`` into commands; task-sync's simulator and replay call
``start``/``step`` directly, so the same flow version, state, message and time always give the
same step: no clock reads, no randomness, nothing remembered between calls.

Where the customer is lives in ``FlowState``: the current menu (a node whose children are the
choices), and whether its node asked a question. Rules, in the order they apply:
quiet messages (a 👍, a sticker) change nothing; navigation words go one level up or to the
root; an open question takes the message as its answer; otherwise the current menu's children
are matched (``flow_match``); a message nothing matches hands over or repeats the menu.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

import msgspec

from shared.domain.flow_hours import flow_is_open, next_opening_words, visible_children
from shared.domain.flow_match import by_payload, is_one_of, match, offered_title
from shared.domain.flows import (
    AskAction,
    Choice,
    CloseAction,
    FlowAttachment,
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Offer,
    SetStatusAction,
)

QUIET_CONTENT = frozenset({"reaction", "sticker", "geo", "vcard"})
CHOICE_CONTENT = frozenset({"interactive", "button"})
_LEAVES_MENU = (HandOverAction, CloseAction, AskAction, LookupStatusAction)
MAX_ANSWER_CHARS = 200  # longer answers to a question are wrong (and never reach a pattern)


class FlowState(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where the customer is in the flow, kept by bot-router with the conversation."""

    node_id: str | None = None  # the menu the customer is in (None: the root)
    waiting: Literal["ask", "lookup"] | None = None  # the current node asked a question
    tries: int = 0  # wrong answers to it so far


class Incoming(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A customer message as the engine reads it (see ``incoming_from``)."""

    text: str = ""
    payload: str | None = None  # a tapped button / list row
    kind: Literal["text", "choice", "quiet", "other"] = "text"
    # a submitted form's answers by field name: a question whose ``field`` is among them takes
    # its answer from the form (asked or not yet asked)
    form: dict[str, str] = {}
    # quiet: a reaction, sticker, place or card (asks nobody for anything: no answer, state kept)
    # other: media or anything the bot cannot read (treated like unmatched text)


class Reply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One message the bot sends."""

    text: str
    attachment: FlowAttachment | None = None
    offer: Offer = "text"  # how ``choices`` go out (buttons / list on Meta)
    choices: list[Choice] = []
    node_id: str | None = None  # the node that answered


class HandOver(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag="hand_over"):
    """The chat goes to people: ``group_id``, or the seed's rule (responsible, else group)."""

    group_id: str | None = None


class SetStatus(msgspec.Struct, frozen=True, kw_only=True, tag="set_status"):
    status: str


class Close(msgspec.Struct, frozen=True, kw_only=True, tag="close"):
    pass


class StoreField(msgspec.Struct, frozen=True, kw_only=True, tag="store_field"):
    """An asked value to keep as the task's field."""

    field: str
    value: str


class LookUp(msgspec.Struct, frozen=True, kw_only=True, tag="lookup"):
    """Look up request ``number`` for this chat's contact only; task-sync sends
    ``answer_template`` ({number}, {status}) or ``not_found_text`` (the engine sends nothing)."""

    number: str
    answer_template: str
    not_found_text: str


Effect = HandOver | SetStatus | Close | StoreField | LookUp


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """What one message does: replies to send in order, then effects to apply.

    ``node_id`` names what the message hit: the chosen node; the menu a navigation word
    showed again; the asking node for an accepted answer; None for a wrong answer or a
    message nothing matched (replay compares it between versions).
    """

    state: FlowState
    replies: list[Reply]
    effects: list[Effect]
    node_id: str | None  # the node the message selected (None: none matched)
    open: bool  # business hours open at ``now``


class _Turn(msgspec.Struct, frozen=True, kw_only=True):
    """One call's inputs that every rule needs."""

    flow: FlowSet
    now: datetime
    open: bool

    def step(self, state: FlowState, replies: list[Reply], effects: list[Effect] | None = None,
             node_id: str | None = None) -> Step:
        return Step(state=state, replies=replies, effects=effects or [], node_id=node_id,
                    open=self.open)


def start(flow: FlowSet, message: Incoming, now: datetime) -> Step:
    """The first message of a conversation: the greeting (root answer with its offer; when
    closed, followed by ``closed_text``), and when the message itself selects a root child,
    that child's step too (today's behaviour: greeting + scenario answer)."""
    turn = _Turn(flow=flow, now=now, open=flow_is_open(flow, now))
    greeting = [r for r in [_reply(flow.root, turn.open, menu=True)] if r is not None]
    if not turn.open and flow.closed_text:
        greeting.append(Reply(text=flow.closed_text))
    if message.kind in ("quiet", "other"):
        return turn.step(FlowState(), greeting)
    children = visible_children(flow.root, turn.open)
    chosen = match(children, message.text, message.payload, numbered=flow.root.offer != "text")
    if chosen is None:
        return turn.step(FlowState(), greeting)
    then = _select(turn, [flow.root], chosen, message)
    return turn.step(then.state, greeting + then.replies, then.effects, then.node_id)


def step(flow: FlowSet, state: FlowState, message: Incoming, now: datetime) -> Step:
    """Any later message of the bot dialogue."""
    turn = _Turn(flow=flow, now=now, open=flow_is_open(flow, now))
    path = _path_to(flow.root, state.node_id) if state.node_id else [flow.root]
    if path is None:  # a newer version dropped the node: start over from the root
        path, state = [flow.root], FlowState()
    if message.kind == "quiet":
        return turn.step(state, [])
    asking = _question(path[-1]) if state.waiting else None
    if message.kind in ("text", "choice"):
        moved = _navigate(turn, path, message.text, asked=asking is not None)
        if moved is not None:
            return moved
    if asking is not None:
        return _answer(turn, path, state, message)
    return _choose(turn, _menu_path(path), message)


def _path_to(root: Node, node_id: str) -> list[Node] | None:
    """The nodes from the root down to ``node_id`` (None when the flow has no such node)."""
    if root.id == node_id:
        return [root]
    path = [root]
    pending = [iter(root.children)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            path.pop()
        elif child.id == node_id:
            return [*path, child]
        elif child.children:
            path.append(child)
            pending.append(iter(child.children))
    return None


def _menu_path(path: list[Node]) -> list[Node]:
    """``path`` cut to the deepest node that has a sub-menu (the root at least)."""
    while len(path) > 1 and not path[-1].children:
        path = path[:-1]
    return path


def _question(node: Node) -> AskAction | LookupStatusAction | None:
    action = node.action
    return action if isinstance(action, AskAction | LookupStatusAction) else None


def _leads_on(node: Node) -> bool:
    """Whether a customer stays in the flow after ``node`` (its children can be chosen);
    hand-overs, closes and questions take them elsewhere."""
    return not isinstance(node.action, _LEAVES_MENU)


def _reply(node: Node, open_now: bool, *, menu: bool = False) -> Reply | None:
    """``node``'s answer with its sub-menu offered (None when it has nothing to say); a node
    that leads elsewhere offers no buttons nobody could use. ``menu``: offered as the menu
    the customer is in whatever its action (the root, a menu shown again)."""
    offers = node.offer != "text" and (menu or _leads_on(node))
    choices = [] if not offers else [
        Choice(id=child.id, title=offered_title(child))
        for child in visible_children(node, open_now)]
    if not node.answer and node.attachment is None and not choices:
        return None
    return Reply(text=node.answer, attachment=node.attachment,
                 offer=node.offer if choices else "text", choices=choices, node_id=node.id)


def _menu_state(path: list[Node]) -> FlowState:
    return FlowState(node_id=path[-1].id if len(path) > 1 else None)


def _navigate(turn: _Turn, path: list[Node], text: str, *, asked: bool) -> Step | None:
    """"меню" to the root, "0" one level up (from a question: back to the menu that offered
    it); the menu's answer again. None when ``text`` is no navigation word."""
    words = turn.flow.navigation
    if is_one_of(text, words.main):
        target = [turn.flow.root]
    elif is_one_of(text, words.back):
        menu = path if asked else _menu_path(path)
        target = _menu_path(menu[:-1] or menu)
    else:
        return None
    replies = [r for r in [_reply(target[-1], turn.open, menu=True)] if r is not None]
    return turn.step(_menu_state(target), replies, node_id=target[-1].id)


def _choose(turn: _Turn, menu: list[Node], message: Incoming) -> Step:
    """The current menu's child the message selects, or the unmatched rule."""
    chosen = None
    if message.kind != "other":
        children = visible_children(menu[-1], turn.open)
        chosen = match(children, message.text, message.payload,
                       numbered=menu[-1].offer != "text")
    if chosen is not None:
        return _select(turn, menu, chosen, message)
    tapped = _tapped_elsewhere(turn, message.payload)
    if tapped is not None:
        return _select(turn, tapped[:-1], tapped[-1])
    if turn.flow.unmatched == "repeat":
        again = _reply(menu[-1], turn.open, menu=True)
        text = "\n\n".join(t for t in [turn.flow.repeat_text, again.text if again else ""] if t)
        reply = Reply(text=text, offer=again.offer if again else "text",
                      choices=again.choices if again else [], node_id=menu[-1].id)
        return turn.step(_menu_state(menu), [reply] if text or reply.choices else [])
    replies, effects = _hand_over(turn, [], None)
    return turn.step(FlowState(), replies, effects)


def _tapped_elsewhere(turn: _Turn, payload: str | None) -> list[Node] | None:
    """The path to a node whose button the customer tapped in an earlier menu's message
    (node ids are unique in a flow, so an old tap is still unambiguous)."""
    if not payload:
        return None
    path = _path_to(turn.flow.root, payload)
    if path is None or len(path) < 2 or path[-2].offer == "text":
        return None
    if len(path) > 2 and not _leads_on(path[-2]):
        return None  # under a hand-over or a question: never offered
    if by_payload(visible_children(path[-2], turn.open), payload) is not path[-1]:
        return None  # hidden now, or another node there answers to that payload
    return path


def _select(turn: _Turn, menu: list[Node], node: Node, message: Incoming | None = None
            ) -> Step:
    """``node`` (a child of ``menu[-1]``) chosen: its answer, then its action (a question the
    message's form already answers is not asked)."""
    action = node.action
    value = _form_answer(action, message)
    if isinstance(action, AskAction) and value is not None:
        return _accept(turn, [*menu, node], action, value)
    replies = [r for r in [_reply(node, turn.open)] if r is not None]
    if isinstance(action, HandOverAction):
        said, handed = _hand_over(turn, replies, action.group_id)
        return turn.step(FlowState(), said, handed, node.id)
    if isinstance(action, CloseAction):
        return turn.step(FlowState(), replies, [Close()], node.id)
    if isinstance(action, AskAction | LookupStatusAction):
        waiting: Literal["ask", "lookup"] = "ask" if isinstance(action, AskAction) else "lookup"
        return turn.step(FlowState(node_id=node.id, waiting=waiting), replies, node_id=node.id)
    effects: list[Effect] = (
        [SetStatus(status=action.status)] if isinstance(action, SetStatusAction) else [])
    state = _menu_state([*menu, node]) if node.children else _menu_state(menu)
    return turn.step(state, replies, effects, node.id)


def _hand_over(turn: _Turn, replies: list[Reply], group_id: str | None
               ) -> tuple[list[Reply], list[Effect]]:
    """To people: the node's own answer (else ``handover_text``); when closed, the promise of
    the next opening after it (the task is queued all the same)."""
    flow = turn.flow
    replies = list(replies)
    if not turn.open and flow.closed_handover_text:
        opening = next_opening_words(flow, turn.now)
        replies.append(Reply(text=flow.closed_handover_text.replace("{opening}", opening)))
    elif not replies and flow.handover_text:
        replies.append(Reply(text=flow.handover_text))
    return replies, [HandOver(group_id=group_id)]


def _answer(turn: _Turn, path: list[Node], state: FlowState, message: Incoming) -> Step:
    """The message answers the current node's question: kept (or looked up) when it fits the
    pattern, else asked again until the tries run out and people take over."""
    node = path[-1]
    question = _question(node)
    assert question is not None  # step() only comes here for a node that asks
    tapped = _tapped_elsewhere(turn, message.payload)
    if tapped is not None:  # a button of an earlier menu: the customer moved on
        return _select(turn, tapped[:-1], tapped[-1])
    value = _form_answer(question, message)
    if value is None and message.kind in ("text", "choice"):
        value = message.text.strip()
    if value and len(value) <= MAX_ANSWER_CHARS and _fits(question.pattern, value):
        if isinstance(question, AskAction):
            return _accept(turn, path, question, value)
        lookup = LookUp(number=value, answer_template=question.answer_template,
                        not_found_text=question.not_found_text)
        return turn.step(_menu_state(_menu_path(path[:-1])), [], [lookup], node.id)
    tries = state.tries + 1
    if tries >= question.max_tries:
        replies, effects = _hand_over(turn, [], None)
        return turn.step(FlowState(), replies, effects)
    reask = [Reply(text=question.reask_text, node_id=node.id)] if question.reask_text else []
    return turn.step(msgspec.structs.replace(state, tries=tries), reask)


def _accept(turn: _Turn, path: list[Node], question: AskAction, value: str) -> Step:
    """``value`` answers the question of ``path[-1]``: kept, thanked, on to its ``then``."""
    done = question.done_text.replace("{value}", value)
    then = _path_to(turn.flow.root, question.then) if question.then else None
    menu = _menu_path(then or path[:-1])
    return turn.step(_menu_state(menu), [Reply(text=done, node_id=path[-1].id)] if done else [],
                     [StoreField(field=question.field, value=value)], path[-1].id)


def _form_answer(action: object, message: Incoming | None) -> str | None:
    """The submitted form's value for the question's field when it is a valid answer (None:
    no form, no such field, or a value the pattern refuses)."""
    if message is None or not isinstance(action, AskAction):
        return None
    value = message.form.get(action.field, "").strip()
    if value and len(value) <= MAX_ANSWER_CHARS and _fits(action.pattern, value):
        return value
    return None


def _fits(pattern: str, value: str) -> bool:
    """Whether ``value`` is all of ``pattern`` (a pattern that does not compile fits nothing:
    the check refuses to publish it, an older version still must not crash the bot)."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def render_numbered(reply: Reply) -> str:
    """The reply as gateways without buttons show it: the text, then "1. title" lines."""
    lines = [f"{n}. {choice.title}" for n, choice in enumerate(reply.choices, start=1)]
    if not lines:
        return reply.text
    return "\n\n".join(part for part in [reply.text, "\n".join(lines)] if part)


def incoming_from(content_type: str, text: str, payload: str | None) -> Incoming:
    """A received message's content type, text and tapped payload as the engine reads them."""
    if content_type in QUIET_CONTENT:
        return Incoming(text=text, kind="quiet")
    if content_type in CHOICE_CONTENT or payload:
        return Incoming(text=text, payload=payload or None, kind="choice")
    if content_type == "text":
        return Incoming(text=text)
    return Incoming(text=text, kind="other")
