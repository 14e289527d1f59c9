"""Commands a bot flow's actions give task-sync (issue 12); part of ``shared.events``'s
catalogue, kept here so that each module stays small."""

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
