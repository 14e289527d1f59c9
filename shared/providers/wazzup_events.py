"""Wazzup v3 webhook items as our events (pure; the schema is in ``wazzup_schema``).

Choices that depend on an unconfirmed fact of the Wazzup reference say so where they are made.
"""

from __future__ import annotations

import math
import mimetypes
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from shared.events import (
    ChannelUpdated,
    ChatRef,
    ContentType,
    MediaRef,
    MessageReceived,
    StatusUpdated,
)
from shared.providers.common import gateway_envelope
from shared.providers.http_answer import epoch_seconds, file_name_of
from shared.providers.wazzup_schema import ChannelUpdate, ListedChannel, Message, Status

NAME = "wazzup"

# Anything else (unsupported, unknown, system, types Wazzup adds later) becomes "unsupported".
_CONTENT_TYPES: dict[str, ContentType] = {
    "text": "text", "image": "image", "audio": "audio", "video": "video", "document": "document",
    "vcard": "vcard", "geo": "geo", "wapi_template": "template", "missing_call": "missed_call",
}
_MEDIA_TYPES = frozenset({"image", "sticker", "audio", "video", "document"})
# WhatsApp stickers arrive as `image`; only the file tells them apart.
_STICKER_SUFFIXES = (".was", ".webp")


class Participant(NamedTuple):
    id: str | None = None
    name: str | None = None
    phone: str | None = None


def message_event(item: Message, received_at: datetime) -> MessageReceived:
    text = item.text or ""
    envelope = gateway_envelope(
        received_at, NAME, "message", item.channelId, item.messageId,
        "edited" if item.isEdited else "",
        "deleted" if item.isDeleted else "",
        text if item.isEdited else "",
    )
    contact = item.contact
    content_type = _content_type(item.type, item.contentUri)
    participant = _participant(item)
    return MessageReceived(
        **envelope,
        chat=ChatRef(
            provider=NAME, channel_id=item.channelId, chat_type=item.chatType, chat_id=item.chatId
        ),
        gateway_message_id=item.messageId,
        content_type=content_type,
        text=text,
        raw_type=item.type,
        sent_at=_parse_time(item.dateTime),
        content_uri=item.contentUri,
        contact_name=contact.name if contact else None,
        contact_phone=_contact_phone(item),
        is_echo=item.isEcho,
        author_id=item.authorId,
        author_name=item.authorName,
        quoted_gateway_message_id=_quoted_id(item.quotedMessage),
        is_edited=item.isEdited,
        is_deleted=item.isDeleted,
        media=_media(content_type, item.contentUri),
        participant_id=participant.id,
        participant_name=participant.name,
        participant_phone=participant.phone,
    )


def status_event(item: Status, received_at: datetime) -> StatusUpdated:
    stamp = "" if item.timestamp is None else str(item.timestamp)
    error = item.error
    return StatusUpdated(
        **gateway_envelope(received_at, NAME, "status", item.messageId, item.status, stamp),
        provider=NAME,
        gateway_message_id=item.messageId,
        status=item.status.lower(),
        at=_parse_time(item.timestamp),
        error_code=error.error if error else None,
        error_text=error.description if error else None,
    )


def channel_event(item: ChannelUpdate, received_at: datetime) -> ChannelUpdated:
    stamp = "" if item.timestamp is None else str(item.timestamp)
    return ChannelUpdated(
        **gateway_envelope(received_at, NAME, "channel", item.channelId, item.state, stamp),
        provider=NAME,
        channel_id=item.channelId,
        state=item.state.lower(),
        tier=item.tier,
        at=_changed_at(item.timestamp),
    )


def _changed_at(timestamp: str | int | float | None) -> datetime | None:
    """Wazzup's channel ``timestamp`` is in milliseconds."""
    if timestamp is None or isinstance(timestamp, bool):
        return None
    try:
        return epoch_seconds(float(timestamp) / 1000)
    except ValueError:
        return None


def channel_listed(item: ListedChannel, received_at: datetime) -> ChannelUpdated:
    """A channel from ``GET /v3/channels``: its state and transport."""
    state = item.state.lower()
    return ChannelUpdated(**gateway_envelope(received_at, NAME, "channel-listed", item.channelId,
                                             state, item.transport or ""),
                          provider=NAME, channel_id=item.channelId, state=state,
                          transport=(item.transport or "").lower() or None)


def _content_type(raw_type: str, content_uri: str | None) -> ContentType:
    mapped = _CONTENT_TYPES.get(raw_type, "unsupported")
    if mapped == "image" and content_uri:
        if urlsplit(content_uri).path.lower().endswith(_STICKER_SUFFIXES):
            return "sticker"
    return mapped


def _contact_phone(item: Message) -> str | None:
    if item.contact and item.contact.phone:
        return item.contact.phone
    # For WhatsApp the chat id is the number; Wazzup sends `contact.phone` only for Telegram/MAX.
    if item.chatType == "whatsapp":
        digits = "".join(ch for ch in item.chatId if ch.isdigit())
        return digits or None
    return None


def _quoted_id(quoted: object) -> str | None:
    # The shape of quotedMessage is unconfirmed: use its messageId only when it is plainly there.
    if isinstance(quoted, dict):
        value = quoted.get("messageId")
        if isinstance(value, str) and value:
            return value
    return None


def _parse_time(value: object) -> datetime | None:
    """An ISO string or epoch milliseconds as an aware UTC datetime; None when unusable."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(value, int | float) and math.isfinite(value):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _media(content_type: ContentType, content_uri: str | None) -> MediaRef | None:
    if content_type not in _MEDIA_TYPES or not content_uri:
        return None
    # Wazzup's store keeps the original file name as the last path segment.
    file_name = file_name_of(content_uri)
    mime_type = mimetypes.guess_type(file_name)[0] if file_name else None
    return MediaRef(url=content_uri, file_name=file_name, mime_type=mime_type)


def _participant(item: Message) -> Participant:
    """Who wrote a group message. UNCONFIRMED: Wazzup documents no participant field; we guess
    ``authorId``/``authorName`` (documented for echoes only) and ``contact.name``/``phone``,
    which may describe the group rather than the person. Check against real payloads."""
    if item.chatType != "whatsgroup" or item.isEcho:
        return Participant()
    contact = item.contact
    phone = contact.phone if contact and contact.phone else None
    if not (item.authorId or item.authorName or phone):
        # A bare `contact.name` is often the group's own name: it identifies nobody.
        return Participant()
    name = item.authorName or (contact.name if contact else None)
    return Participant(id=item.authorId or phone, name=name, phone=phone)
