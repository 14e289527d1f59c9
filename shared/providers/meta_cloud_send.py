"""The JSON body of a Cloud API ``/messages`` call for one ``SendMessage`` command."""

from __future__ import annotations

from typing import Any

from shared.domain.identities import is_bsuid
from shared.errors import PermanentError
from shared.events import ChatRef, SendMessage, SendSignal
from shared.providers.base import OutboundMedia
from shared.providers.choices import interactive, numbered_text

DEFAULT_TEMPLATE_LANGUAGE = "en"
# Meta takes a caption on these only; an audio or sticker caption is refused.
_CAPTIONED = frozenset({"image", "video", "document"})


def media_kind(mime_type: str) -> str:
    """The Cloud API message type a file is sent as, by its MIME type."""
    major = mime_type.split("/", 1)[0].lower()
    if mime_type.lower() == "image/webp":
        return "sticker"
    if major in ("image", "audio", "video"):
        return major
    return "document"


def caption_allowed(mime_type: str) -> bool:
    """Whether a file of this type can carry the message text as its caption."""
    return media_kind(mime_type) in _CAPTIONED


def message_body(command: SendMessage, media: OutboundMedia | None) -> dict[str, Any]:
    """``messaging_product``, recipient, the one content object, and ``context`` for replies."""
    body = addressed(command.chat)
    if command.template_id:
        body |= _template(command)
    elif media is not None:
        body |= _media(command, media)
    elif (options := interactive(command)) is not None:
        body |= {"type": "interactive", "interactive": options}
    else:
        body |= {"type": "text", "text": {"body": numbered_text(command)}}
    if command.reply_to_gateway_message_id:
        body["context"] = {"message_id": command.reply_to_gateway_message_id}
    return body


def addressed(chat: ChatRef) -> dict[str, Any]:
    """The recipient part of a ``/messages`` body: a phone as ``to``; a business-scoped user id
    (a customer whose phone is withheld) as ``recipient``, as Meta takes BSUIDs."""
    group = chat.chat_type == "whatsgroup"
    target = chat.send_to
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        # Groups API: a group id as `to` with recipient_type "group" (secondary sources).
        "recipient_type": "group" if group else "individual",
    }
    if not group and is_bsuid(target):
        body["recipient"] = target
    else:
        body["to"] = target
    return body


def signal_body(signal: SendSignal) -> dict[str, Any]:
    """A read mark (with the typing indicator when ``typing``) or a reaction."""
    if signal.kind == "reaction":
        return addressed(signal.chat) | {
            "type": "reaction",
            "reaction": {"message_id": signal.gateway_message_id, "emoji": signal.emoji}}
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read",
                            "message_id": signal.gateway_message_id}
    if signal.kind == "typing":
        # Meta shows "typing…" for up to 25 s or until we answer; it also marks the message read
        body["typing_indicator"] = {"type": "text"}
    return body


def _template(command: SendMessage) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": command.template_id,
        "language": {"code": command.template_language or DEFAULT_TEMPLATE_LANGUAGE},
    }
    if command.template_values:
        parameters = [{"type": "text", "text": value} for value in command.template_values]
        template["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": template}


def _media(command: SendMessage, media: OutboundMedia) -> dict[str, Any]:
    kind = media_kind(media.mime_type)
    # An uploaded id is what Meta recommends; a public link is the fallback it also accepts.
    if media.media_id:
        content: dict[str, Any] = {"id": media.media_id}
    elif media.url:
        content = {"link": media.url}
    else:
        raise PermanentError("a Meta file send needs an uploaded media id", code="NO_MEDIA_ID")
    if command.text:
        if kind not in _CAPTIONED:
            # Dropping the text silently would lose it; the caller sends it on its own.
            raise PermanentError(f"Meta takes no caption on {kind} messages; send the text "
                                 "separately", code="CAPTION_NOT_SUPPORTED")
        content["caption"] = numbered_text(command)
    if kind == "document":
        content["filename"] = media.file_name
    return {"type": kind, kind: content}
