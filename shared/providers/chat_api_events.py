"""chat-api.com webhook items as our events (pure; the schema is in ``chat_api_schema``)."""

from __future__ import annotations

import mimetypes
from datetime import datetime

from shared.events import ChatRef, ContentType, MediaRef, MessageReceived, StatusUpdated
from shared.providers.chat_api_schema import Ack, Message
from shared.providers.common import gateway_envelope
from shared.providers.http_answer import epoch_seconds, file_name_of

NAME = "chat_api"

# Anything else (call_log, types added later) becomes "unsupported" with its raw type kept.
_CONTENT_TYPES: dict[str, ContentType] = {
    "chat": "text", "image": "image", "ptt": "audio", "audio": "audio", "video": "video",
    "document": "document", "sticker": "sticker", "location": "geo", "vcard": "vcard",
}
_MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
# chat-api's "viewed" is our "read"; the other values are passed on as they are.
_STATUSES = {"viewed": "read"}
_GROUP_SUFFIX = "@g.us"


def message_event(item: Message, channel_id: str, received_at: datetime) -> MessageReceived:
    """One message; in a group ``author`` names the participant who wrote it."""
    content_type = _CONTENT_TYPES.get(item.type, "unsupported")
    is_media = content_type in _MEDIA_TYPES
    body = item.body or ""
    in_group = item.chatId.endswith(_GROUP_SUFFIX)
    return MessageReceived(
        **gateway_envelope(received_at, NAME, "message", channel_id, item.id),
        chat=ChatRef(provider=NAME, channel_id=channel_id,
                     chat_type="whatsgroup" if in_group else "whatsapp", chat_id=item.chatId),
        gateway_message_id=item.id,
        content_type=content_type,
        # For media `body` is the download URL; the customer's words are in `caption`.
        text=(item.caption or "") if is_media else body,
        raw_type=item.type,
        sent_at=epoch_seconds(item.time),
        content_uri=body if is_media and body else None,
        contact_name=item.chatName if in_group else (item.senderName or item.chatName),
        contact_phone=None if in_group else _phone(item.chatId),
        is_echo=item.fromMe,
        quoted_gateway_message_id=item.quotedMsgId or None,
        media=_media(body) if is_media and body else None,
        participant_id=item.author if in_group else None,
        participant_name=item.senderName if in_group else None,
        participant_phone=_phone(item.author) if in_group and item.author else None,
    )


def ack_event(item: Ack, channel_id: str, received_at: datetime) -> StatusUpdated:
    status = _STATUSES.get(item.status.lower(), item.status.lower())
    return StatusUpdated(
        **gateway_envelope(received_at, NAME, "status", item.id, status),
        provider=NAME,
        gateway_message_id=item.id,
        status=status,
        channel_id=channel_id,
        chat_id=item.chatId,
    )


def _phone(whatsapp_id: str) -> str | None:
    """The digits of a ``79011112233@c.us`` id; None for anything else (groups, odd ids)."""
    local, _, domain = whatsapp_id.partition("@")
    if domain not in ("c.us", "s.whatsapp.net") or not local.isdigit():
        return None
    return local


def _media(url: str) -> MediaRef:
    file_name = file_name_of(url)
    mime_type = mimetypes.guess_type(file_name)[0] if file_name else None
    return MediaRef(url=url, file_name=file_name, mime_type=mime_type)
