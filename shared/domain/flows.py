"""The bot's flows (issue 12): a tree of nodes with triggers, answers, sub-menus and actions.

Pure types (no I/O). A flow set is what one channel's bot (or the default bot) runs; it is
edited as a draft and published as an immutable, numbered version. The root node's answer is
the greeting, so the greeting always lists what the flow really offers.

The engine that runs a flow set is ``shared.domain.flow_engine`` (pure, deterministic: the
same state, message, flow version and time give the same step); bot-router's ``decide`` turns
its steps into commands, task-sync's simulator and replay call it directly.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.calendar import BusinessCalendar

DEFAULT_KEY = "default"  # the flow set of every channel without one of its own
HoursCondition = Literal["any", "open", "closed"]
Offer = Literal["text", "buttons", "list"]  # how a bot answer offers its choices


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    """One option a bot answer offers: a reply button or list row (``id``, the child node's
    id, comes back as the tap's payload), or a numbered line on gateways without them."""

    id: str
    title: str


class FlowAttachment(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A file task-sync holds (``POST /api/v1/files``), sent with a node's answer."""

    file_id: str
    file_name: str
    mime_type: str
    size: int = 0


class Triggers(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What selects a node among its siblings: a code is the whole message ("1"); a keyword
    (each one a synonym of the others) is a whole word or phrase anywhere in it, matched case-
    and ``ё``/``е``-insensitively and tolerant of one typo in words of 5+ letters; a payload is
    what a tapped button or list row carries (the node's id always is one)."""

    codes: list[str] = []
    keywords: list[str] = []
    payloads: list[str] = []


class HandOverAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True,
                     tag="hand_over"):
    """To people: the responsible employee by the seed's rule, or the named group. The
    node's own answer is what the customer reads (the flow's ``handover_text`` only when the
    node has none); outside business hours ``closed_handover_text`` follows it."""

    group_id: str | None = None


class SetStatusAction(msgspec.Struct, frozen=True, kw_only=True, tag="set_status"):
    """Move the task to ``status``; the dialogue goes on (a node with children stays a menu)."""

    status: str


class CloseAction(msgspec.Struct, frozen=True, kw_only=True, tag="close"):
    """Close the task after the node's answer; the next message starts a new dialogue."""


class AskAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag="ask"):
    """The node's answer is a question; the next message must match ``pattern`` (a Python
    regular expression, matched in full after trimming) and is stored as the task field
    ``field``. A wrong answer gets ``reask_text``; after ``max_tries`` wrong answers the chat
    is handed over. ``done_text`` thanks the customer (``{value}`` is the answer); then the
    menu of ``then`` (a node id; default: back to the asking node's parent; a ``then`` without
    children leaves the customer in its parent's menu). Nothing else is sent: the customer
    reads ``done_text`` and carries on in that menu."""

    field: str
    pattern: str
    reask_text: str
    max_tries: int = 3
    done_text: str = ""
    then: str | None = None


class LookupStatusAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True,
                         tag="lookup_status"):
    """The node's answer asks for a request's number; the next message that matches
    ``pattern`` is looked up (task-sync answers with that task's status only when it belongs
    to the same contact, phone-checked; otherwise ``not_found_text``). A wrong answer gets
    ``reask_text``, ``max_tries`` of them hand the chat over."""

    reask_text: str
    not_found_text: str
    answer_template: str = "Статус заявки {number}: {status}"
    pattern: str = r"\d{1,12}"
    max_tries: int = 3


Action = HandOverAction | SetStatusAction | CloseAction | AskAction | LookupStatusAction


class Node(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One step of the dialogue. ``id`` is stable across versions (decisions name it).

    ``answer`` is sent when the node is chosen; ``children`` are its sub-menu, offered as the
    admin wrote them in the answer (``offer="text"``), or as Meta reply buttons (up to 3) or a
    list (up to 10), which gateways without them render as numbered text ("2" then selects
    the second child offered). ``hours`` makes a node apply only while the business is open,
    or only while it is closed; siblings with the same triggers and opposite hours are how a
    flow answers differently at night. A node that hands over, closes or asks offers no
    children (they could never be chosen; ``flow_check`` refuses them). The root's triggers,
    action and hours are never used: it is the greeting and the main menu."""

    id: str
    title: str = ""  # the button / list row / numbered line that offers it
    triggers: Triggers = msgspec.field(default_factory=Triggers)
    answer: str = ""
    attachment: FlowAttachment | None = None
    offer: Offer = "text"
    children: list[Node] = []
    action: Action | None = None
    hours: HoursCondition = "any"


class Navigation(msgspec.Struct, frozen=True, kw_only=True):
    """Words that move in the menu from anywhere: one level up, and back to the root. Each
    is the whole message (normalised like codes) and is read before the menu's triggers,
    also while a question waits for its answer; the first message of a dialogue is matched
    against the root's children instead."""

    back: list[str] = msgspec.field(default_factory=lambda: ["0"])
    main: list[str] = msgspec.field(default_factory=lambda: ["меню", "#"])


class FlowSet(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A whole bot: its menu tree, navigation words and business hours.

    ``unmatched``: what a message no node matches does: ``hand_over`` (the seed's rule: a
    person answers, after ``handover_text``) or ``repeat`` (``repeat_text`` and the current
    menu again). Outside ``hours`` (None: always open) the greeting is followed by
    ``closed_text``, and a hand-over answers ``closed_handover_text`` with ``{opening}`` (the
    next opening, local time) while the task still goes to its queue."""

    key: str = DEFAULT_KEY  # "default" or a channel id
    root: Node
    navigation: Navigation = msgspec.field(default_factory=Navigation)
    unmatched: Literal["hand_over", "repeat"] = "hand_over"
    handover_text: str = ""
    repeat_text: str = "Не понял вас. Выберите пункт меню:"
    hours: BusinessCalendar | None = None
    closed_text: str = ""
    closed_handover_text: str = "Менеджер ответит вам {opening}."


class FlowVersion(msgspec.Struct, frozen=True, kw_only=True):
    """A published, immutable version of one key's flow set."""

    key: str
    version: int
    flow: FlowSet
    published_at: str  # ISO time
    published_by: str | None = None
    note: str = ""


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a flow set cannot be published: where (a node id, or "" for the set) and
    what, in words an admin understands (``shared.domain.flow_check``).

    Codes: duplicate_id, unreachable, duplicate_trigger, shadowed_trigger, navigation_word,
    empty_trigger, ask_without_pattern, ask_without_field, bad_pattern, unknown_then,
    bad_max_tries, unknown_group, unknown_status, dead_children, too_many_buttons,
    button_title_too_long, too_many_rows, row_title_too_long, number_taken, empty_answer,
    empty_greeting, root_action, bad_calendar."""

    node_id: str
    code: str
    message: str
