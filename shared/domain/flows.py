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
Offer = Literal["text", "buttons", "list"]


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
    """To people: the responsible employee by the seed's rule, or the named group."""

    group_id: str | None = None


class SetStatusAction(msgspec.Struct, frozen=True, kw_only=True, tag="set_status"):
    status: str


class CloseAction(msgspec.Struct, frozen=True, kw_only=True, tag="close"):
    pass


class AskAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag="ask"):
    """The node's answer is a question; the next message must match ``pattern`` (a Python
    regular expression, matched in full after trimming) and is stored as the task field
    ``field``. A wrong answer gets ``reask_text``; after ``max_tries`` wrong answers the chat
    is handed over. ``done_text`` thanks the customer (``{value}`` is the answer); then the
    menu of ``then`` (a node id; default: back to the asking node's parent)."""

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
    list (up to 10), which gateways without them render as numbered text. ``hours`` makes a
    node apply only while the business is open, or only while it is closed."""

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
    """Words that move in the menu from anywhere: one level up, and back to the root."""

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
    what, in words an admin understands."""

    node_id: str
    code: str  # unreachable, duplicate_trigger, ask_without_pattern, bad_pattern, unknown_group...
    message: str
