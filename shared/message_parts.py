"""What every bus message is made of: ids, and the value types messages carry
(a chat, a file, a form). The messages themselves are in ``shared.events``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

import msgspec

from shared.domain.flows import Choice as Choice  # re-exported: one type, in the domain
from shared.domain.flows import Offer as Offer

SCHEMA_VERSION = 1
_ID_NAMESPACE = uuid.UUID("0f8b6a52-3c1e-4d7a-9a47-5b0c2e1d9f10")

ContentType = Literal[
    "text", "image", "audio", "video", "document", "sticker", "vcard", "geo", "template",
    "missed_call", "reaction", "interactive", "unsupported", "system",
]
Direction = Literal["in", "out"]
AuthorKind = Literal["customer", "bot", "user", "participant", "system"]
ConversationState = Literal["bot", "manager", "closed"]


def derive_id(*parts: str) -> str:
    """A deterministic id from stable parts, so a redelivered input yields the same ids."""
    return uuid.uuid5(_ID_NAMESPACE, "\x1f".join(parts)).hex


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class ChatRef(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where a conversation lives: the channel (one company number) and the chat in it."""

    provider: str
    channel_id: str
    chat_type: str
    chat_id: str
    connection: str = ""  # our configured gateway connection it arrived on (replies leave there)
    # Where sends go when it is not ``chat_id``: the customer changed number (or BSUID) while the
    # conversation keeps the key it was opened with.
    address: str = ""

    @property
    def key(self) -> str:
        return f"{self.channel_id}:{self.chat_type}:{self.chat_id}"

    @property
    def send_to(self) -> str:
        """The identifier a send addresses: the current address, else the chat id."""
        return self.address or self.chat_id


class FormField(msgspec.Struct, frozen=True, kw_only=True):
    """One answer of a form the customer submitted (a WhatsApp Flow): a readable label, the
    value as text, and the flow's own field name."""

    label: str
    value: str
    name: str = ""


class MediaRef(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A file a gateway holds: by URL (Wazzup, chat-api) or by media id (Meta Cloud API)."""

    url: str | None = None
    media_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


class Attachment(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A file we hold (GridFS id), attached to a comment or a send."""

    file_id: str
    file_name: str
    mime_type: str
    size: int


class Envelope(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Fields every bus message carries (the messages are in ``shared.events``)."""

    id: str
    correlation_id: str
    occurred_at: datetime
    schema_version: int = SCHEMA_VERSION
