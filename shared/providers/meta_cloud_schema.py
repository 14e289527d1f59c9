"""The shape of a Meta WhatsApp Cloud API webhook notification, as msgspec Structs.

Field names are Meta's own so validation errors name the path as the payload spells it. Unknown
fields are ignored; only what routes an item is required, because Meta adds fields often
(``user_id`` in 2026, ``url`` on media from v24).
"""

from __future__ import annotations

from typing import Any

import msgspec


class Profile(msgspec.Struct, kw_only=True):
    name: str | None = None
    username: str | None = None


class Contact(msgspec.Struct, kw_only=True):
    profile: Profile | None = None
    wa_id: str | None = None
    # Business-scoped user id (2026): present even when the phone number is withheld; the
    # parent id appears where the business has linked portfolios.
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None


class Metadata(msgspec.Struct, kw_only=True):
    phone_number_id: str
    display_phone_number: str | None = None


class Context(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    id: str | None = None
    from_: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False


class Text(msgspec.Struct, kw_only=True):
    body: str = ""


class Media(msgspec.Struct, kw_only=True):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False


class Location(msgspec.Struct, kw_only=True):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None


class Reply(msgspec.Struct, kw_only=True):
    id: str = ""
    title: str = ""
    description: str | None = None


class FlowReply(msgspec.Struct, kw_only=True):
    body: str = ""
    name: str | None = None
    response_json: str | None = None


class Interactive(msgspec.Struct, kw_only=True):
    type: str = ""
    button_reply: Reply | None = None
    list_reply: Reply | None = None
    nfm_reply: FlowReply | None = None


class Button(msgspec.Struct, kw_only=True):
    payload: str | None = None
    text: str = ""


class Reaction(msgspec.Struct, kw_only=True):
    message_id: str | None = None
    # Empty or missing when the customer removed the reaction.
    emoji: str | None = None


class Error(msgspec.Struct, kw_only=True):
    code: int | str | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class System(msgspec.Struct, kw_only=True):
    """A change on the customer's side: ``user_changed_number`` (``new_wa_id``) or
    ``user_changed_user_id`` (the new BSUID)."""

    type: str = ""
    body: str = ""
    new_wa_id: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    new_user_id: str | None = None
    parent_user_id: str | None = None


class Unsupported(msgspec.Struct, kw_only=True):
    type: str | None = None


class Body(msgspec.Struct, kw_only=True):
    """The content of a message: the object named by ``type``."""

    type: str = "unknown"
    text: Text | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[dict[str, Any]] = []
    interactive: Interactive | None = None
    button: Button | None = None
    reaction: Reaction | None = None
    errors: list[Error] = []
    unsupported: Unsupported | None = None


class Revised(msgspec.Struct, kw_only=True):
    """``edit`` (with the new content) and ``revoke`` name the message they change."""

    original_message_id: str | None = None
    message_id: str | None = None
    message: Body | None = None


class Message(Body, kw_only=True, rename={"from_": "from"}):
    id: str
    # `from` can be left out for a user with a username (2026); the BSUID remains.
    from_: str | None = None
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    timestamp: str | int | None = None
    context: Context | None = None
    group_id: str | None = None
    system: System | None = None
    edit: Revised | None = None
    revoke: Revised | None = None
    # echoes (`smb_message_echoes`): what the business sent from the WhatsApp Business app
    to: str | None = None
    to_user_id: str | None = None


class Pricing(msgspec.Struct, kw_only=True):
    category: str | None = None
    type: str | None = None
    pricing_model: str | None = None


class Status(msgspec.Struct, kw_only=True):
    id: str
    status: str
    timestamp: str | int | None = None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: list[Error] = []
    pricing: Pricing | None = None


class Value(msgspec.Struct, kw_only=True):
    """The ``value`` of a ``messages`` change; other fields' values are not decoded."""

    metadata: Metadata
    messaging_product: str | None = None
    contacts: list[Contact] = []
    messages: list[Message] = []
    message_echoes: list[Message] = []
    statuses: list[Status] = []
    errors: list[Error] = []


class TemplateUpdate(msgspec.Struct, kw_only=True):
    """The ``value`` of ``message_template_status_update`` / ``template_category_update``."""

    event: str | None = None
    message_template_id: int | str | None = None
    message_template_name: str | None = None
    message_template_language: str | None = None
    reason: str | None = None
    message_template_category: str | None = None
    new_category: str | None = None


class Change(msgspec.Struct, kw_only=True):
    field: str
    # Decoded as `Value` only for field "messages": other fields carry other shapes.
    value: msgspec.Raw = msgspec.Raw(b"null")


class Entry(msgspec.Struct, kw_only=True):
    id: str | None = None
    changes: list[Change] = []


class Notification(msgspec.Struct, kw_only=True):
    object: str
    entry: list[Entry]


OBJECT = "whatsapp_business_account"
