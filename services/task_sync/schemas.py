"""Request bodies of the task and comment API, as msgspec Structs (validated on decoding and
described by the OpenAPI document)."""

from __future__ import annotations

import msgspec

from shared.domain.scenarios import Scenario


class TaskPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: str


class ScenariosIn(msgspec.Struct, forbid_unknown_fields=True):
    items: list[Scenario]


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str = ""
    reply_to: str | None = None
    hold: bool = False  # after the 24-hour window closed: send when the customer writes again
    # an approved template instead of text (outside WhatsApp Business's 24-hour window)
    template_id: str | None = None
    template_values: list[str] = []
    template_language: str | None = None

    def __post_init__(self) -> None:
        if len(self.text) > 10_000:
            raise ValueError("text is longer than 10000 characters (WhatsApp's limit)")
        if self.template_id is not None and (self.text.strip() or self.hold):
            raise ValueError("give text or template_id, not both (a template is held by no one)")


class ConversationIn(msgspec.Struct, forbid_unknown_fields=True):
    channel_id: str
    provider: str = "wazzup"
    connection: str = ""  # which configured connection sends; default: the provider's only one
    contact_id: str | None = None
    phone: str | None = None
    text: str = ""
    template_id: str | None = None
    template_values: list[str] = []
    template_language: str | None = None
    assignee_user_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.contact_id or self.phone):
            raise ValueError("give contact_id or phone")
        if not (self.text.strip() or self.template_id):
            raise ValueError("give text or template_id")


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    """To a user (the task's group stays), or to a group's queue (no user)."""

    user_id: str | None = None
    group_id: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.group_id is None):
            raise ValueError("give exactly one of user_id and group_id")
