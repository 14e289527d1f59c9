"""The shape of a Wazzup v3 webhook delivery, as msgspec Structs.

Field names are Wazzup's own (camelCase) so that validation errors name the path the way the
payload spells it (``$.messages[0].chatId``). Unknown fields are ignored by msgspec. Only the
fields that route a message are required; everything else is optional because the documentation
is incomplete and Wazzup adds fields without notice.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Contact(msgspec.Struct, kw_only=True):
    name: str | None = None
    phone: str | None = None
    username: str | None = None
    avatarUri: str | None = None


class ErrorInfo(msgspec.Struct, kw_only=True):
    error: str | None = None
    description: str | None = None
    data: Any = None


class Message(msgspec.Struct, kw_only=True):
    messageId: str
    channelId: str
    chatType: str
    chatId: str
    # A message with an unexpected `type` must still reach the chat as "unsupported".
    type: str = "unknown"
    # Typed loosely: an odd timestamp must cost us `sent_at`, not the whole delivery.
    dateTime: Any = None
    status: str | None = None
    text: str | None = None
    contentUri: str | None = None
    contact: Contact | None = None
    isEcho: bool = False
    authorId: str | None = None
    authorName: str | None = None
    # Documented only as "object"; read defensively in the parser.
    quotedMessage: Any = None
    isEdited: bool = False
    isDeleted: bool = False


class Status(msgspec.Struct, kw_only=True):
    messageId: str
    status: str
    # Documented as ISO; tolerated as a number too (milliseconds, like channelsUpdates).
    timestamp: str | int | float | None = None
    error: ErrorInfo | None = None


class ChannelUpdate(msgspec.Struct, kw_only=True):
    channelId: str
    state: str
    timestamp: str | int | float | None = None
    tier: str | None = None


class ListedChannel(msgspec.Struct, kw_only=True):
    """One item of ``GET /v3/channels``."""

    channelId: str
    state: str
    transport: str | None = None
    plainId: str | None = None


class ContactData(msgspec.Struct, kw_only=True):
    chatType: str
    chatId: str
    username: str | None = None
    phone: str | None = None


class CreateContact(msgspec.Struct, kw_only=True):
    """Wazzup asks the CRM to create a client card (contactsAndDealsCreation)."""

    name: str
    contactData: list[ContactData]
    responsibleUserId: str | None = None
    source: str | None = None


class CreateDeal(msgspec.Struct, kw_only=True):
    contacts: list[str]
    responsibleUserId: str | None = None
    source: str | None = None


class Delivery(msgspec.Struct, kw_only=True):
    """One POST to our webhook URI; any combination of the arrays may be present."""

    test: Any = None
    messages: list[Message] = []
    statuses: list[Status] = []
    channelsUpdates: list[ChannelUpdate] = []
    createContact: CreateContact | None = None
    createDeal: CreateDeal | None = None


# Top-level keys whose content becomes events or a reply; every other key is reported as ignored.
HANDLED_KEYS = frozenset({"test", "messages", "statuses", "channelsUpdates", "createContact",
                          "createDeal"})
