"""Meta Cloud API notification items as our events (pure; the schema is in ``meta_cloud_schema``).

Every entry, change, message and status becomes an event: a batched notification must never
lose its later items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from shared.events import ChatRef, ContentType, MediaRef, MessageReceived, StatusUpdated
from shared.providers.base import GatewayAccount
from shared.providers.common import gateway_envelope
from shared.providers.http_answer import epoch_seconds
from shared.providers.meta_cloud_schema import Contact, Error, Media, Message, Status, Value

NAME = "meta"

_MEDIA_TYPES: dict[str, ContentType] = {
    "image": "image", "audio": "audio", "video": "video", "document": "document",
    "sticker": "sticker",
}


class Content(NamedTuple):
    content_type: ContentType
    text: str = ""
    media: MediaRef | None = None
    reaction: str | None = None
    reply_payload: str | None = None
    reacted_to: str | None = None


def message_event(
    item: Message, value: Value, account: GatewayAccount, received_at: datetime
) -> MessageReceived:
    """One inbound message (or reaction, or button tap) of a ``messages`` change."""
    phone_number_id = value.metadata.phone_number_id
    contact = _contact_for(item, value.contacts)
    sender_id = (contact.user_id if contact else None) or item.from_ or (
        contact.wa_id if contact else None
    )
    phone = item.from_ or (contact.wa_id if contact else None)
    name = contact.profile.name if contact and contact.profile else None
    content = _content(item)
    channel = account.channel_id or phone_number_id
    in_group = item.group_id is not None
    chat = ChatRef(
        provider=NAME, channel_id=channel,
        chat_type="whatsgroup" if in_group else "whatsapp",
        # The BSUID is the stable key when Meta sends one; the phone can be withheld.
        chat_id=item.group_id or sender_id or "",
    )
    quoted = content.reacted_to or (item.context.id if item.context else None)
    return MessageReceived(
        **gateway_envelope(received_at, NAME, "message", phone_number_id, item.id),
        chat=chat,
        gateway_message_id=item.id,
        content_type=content.content_type,
        text=content.text,
        raw_type=item.type,
        sent_at=epoch_seconds(item.timestamp),
        contact_name=None if in_group else name,
        contact_phone=None if in_group else phone,
        quoted_gateway_message_id=quoted,
        media=content.media,
        reaction=content.reaction,
        reply_payload=content.reply_payload,
        participant_id=sender_id if in_group else None,
        participant_name=name if in_group else None,
        participant_phone=phone if in_group else None,
    )


def status_event(
    item: Status, value: Value, received_at: datetime
) -> StatusUpdated:
    """One delivery status of a message we sent; ``failed`` carries Meta's first error."""
    status = item.status.lower()
    error = item.errors[0] if item.errors else None
    return StatusUpdated(
        **gateway_envelope(received_at, NAME, "status", item.id, status),
        provider=NAME,
        gateway_message_id=item.id,
        status=status,
        at=epoch_seconds(item.timestamp),
        error_code=None if error is None or error.code is None else str(error.code),
        error_text=error_text(error),
        channel_id=value.metadata.phone_number_id,
        chat_id=item.recipient_id,
    )


def error_text(error: Error | None) -> str | None:
    """``title`` (else ``message``), with ``error_data.details`` when Meta explains further."""
    if error is None:
        return None
    text = error.title or error.message
    details = (error.error_data or {}).get("details")
    if isinstance(details, str) and details and details != text:
        text = f"{text}: {details}" if text else details
    return text


def _contact_for(item: Message, contacts: list[Contact]) -> Contact | None:
    for contact in contacts:
        if item.from_ and contact.wa_id == item.from_:
            return contact
    # A username user has no `from` to match on; with one contact in the change it is theirs.
    return contacts[0] if len(contacts) == 1 else None


def _content(item: Message) -> Content:
    kind = item.type
    if kind == "text" and item.text is not None:
        return Content("text", text=item.text.body)
    media = _media_of(item)
    if media is not None:
        return media
    if kind == "location" and item.location is not None:
        place = item.location
        where = f"{place.latitude},{place.longitude}"
        return Content("geo", text="\n".join(p for p in (place.name, place.address, where) if p))
    if kind == "contacts":
        return Content("vcard", text="\n".join(_contact_card(c) for c in item.contacts))
    if kind == "interactive" and item.interactive is not None:
        return _interactive(item)
    if kind == "button" and item.button is not None:
        return Content("interactive", text=item.button.text, reply_payload=item.button.payload)
    if kind == "reaction" and item.reaction is not None:
        return Content("reaction", reaction=item.reaction.emoji or "",
                       reacted_to=item.reaction.message_id)
    return Content("unsupported")


def _media_of(item: Message) -> Content | None:
    content_type = _MEDIA_TYPES.get(item.type)
    media: Media | None = getattr(item, item.type) if content_type else None
    if content_type is None or media is None:
        return None
    # The webhook's `url` (v24+) expires in minutes; the id is looked up fresh on each fetch.
    ref = MediaRef(media_id=media.id, mime_type=media.mime_type, file_name=media.filename)
    return Content(content_type, text=media.caption or "", media=ref)


def _interactive(item: Message) -> Content:
    assert item.interactive is not None
    tap = item.interactive.button_reply or item.interactive.list_reply
    if tap is not None:
        return Content("interactive", text=tap.title, reply_payload=tap.id)
    flow = item.interactive.nfm_reply
    if flow is not None:
        return Content("interactive", text=flow.body, reply_payload=flow.response_json)
    return Content("unsupported")


def _contact_card(card: dict[str, Any]) -> str:
    name = card.get("name")
    formatted = name.get("formatted_name") if isinstance(name, dict) else None
    phones = card.get("phones")
    numbers = [p.get("phone") for p in phones if isinstance(p, dict)] if isinstance(
        phones, list) else []
    parts = [formatted, *numbers]
    return " ".join(p for p in parts if isinstance(p, str) and p)

