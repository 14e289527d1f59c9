"""The bot's part of ``shared.events``'s catalogue, kept here so that each module stays small:
the commands a flow's actions give task-sync (issue 12), and the broadcasts that the bot's
configuration changed."""

from __future__ import annotations

from shared.message_parts import ChatRef, Envelope


class SetTaskField(Envelope, frozen=True, kw_only=True, tag="task.set_field"):
    """Store the customer's answer to a flow's question as a field of the task."""

    task_id: str
    field: str
    value: str


class LookUpStatus(Envelope, frozen=True, kw_only=True, tag="task.lookup_status"):
    """The customer asks for the status of request ``number``: task-sync answers with
    ``answer_template`` (``{number}``, ``{status}``) only when that request is the asking
    task's customer's (phone-checked), else ``not_found_text``; the answer is the bot comment
    ``comment_id``, sent as ``send_id`` (both derived from the customer's message)."""

    task_id: str
    chat: ChatRef
    number: str
    answer_template: str
    not_found_text: str
    comment_id: str
    send_id: str


class ScenariosChanged(Envelope, frozen=True, kw_only=True, tag="scenarios.changed"):
    """An admin replaced the bot's scenarios; bot-router instances reload them."""

    version: int


class FlowsChanged(Envelope, frozen=True, kw_only=True, tag="flows.changed"):
    """An admin published (or restored) a version of the flow set ``key``; bot-router
    instances drop their cached copy of it."""

    key: str
    version: int
